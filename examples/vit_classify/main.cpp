// ViT classification: zoo entry 5 (VisionTransformer) from a library compiled ahead of time by
// attn_add_model(), trained by export.py on generated images of stripes and checkerboards. The
// program classifies each image, prints the first few with their true class and the accuracy,
// and checks its logits against PyTorch's (exit 1 beyond 1e-4 of the largest).
//
//   vit_classify_main W.safetensors IMAGES.npy LABELS.npy EXPECTED.npy
#include "vit_classify.h"

#include "attn/npy.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

namespace {

const char *const kClasses[] = {"horizontal stripes", "vertical stripes", "checkerboard"};

int fail(const attn::Status &status) {
  std::fprintf(stderr, "error: %s\n", status.message().c_str());
  return status.exit_code();
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s W.safetensors IMAGES.npy LABELS.npy EXPECTED.npy\n", argv[0]);
    return 2;
  }
  auto model = VisionTransformer::load(argv[1]);
  if (!model.ok())
    return fail(model.status());
  std::vector<attn::Tensor> arrays;
  for (int i = 2; i < 5; ++i) {
    auto t = attn::read_npy(argv[i]);
    if (!t.ok())
      return fail(t.status());
    arrays.push_back(std::move(*t));
  }
  const attn::Tensor &images = arrays[0], &labels = arrays[1], &expected = arrays[2];
  auto out = model->forward(images);
  if (!out.ok())
    return fail(out.status());

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
  const float *values = logits.data<float>();
  int64_t right = 0;
  for (int64_t n = 0; n < count; ++n) {
    const float *row = values + n * classes;
    int64_t predicted = std::max_element(row, row + classes) - row;
    int64_t truth = labels.data<int64_t>()[n];
    right += predicted == truth;
    if (n < 5)
      std::printf("image %lld: %-18s (is %s)\n", static_cast<long long>(n), kClasses[predicted],
                  kClasses[truth]);
  }
  std::printf("accuracy on %lld images: %.1f%%\n", static_cast<long long>(count),
              100.0 * right / std::max<int64_t>(count, 1));

  const float *want = expected.data<float>();
  double diff = 0, scale = 0;
  for (int64_t i = 0; i < logits.numel(); ++i) {
    diff = std::max(diff, std::fabs(static_cast<double>(values[i]) - want[i]));
    scale = std::max(scale, std::fabs(static_cast<double>(want[i])));
  }
  double rel = scale > 0 ? diff / scale : diff;
  std::printf("against PyTorch: largest difference %.2e of the largest logit\n", rel);
  return rel <= 1e-4 ? 0 : 1;
}
