// ViT classification: zoo entry 5 (VisionTransformer) from a library compiled ahead of time by
// attn_add_model(), trained by export.py on generated images of stripes and checkerboards. The
// program classifies each image, prints the first few with their true class and the accuracy,
// and checks its logits against PyTorch's (exit 1 beyond 1e-4 of the largest).
//
//   vit_classify_main W.safetensors IMAGES.npy LABELS.npy EXPECTED.npy
#include "vit_classify.h"

#include "../common/example.h"

namespace {

const char *const kClasses[] = {"horizontal stripes", "vertical stripes", "checkerboard"};

} // namespace

int main(int argc, char **argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s W.safetensors IMAGES.npy LABELS.npy EXPECTED.npy\n", argv[0]);
    return 2;
  }
  auto model = VisionTransformer::load(argv[1]);
  if (!model.ok())
    return example::fail(model.status());
  auto arrays = example::read_arrays({argv[2], argv[3], argv[4]});
  if (!arrays)
    return 1;
  const attn::Tensor &images = (*arrays)[0], &labels = (*arrays)[1], &expected = (*arrays)[2];
  auto out = model->forward(images);
  if (!out.ok())
    return example::fail(out.status());

  const attn::Tensor &logits = out->out0; // [B, classes]
  int64_t count = logits.dim(0), classes = logits.dim(1);
  if (classes != 3 || labels.dtype() != attn::DType::I64 || labels.numel() != count ||
      expected.numel() != logits.numel()) {
    std::fprintf(stderr,
                 "error: expected 3 classes, i64 labels and PyTorch's logits for %lld "
                 "images\n",
                 static_cast<long long>(count));
    return 1;
  }
  int64_t right = 0;
  for (int64_t n = 0; n < count; ++n) {
    int64_t predicted = example::argmax(logits.data<float>() + n * classes, classes);
    int64_t truth = labels.data<int64_t>()[n];
    right += predicted == truth;
    if (n < 5)
      std::printf("image %lld: %-18s (is %s)\n", static_cast<long long>(n), kClasses[predicted],
                  kClasses[truth]);
  }
  std::printf("accuracy on %lld images: %.1f%%\n", static_cast<long long>(count),
              100.0 * right / std::max<int64_t>(count, 1));
  example::Agreement agreement;
  agreement.add(logits.data<float>(), expected.data<float>(), logits.numel());
  return agreement.report("logit") ? 0 : 1;
}
