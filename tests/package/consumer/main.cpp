// doubler_main W.safetensors: runs Doubler on a 2 x 3 input of ones and prints the output.
#include "doubler.h"

#include <cstdio>

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s W.safetensors\n", argv[0]);
    return 1;
  }
  auto model = Doubler::load(argv[1]);
  if (!model.ok()) {
    std::fprintf(stderr, "error: %s\n", model.status().message().c_str());
    return model.status().exit_code();
  }
  attn::Tensor x = attn::Tensor::empty(attn::DType::F32, {2, 3});
  for (int64_t i = 0; i < x.numel(); ++i)
    x.data<float>()[i] = 1.0f;
  auto out = model->forward(x);
  if (!out.ok()) {
    std::fprintf(stderr, "error: %s\n", out.status().message().c_str());
    return out.status().exit_code();
  }
  std::printf("out:");
  for (int64_t i = 0; i < out->out0.numel(); ++i)
    std::printf(" %g", out->out0.data<float>()[i]);
  std::printf("\n");
  return 0;
}
