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

#include "../common/example.h"

#include <fstream>

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  std::string dir = argv[1];
  auto encoder = CaptionEncoder::load(dir + "/encoder.safetensors");
  if (!encoder.ok())
    return example::fail(encoder.status());
  auto decoder = CaptionDecoder::load(dir + "/decoder.safetensors");
  if (!decoder.ok())
    return example::fail(decoder.status());
  auto arrays = example::read_arrays({dir + "/images.npy", dir + "/reference.npy",
                                      dir + "/greedy.npy", dir + "/greedy_logits.npy"});
  if (!arrays)
    return 1;
  std::vector<std::string> vocabulary;
  std::ifstream file(dir + "/words.txt");
  for (std::string line; std::getline(file, line);)
    vocabulary.push_back(line);

  auto features = encoder->forward((*arrays)[0]); // [B, L, H]
  if (!features.ok())
    return example::fail(features.status());
  const attn::Tensor &regions = features->out0;
  int64_t batch = regions.dim(0), hidden_dim = regions.dim(2), steps = (*arrays)[2].dim(1);
  example::Agreement agreement;
  auto words = example::greedy_decode(
      [&](const attn::Tensor &token, const attn::Tensor &h, const attn::Tensor &c) {
        return decoder->forward(token, h, c, regions);
      },
      attn::Tensor::empty(attn::DType::F32, {batch, hidden_dim}), // zero states
      attn::Tensor::empty(attn::DType::F32, {batch, hidden_dim}), steps, (*arrays)[3], agreement);
  if (!words)
    return 1;
  for (int64_t b = 0; b < std::min<int64_t>(batch, 4); ++b) {
    std::printf("image %lld:", static_cast<long long>(b));
    for (int64_t t = 0; t < steps; ++t) {
      size_t w = static_cast<size_t>((*words)[b * steps + t]);
      std::printf(" %s", w < vocabulary.size() ? vocabulary[w].c_str() : "?");
    }
    std::printf("\n");
  }
  return example::report_words(*words, (*arrays)[1], (*arrays)[2], agreement) ? 0 : 1;
}
