// What the linked examples (examples/*/main.cpp) share: reporting a runtime error, reading
// their .npy arrays, picking the best entry, and comparing their results with PyTorch's.
#pragma once

#include "attn/npy.h"
#include "attn/status.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace example {

/// Prints `status` and returns its exit code.
inline int fail(const attn::Status &status) {
  std::fprintf(stderr, "error: %s\n", status.message().c_str());
  return status.exit_code();
}

/// Reads every file of `paths` (.npy) in order; on an error prints it and returns nullopt.
inline std::optional<std::vector<attn::Tensor>> read_arrays(const std::vector<std::string> &paths) {
  std::vector<attn::Tensor> arrays;
  for (const std::string &path : paths) {
    auto t = attn::read_npy(path);
    if (!t.ok()) {
      fail(t.status());
      return std::nullopt;
    }
    arrays.push_back(std::move(*t));
  }
  return arrays;
}

/// The index of the largest of `n` values (the first, on ties).
inline int64_t argmax(const float *row, int64_t n) { return std::max_element(row, row + n) - row; }

/// Compares results with PyTorch's, as the tests do: the largest difference relative to the
/// largest magnitude PyTorch gave, over everything added.
class Agreement {
public:
  void add(const float *got, const float *want, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
      diff_ = std::max(diff_, std::fabs(static_cast<double>(got[i]) - want[i]));
      scale_ = std::max(scale_, std::fabs(static_cast<double>(want[i])));
    }
  }
  double relative() const { return scale_ > 0 ? diff_ / scale_ : diff_; }
  /// Prints the relative difference ("of the largest <what>"); true within 1e-4.
  bool report(const char *what) const {
    std::printf("against PyTorch: largest difference %.2e of the largest %s\n", relative(), what);
    return relative() <= 1e-4;
  }

private:
  double diff_ = 0, scale_ = 0;
};

/// Greedy decoding with a decoder step compiled by attnc: from token 0 and the states `h` and
/// `c`, runs `step(token, h, c)` (which returns the step's outputs: logits [B, V], then the new
/// h and c) `steps` times, feeding each row's argmax back as its next token. Returns the words,
/// [B, steps] row-major, and adds each step's logits to `agreement` against `want_logits`
/// ([steps, B, V], PyTorch's greedy decoding); nullopt after a printed error.
template <typename Step>
std::optional<std::vector<int64_t>> greedy_decode(Step step, attn::Tensor h, attn::Tensor c,
                                                  int64_t steps, const attn::Tensor &want_logits,
                                                  Agreement &agreement) {
  int64_t batch = h.dim(0);
  attn::Tensor token = attn::Tensor::empty(attn::DType::I64, {batch}); // zeros: the start token
  std::vector<int64_t> words(batch * steps);
  for (int64_t t = 0; t < steps; ++t) {
    auto out = step(token, h, c);
    if (!out.ok()) {
      fail(out.status());
      return std::nullopt;
    }
    const attn::Tensor &logits = out->out0;
    int64_t vocab = logits.dim(1);
    if (want_logits.numel() != steps * batch * vocab) {
      std::fprintf(stderr, "error: PyTorch's logits are not [%lld, %lld, %lld]\n",
                   static_cast<long long>(steps), static_cast<long long>(batch),
                   static_cast<long long>(vocab));
      return std::nullopt;
    }
    agreement.add(logits.data<float>(), want_logits.data<float>() + t * batch * vocab,
                  batch * vocab);
    for (int64_t b = 0; b < batch; ++b) {
      int64_t word = argmax(logits.data<float>() + b * vocab, vocab);
      words[b * steps + t] = word;
      token.data<int64_t>()[b] = word;
    }
    h = std::move(out->out1);
    c = std::move(out->out2);
  }
  return words;
}

/// Counts the decoded `words` ([B, steps]) equal to `reference` (the right ones) and to
/// `greedy` (PyTorch's), prints both counts and the logits' agreement; true when every word is
/// PyTorch's and the logits agree within 1e-4.
inline bool report_words(const std::vector<int64_t> &words, const attn::Tensor &reference,
                         const attn::Tensor &greedy, const Agreement &agreement) {
  int64_t right = 0, same = 0, total = static_cast<int64_t>(words.size());
  if (reference.numel() != total || greedy.numel() != total) {
    std::fprintf(stderr, "error: %lld words decoded, but the reference has %lld and PyTorch %lld\n",
                 static_cast<long long>(total), static_cast<long long>(reference.numel()),
                 static_cast<long long>(greedy.numel()));
    return false;
  }
  for (int64_t i = 0; i < total; ++i) {
    right += words[i] == reference.data<int64_t>()[i];
    same += words[i] == greedy.data<int64_t>()[i];
  }
  std::printf("words right: %lld of %lld; the same as PyTorch's greedy decoding: %lld of %lld; "
              "largest logit difference %.2e of the largest\n",
              static_cast<long long>(right), static_cast<long long>(total),
              static_cast<long long>(same), static_cast<long long>(total), agreement.relative());
  return same == total && agreement.relative() <= 1e-4;
}

} // namespace example
