// Attention Q-values: zoo entry 8 (AttentionQNetwork) from a library compiled ahead of time by
// attn_add_model(). Each entity's state is encoded, the entities of an episode attend to each
// other, and a head gives one Q-value per action; the program prints them with the greedy
// action per entity, and checks them against PyTorch's (exit 1 beyond 1e-4 of the largest).
//
//   q_values_main W.safetensors STATE.npy EXPECTED.npy
#include "q_network.h"

#include "attn/npy.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace {

int fail(const attn::Status &status) {
  std::fprintf(stderr, "error: %s\n", status.message().c_str());
  return status.exit_code();
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s W.safetensors STATE.npy EXPECTED.npy\n", argv[0]);
    return 2;
  }
  auto model = AttentionQNetwork::load(argv[1]);
  if (!model.ok())
    return fail(model.status());
  auto state = attn::read_npy(argv[2]);
  if (!state.ok())
    return fail(state.status());
  auto expected = attn::read_npy(argv[3]);
  if (!expected.ok())
    return fail(expected.status());
  auto out = model->forward(*state);
  if (!out.ok())
    return fail(out.status());

  const attn::Tensor &q = out->out0; // [N entities, B episodes, actions]
  int64_t entities = q.dim(0), episodes = q.dim(1), actions = q.dim(2);
  const float *values = q.data<float>();
  for (int64_t b = 0; b < episodes; ++b) {
    std::printf("episode %lld\n", static_cast<long long>(b));
    for (int64_t n = 0; n < entities; ++n) {
      const float *row = values + (n * episodes + b) * actions;
      int64_t best = std::max_element(row, row + actions) - row;
      std::printf("  entity %lld: Q =", static_cast<long long>(n));
      for (int64_t a = 0; a < actions; ++a)
        std::printf(" %+.4f", row[a]);
      std::printf("  -> action %lld\n", static_cast<long long>(best));
    }
  }

  if (expected->numel() != q.numel()) {
    std::fprintf(stderr, "error: PyTorch's Q-values have %lld values, attn's %lld\n",
                 static_cast<long long>(expected->numel()), static_cast<long long>(q.numel()));
    return 1;
  }
  const float *want = expected->data<float>();
  double diff = 0, scale = 0;
  for (int64_t i = 0; i < q.numel(); ++i) {
    diff = std::max(diff, std::fabs(static_cast<double>(values[i]) - want[i]));
    scale = std::max(scale, std::fabs(static_cast<double>(want[i])));
  }
  double rel = scale > 0 ? diff / scale : diff;
  std::printf("against PyTorch: largest difference %.2e of the largest Q-value\n", rel);
  return rel <= 1e-4 ? 0 : 1;
}
