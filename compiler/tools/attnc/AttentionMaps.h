// `attnc run --dump-attention DIR`: the attention weights the compiled model returns beside its
// outputs (the manifest marks them with `attention_map`, see ExposeAttentionWeights.cpp) are
// written per batch item and head as `.npy` matrices and heatmap PNGs, with an index,
// DIR/attention_maps.json. Axes are labelled with tokens when a vocabulary is given and the
// model takes token ids, with positions otherwise.
#pragma once

#include "attn/status.h"
#include "attn/tensor.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace attn::driver {

/// An output of the manifest that is an attention map.
struct AttentionMapOutput {
  size_t index; // in the manifest's outputs
  std::string name, loc;
};

/// The attention maps among the manifest's outputs, in order.
std::vector<AttentionMapOutput> attention_map_outputs(const nlohmann::json &manifest);

/// Token labels: the vocabulary (one token per line; line k is id k) and the ids a model read
/// (an integer input [B, S] or [S]). Empty when there is no vocabulary or no integer input.
struct TokenLabels {
  std::vector<std::string> vocab;
  Tensor ids;
  bool present = false;
  /// The label of position `s` of batch item `b`: the token when the axis has the ids' length,
  /// else the position.
  std::string at(int64_t b, int64_t s, int64_t axis_length) const;
};

/// Reads `vocab_path` (if not empty) and picks the first integer tensor among `inputs`.
StatusOr<TokenLabels> load_token_labels(const std::string &vocab_path,
                                        const std::vector<std::pair<std::string, Tensor>> &inputs);

/// Writes every map of `maps` (whose tensors are `outputs[map.index]`, [B, H, Sq, Sk],
/// [B, Sq, Sk] or [Sq, Sk]) into `dir`: <name>.b<b>.h<h>.npy and .png, and the index. Prints one
/// line per map.
Status write_attention_maps(const std::string &dir, const std::vector<AttentionMapOutput> &maps,
                            const std::vector<Tensor> &outputs, const TokenLabels &labels);

} // namespace attn::driver
