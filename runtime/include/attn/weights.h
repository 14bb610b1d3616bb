// Model weights from a safetensors file, memory-mapped.
//
// safetensors is what PyTorch and Hugging Face users export: an 8-byte little-endian header
// length, a JSON header mapping each tensor name to {dtype, shape, data_offsets} (plus an
// optional "__metadata__" of strings), then the raw little-endian data. Weights::open maps the
// file read-only and validates every entry (known dtype, offsets in bounds and matching
// dtype x shape, no overlaps) before anything reads it; all problems are reported at once, one
// per line, each naming the tensor and the file. The tensors are views into the mapping (a
// tensor whose offset is not aligned to its element size is copied instead, so kernels never
// see misaligned data); the mapping lives as long as the Weights or any tensor taken from it.
#ifndef ATTN_WEIGHTS_H_
#define ATTN_WEIGHTS_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "attn/status.h"
#include "attn/tensor.h"

namespace attn {

class Weights {
public:
  // Errors are InvalidInput: a missing or unreadable file, a truncated file, a bad header.
  static StatusOr<Weights> open(const std::string &path);
  // Parses an in-memory safetensors image (copied); `name` stands in for the path in errors.
  static StatusOr<Weights> from_bytes(const std::string &bytes, const std::string &name);

  const std::string &path() const { return path_; }
  // Tensor names, sorted.
  std::vector<std::string> names() const;
  size_t size() const { return tensors_.size(); }
  // The tensor, or nullptr if the file has none of that name.
  const Tensor *get(const std::string &name) const;
  // The header's "__metadata__" (string to string); empty if absent.
  const std::map<std::string, std::string> &metadata() const { return metadata_; }

private:
  static StatusOr<Weights> parse(std::shared_ptr<const void> owner, const uint8_t *data,
                                 size_t size, const std::string &name);

  std::string path_;
  std::map<std::string, Tensor> tensors_;
  std::map<std::string, std::string> metadata_;
};

} // namespace attn

#endif // ATTN_WEIGHTS_H_
