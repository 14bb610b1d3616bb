// Image-caption step decoding with two libraries compiled ahead of time by attn_add_model():
// zoo entry 13 (CaptionEncoder) turns each image into a grid of region features once, and zoo
// entry 14 (CaptionDecoder) runs once per word from zero states, attending over the regions at
// every step, its argmax fed back. The program prints the captions and checks words and logits
// against PyTorch's greedy decoding (exit 1 if a word differs or a logit by more than 1e-4 of
// the largest).
//
//   captioning_main DIR   (DIR as export.py writes it)
#include "caption_decoder.h"
#include "caption_encoder.h"

#include "attn/npy.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace {

int fail(const attn::Status &status) {
  std::fprintf(stderr, "error: %s\n", status.message().c_str());
  return status.exit_code();
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  std::string dir = argv[1];
  auto encoder = CaptionEncoder::load(dir + "/encoder.safetensors");
  if (!encoder.ok())
    return fail(encoder.status());
  auto decoder = CaptionDecoder::load(dir + "/decoder.safetensors");
  if (!decoder.ok())
    return fail(decoder.status());
  auto images = attn::read_npy(dir + "/images.npy");
  auto reference = attn::read_npy(dir + "/reference.npy");
  auto greedy = attn::read_npy(dir + "/greedy.npy");
  auto greedy_logits = attn::read_npy(dir + "/greedy_logits.npy");
  for (const auto *t : {&images, &reference, &greedy, &greedy_logits})
    if (!t->ok())
      return fail(t->status());
  std::vector<std::string> words;
  std::ifstream file(dir + "/words.txt");
  for (std::string line; std::getline(file, line);)
    words.push_back(line);

  auto features = encoder->forward(*images); // [B, L, H]
  if (!features.ok())
    return fail(features.status());
  const attn::Tensor &regions = features->out0;
  int64_t batch = regions.dim(0), hidden_dim = regions.dim(2);
  int64_t length = greedy->dim(1);
  attn::Tensor h = attn::Tensor::empty(attn::DType::F32, {batch, hidden_dim}); // zeros
  attn::Tensor c = attn::Tensor::empty(attn::DType::F32, {batch, hidden_dim});
  attn::Tensor word = attn::Tensor::empty(attn::DType::I64, {batch}); // <bos> = 0

  std::vector<int64_t> caption(batch * length);
  double diff = 0, scale = 0;
  for (int64_t t = 0; t < length; ++t) {
    auto step = decoder->forward(word, h, c, regions);
    if (!step.ok())
      return fail(step.status());
    const attn::Tensor &logits = step->out0; // [B, V]
    int64_t vocab = logits.dim(1);
    if (static_cast<int64_t>(words.size()) != vocab) {
      std::fprintf(stderr, "error: words.txt has %zu words, the decoder %lld\n", words.size(),
                   static_cast<long long>(vocab));
      return 1;
    }
    const float *want = greedy_logits->data<float>() + t * batch * vocab;
    for (int64_t b = 0; b < batch; ++b) {
      const float *row = logits.data<float>() + b * vocab;
      for (int64_t v = 0; v < vocab; ++v) {
        diff = std::max(diff, std::fabs(static_cast<double>(row[v]) - want[b * vocab + v]));
        scale = std::max(scale, std::fabs(static_cast<double>(want[b * vocab + v])));
      }
      int64_t chosen = std::max_element(row, row + vocab) - row;
      caption[b * length + t] = chosen;
      word.data<int64_t>()[b] = chosen;
    }
    h = std::move(step->out1);
    c = std::move(step->out2);
  }

  int64_t right = 0, same = 0;
  for (int64_t b = 0; b < batch; ++b) {
    std::string text;
    for (int64_t t = 0; t < length; ++t) {
      int64_t w = caption[b * length + t];
      right += w == reference->data<int64_t>()[b * length + t];
      same += w == greedy->data<int64_t>()[b * length + t];
      text += (t ? " " : "") + words[w];
    }
    if (b < 4)
      std::printf("image %lld: %s\n", static_cast<long long>(b), text.c_str());
  }
  int64_t total = batch * length;
  double rel = scale > 0 ? diff / scale : diff;
  std::printf("words right: %lld of %lld; the same as PyTorch's greedy decoding: %lld of %lld; "
              "largest logit difference %.2e of the largest\n",
              static_cast<long long>(right), static_cast<long long>(total),
              static_cast<long long>(same), static_cast<long long>(total), rel);
  return same == total && rel <= 1e-4 ? 0 : 1;
}
