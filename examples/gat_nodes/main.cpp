// GAT node classification: zoo entry 7 (GAT) from a library compiled ahead of time by
// attn_add_model(), on a generated graph of three communities (export.py trains it in PyTorch).
// The program classifies every node, prints the accuracy on the nodes training used and on the
// others, and checks its log-probabilities against PyTorch's (exit 1 beyond 1e-4 of the largest).
//
//   gat_nodes_main W.safetensors X.npy ADJ.npy LABELS.npy TRAIN_MASK.npy EXPECTED.npy
#include "gat_nodes.h"

#include "../common/example.h"

int main(int argc, char **argv) {
  if (argc != 7) {
    std::fprintf(stderr,
                 "usage: %s W.safetensors X.npy ADJ.npy LABELS.npy TRAIN_MASK.npy EXPECTED.npy\n",
                 argv[0]);
    return 2;
  }
  auto model = GAT::load(argv[1]);
  if (!model.ok())
    return example::fail(model.status());
  auto arrays = example::read_arrays({argv[2], argv[3], argv[4], argv[5], argv[6]});
  if (!arrays)
    return 1;
  const attn::Tensor &x = (*arrays)[0], &adj = (*arrays)[1], &labels = (*arrays)[2],
                     &train = (*arrays)[3], &expected = (*arrays)[4];
  auto out = model->forward(x, adj);
  if (!out.ok())
    return example::fail(out.status());

  const attn::Tensor &logp = out->out0; // [N, classes]
  int64_t nodes = logp.dim(0), classes = logp.dim(1);
  if (labels.dtype() != attn::DType::I64 || train.dtype() != attn::DType::Bool ||
      labels.numel() != nodes || train.numel() != nodes || expected.numel() != logp.numel()) {
    std::fprintf(stderr,
                 "error: labels (i64), train_mask (bool) and expected must match the "
                 "model's %lld nodes\n",
                 static_cast<long long>(nodes));
    return 1;
  }
  std::vector<int64_t> per_class(classes, 0);
  int64_t right[2] = {0, 0}, total[2] = {0, 0};
  for (int64_t n = 0; n < nodes; ++n) {
    int64_t predicted = example::argmax(logp.data<float>() + n * classes, classes);
    ++per_class[predicted];
    int set = train.data<uint8_t>()[n] ? 0 : 1;
    ++total[set];
    right[set] += predicted == labels.data<int64_t>()[n];
  }
  std::printf("GAT on %lld nodes: predicted class sizes", static_cast<long long>(nodes));
  for (int64_t c = 0; c < classes; ++c)
    std::printf(" %lld", static_cast<long long>(per_class[c]));
  std::printf("\naccuracy: %.1f%% on the %lld training nodes, %.1f%% on the other %lld\n",
              100.0 * right[0] / std::max<int64_t>(total[0], 1), static_cast<long long>(total[0]),
              100.0 * right[1] / std::max<int64_t>(total[1], 1), static_cast<long long>(total[1]));
  example::Agreement agreement;
  agreement.add(logp.data<float>(), expected.data<float>(), logp.numel());
  return agreement.report("log-probability") ? 0 : 1;
}
