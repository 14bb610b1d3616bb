// Attention Q-values: zoo entry 8 (AttentionQNetwork) from a library compiled ahead of time by
// attn_add_model(). Each entity's state is encoded, the entities of an episode attend to each
// other, and a head gives one Q-value per action; the program prints them with the greedy
// action per entity, and checks them against PyTorch's (exit 1 beyond 1e-4 of the largest).
//
//   q_values_main W.safetensors STATE.npy EXPECTED.npy
#include "q_network.h"

#include "../common/example.h"

int main(int argc, char **argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s W.safetensors STATE.npy EXPECTED.npy\n", argv[0]);
    return 2;
  }
  auto model = AttentionQNetwork::load(argv[1]);
  if (!model.ok())
    return example::fail(model.status());
  auto arrays = example::read_arrays({argv[2], argv[3]});
  if (!arrays)
    return 1;
  const attn::Tensor &state = (*arrays)[0], &expected = (*arrays)[1];
  auto out = model->forward(state);
  if (!out.ok())
    return example::fail(out.status());

  const attn::Tensor &q = out->out0; // [N entities, B episodes, actions]
  int64_t entities = q.dim(0), episodes = q.dim(1), actions = q.dim(2);
  for (int64_t b = 0; b < episodes; ++b) {
    std::printf("episode %lld\n", static_cast<long long>(b));
    for (int64_t n = 0; n < entities; ++n) {
      const float *row = q.data<float>() + (n * episodes + b) * actions;
      std::printf("  entity %lld: Q =", static_cast<long long>(n));
      for (int64_t a = 0; a < actions; ++a)
        std::printf(" %+.4f", row[a]);
      std::printf("  -> action %lld\n", static_cast<long long>(example::argmax(row, actions)));
    }
  }
  if (expected.numel() != q.numel()) {
    std::fprintf(stderr, "error: PyTorch gave %lld Q-values, attn %lld\n",
                 static_cast<long long>(expected.numel()), static_cast<long long>(q.numel()));
    return 1;
  }
  example::Agreement agreement;
  agreement.add(q.data<float>(), expected.data<float>(), q.numel());
  return agreement.report("Q-value") ? 0 : 1;
}
