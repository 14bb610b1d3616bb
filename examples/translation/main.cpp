// Greedy translation with two libraries compiled ahead of time by attn_add_model(): zoo entry 10
// (Encoder) reads the source sentence once, and zoo entry 11 (Decoder) runs once per output
// word, attending over the encoder's outputs at every step, its argmax fed back as the next
// input. The program prints the translations and checks words and logits against PyTorch's
// greedy decoding (exit 1 if a word differs or a logit by more than 1e-4 of the largest).
//
//   translation_main DIR   (DIR as export.py writes it)
#include "translation_decoder.h"
#include "translation_encoder.h"

#include "../common/example.h"

#include <cstring>

namespace {

/// A copy of `t` with the shape `shape` (same number of elements, row-major).
attn::Tensor reshaped(const attn::Tensor &t, std::vector<int64_t> shape) {
  attn::Tensor out = attn::Tensor::empty(t.dtype(), std::move(shape));
  std::memcpy(out.raw_data(), t.raw_data(), t.nbytes());
  return out;
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  std::string dir = argv[1];
  auto encoder = Encoder::load(dir + "/encoder.safetensors");
  if (!encoder.ok())
    return example::fail(encoder.status());
  auto decoder = Decoder::load(dir + "/decoder.safetensors");
  if (!decoder.ok())
    return example::fail(decoder.status());
  auto arrays = example::read_arrays({dir + "/source.npy", dir + "/reference.npy",
                                      dir + "/greedy.npy", dir + "/greedy_logits.npy"});
  if (!arrays)
    return 1;
  const attn::Tensor &source = (*arrays)[0]; // [S, B]

  auto encoded = encoder->forward(source);
  if (!encoded.ok())
    return example::fail(encoded.status());
  const attn::Tensor &outputs = encoded->out0; // [S, B, H]
  int64_t length = outputs.dim(0), batch = outputs.dim(1), hidden_dim = outputs.dim(2);
  // The decoder attends over [B, S, H]: the encoder's outputs with the first two axes swapped.
  attn::Tensor memory = attn::Tensor::empty(attn::DType::F32, {batch, length, hidden_dim});
  for (int64_t s = 0; s < length; ++s)
    for (int64_t b = 0; b < batch; ++b)
      std::memcpy(memory.data<float>() + (b * length + s) * hidden_dim,
                  outputs.data<float>() + (s * batch + b) * hidden_dim, hidden_dim * sizeof(float));

  example::Agreement agreement;
  auto words = example::greedy_decode(
      [&](const attn::Tensor &token, const attn::Tensor &h, const attn::Tensor &c) {
        return decoder->forward(token, h, c, memory);
      },
      reshaped(encoded->out1, {batch, hidden_dim}), // layer 0 of [1, B, H]
      reshaped(encoded->out2, {batch, hidden_dim}), (*arrays)[2].dim(1), (*arrays)[3], agreement);
  if (!words)
    return 1;
  int64_t steps = (*arrays)[2].dim(1);
  for (int64_t b = 0; b < std::min<int64_t>(batch, 4); ++b) {
    std::printf("source");
    for (int64_t s = 0; s < length; ++s)
      std::printf(" %lld", static_cast<long long>(source.data<int64_t>()[s * batch + b]));
    std::printf("  ->");
    for (int64_t t = 0; t < steps; ++t)
      std::printf(" %lld", static_cast<long long>((*words)[b * steps + t]));
    std::printf("\n");
  }
  return example::report_words(*words, (*arrays)[1], (*arrays)[2], agreement) ? 0 : 1;
}
