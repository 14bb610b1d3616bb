// Runs the zoo's MultiHeadAttention from a library compiled ahead of time by attn_add_model():
// the generated header gives a typed class; the program loads PyTorch-exported weights and
// three .npy inputs, runs the forward and writes the output as .npy.
//
//   multi_head_attention_main W.safetensors QUERY.npy KEY.npy VALUE.npy OUT.npy
#include "multi_head_attention.h"

#include "attn/npy.h"

#include <cstdio>

int main(int argc, char **argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: %s W.safetensors QUERY.npy KEY.npy VALUE.npy OUT.npy\n", argv[0]);
    return 1;
  }
  auto model = MultiHeadAttention::load(argv[1]);
  if (!model.ok()) {
    std::fprintf(stderr, "error: %s\n", model.status().message().c_str());
    return model.status().exit_code();
  }
  attn::Tensor inputs[3];
  for (int i = 0; i < 3; ++i) {
    auto t = attn::read_npy(argv[2 + i]);
    if (!t.ok()) {
      std::fprintf(stderr, "error: %s\n", t.status().message().c_str());
      return t.status().exit_code();
    }
    inputs[i] = std::move(*t);
  }
  auto out = model->forward(inputs[0], inputs[1], inputs[2]);
  if (!out.ok()) {
    std::fprintf(stderr, "error: %s\n", out.status().message().c_str());
    return out.status().exit_code();
  }
  const attn::Tensor &y = out->out0;
  std::printf("output %s, first values:", y.type_string().c_str());
  for (int64_t i = 0; i < std::min<int64_t>(4, y.numel()); ++i)
    std::printf(" %.6f", y.data<float>()[i]);
  std::printf("\n");
  attn::Status written = attn::write_npy(argv[5], y);
  if (!written.ok()) {
    std::fprintf(stderr, "error: %s\n", written.message().c_str());
    return written.exit_code();
  }
  return 0;
}
