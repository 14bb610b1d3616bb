// Greedy translation with two libraries compiled ahead of time by attn_add_model(): zoo entry 10
// (Encoder) reads the source sentence once, and zoo entry 11 (Decoder) runs once per output
// word, attending over the encoder's outputs at every step, its argmax fed back as the next
// input. The program prints the translations and checks words and logits against PyTorch's
// greedy decoding (exit 1 if a word differs or a logit by more than 1e-4 of the largest).
//
//   translation_main DIR   (DIR as export.py writes it)
#include "translation_decoder.h"
#include "translation_encoder.h"

#include "attn/npy.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

namespace {

int fail(const attn::Status &status) {
  std::fprintf(stderr, "error: %s\n", status.message().c_str());
  return status.exit_code();
}

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
    return fail(encoder.status());
  auto decoder = Decoder::load(dir + "/decoder.safetensors");
  if (!decoder.ok())
    return fail(decoder.status());
  auto source = attn::read_npy(dir + "/source.npy"); // [S, B]
  auto reference = attn::read_npy(dir + "/reference.npy");
  auto greedy = attn::read_npy(dir + "/greedy.npy");
  auto greedy_logits = attn::read_npy(dir + "/greedy_logits.npy");
  for (const auto *t : {&source, &reference, &greedy, &greedy_logits})
    if (!t->ok())
      return fail(t->status());

  auto encoded = encoder->forward(*source);
  if (!encoded.ok())
    return fail(encoded.status());
  const attn::Tensor &outputs = encoded->out0; // [S, B, H]
  int64_t length = outputs.dim(0), batch = outputs.dim(1), hidden_dim = outputs.dim(2);
  // The decoder attends over [B, S, H]: the encoder's outputs with the first two axes swapped.
  attn::Tensor memory = attn::Tensor::empty(attn::DType::F32, {batch, length, hidden_dim});
  for (int64_t s = 0; s < length; ++s)
    for (int64_t b = 0; b < batch; ++b)
      std::memcpy(memory.data<float>() + (b * length + s) * hidden_dim,
                  outputs.data<float>() + (s * batch + b) * hidden_dim, hidden_dim * sizeof(float));
  attn::Tensor h = reshaped(encoded->out1, {batch, hidden_dim}); // layer 0 of [1, B, H]
  attn::Tensor c = reshaped(encoded->out2, {batch, hidden_dim});
  attn::Tensor token = attn::Tensor::empty(attn::DType::I64, {batch}); // BOS = 0

  std::vector<int64_t> words(batch * length);
  double diff = 0, scale = 0;
  for (int64_t t = 0; t < length; ++t) {
    auto step = decoder->forward(token, h, c, memory);
    if (!step.ok())
      return fail(step.status());
    const attn::Tensor &logits = step->out0; // [B, V]
    int64_t vocab = logits.dim(1);
    const float *want = greedy_logits->data<float>() + t * batch * vocab;
    for (int64_t b = 0; b < batch; ++b) {
      const float *row = logits.data<float>() + b * vocab;
      for (int64_t v = 0; v < vocab; ++v) {
        diff = std::max(diff, std::fabs(static_cast<double>(row[v]) - want[b * vocab + v]));
        scale = std::max(scale, std::fabs(static_cast<double>(want[b * vocab + v])));
      }
      int64_t word = std::max_element(row, row + vocab) - row;
      words[b * length + t] = word;
      token.data<int64_t>()[b] = word;
    }
    h = std::move(step->out1);
    c = std::move(step->out2);
  }

  int64_t right = 0, same = 0;
  for (int64_t b = 0; b < batch; ++b) {
    std::string line = "source";
    for (int64_t s = 0; s < length; ++s)
      line += " " + std::to_string(source->data<int64_t>()[s * batch + b]);
    line += "  ->";
    for (int64_t t = 0; t < length; ++t) {
      int64_t word = words[b * length + t];
      right += word == reference->data<int64_t>()[b * length + t];
      same += word == greedy->data<int64_t>()[b * length + t];
      line += " " + std::to_string(word);
    }
    if (b < 4)
      std::printf("%s\n", line.c_str());
  }
  int64_t total = batch * length;
  double rel = scale > 0 ? diff / scale : diff;
  std::printf("words right: %lld of %lld; the same as PyTorch's greedy decoding: %lld of %lld; "
              "largest logit difference %.2e of the largest\n",
              static_cast<long long>(right), static_cast<long long>(total),
              static_cast<long long>(same), static_cast<long long>(total), rel);
  return same == total && rel <= 1e-4 ? 0 : 1;
}
