// Sentence similarity: all-MiniLM-L6-v2 (zoo entry 19 on its published weights) from a library
// compiled ahead of time by attn_add_model(). The program embeds a query and a few candidate
// sentences (token ids from export.py), ranks the candidates by cosine similarity to the query,
// and checks each embedding against sentence-transformers' (exit 1 below cosine 0.9999).
//
//   sentence_similarity_main W.safetensors INPUT_IDS.npy ATTENTION_MASK.npy EXPECTED.npy
//                            SENTENCES.txt
#include "sentence_similarity.h"

#include "../common/example.h"

#include <fstream>

namespace {

double cosine(const float *a, const float *b, int64_t n) {
  double dot = 0, na = 0, nb = 0;
  for (int64_t i = 0; i < n; ++i) {
    dot += static_cast<double>(a[i]) * b[i];
    na += static_cast<double>(a[i]) * a[i];
    nb += static_cast<double>(b[i]) * b[i];
  }
  return dot / std::max(std::sqrt(na * nb), 1e-30);
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 6) {
    std::fprintf(stderr,
                 "usage: %s W.safetensors INPUT_IDS.npy ATTENTION_MASK.npy EXPECTED.npy "
                 "SENTENCES.txt\n",
                 argv[0]);
    return 2;
  }
  auto model = SentenceEncoder::load(argv[1]);
  if (!model.ok())
    return example::fail(model.status());
  auto read = example::read_arrays({argv[2], argv[3], argv[4]});
  if (!read)
    return 1;
  const std::vector<attn::Tensor> &arrays = *read;
  std::vector<std::string> sentences;
  std::ifstream file(argv[5]);
  for (std::string line; std::getline(file, line);)
    sentences.push_back(line);
  auto out = model->forward(arrays[0], arrays[1]);
  if (!out.ok())
    return example::fail(out.status());

  const attn::Tensor &embeddings = out->out2; // [B, 384], unit vectors
  const attn::Tensor &expected = arrays[2];
  int64_t count = embeddings.dim(0), dim = embeddings.dim(1);
  if (static_cast<int64_t>(sentences.size()) != count || expected.numel() != embeddings.numel()) {
    std::fprintf(stderr, "error: %lld embeddings, but %zu sentences and %lld expected values\n",
                 static_cast<long long>(count), sentences.size(),
                 static_cast<long long>(expected.numel()));
    return 1;
  }
  const float *e = embeddings.data<float>();
  std::vector<std::pair<double, int64_t>> ranked;
  for (int64_t n = 1; n < count; ++n)
    ranked.emplace_back(cosine(e, e + n * dim, dim), n);
  std::sort(ranked.rbegin(), ranked.rend());
  std::printf("query: %s\n", sentences[0].c_str());
  for (const auto &[score, n] : ranked)
    std::printf("  %.3f  %s\n", score, sentences[n].c_str());

  double worst = 1.0;
  for (int64_t n = 0; n < count; ++n)
    worst = std::min(worst, cosine(e + n * dim, expected.data<float>() + n * dim, dim));
  std::printf("against sentence-transformers: lowest cosine similarity %.9f\n", worst);
  return worst >= 0.9999 ? 0 : 1;
}
