// Fixtures for the runtime's unit tests: scratch files, hand-built .safetensors images,
// small tensors. Tests write their own fixtures so they need neither Python nor stored data.
#ifndef ATTN_TESTS_UNIT_RUNTIME_TEST_UTIL_H_
#define ATTN_TESTS_UNIT_RUNTIME_TEST_UTIL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "attn/tensor.h"

namespace attn {
namespace testing_util {

// A fresh path in a per-process scratch directory.
std::string scratch_path(const std::string &file_name);
void write_file(const std::string &path, const std::string &bytes);

// One tensor of a safetensors image.
struct StEntry {
  std::string name;
  std::string dtype; // "F32", "I64", ...
  std::vector<int64_t> shape;
  std::string data; // raw little-endian bytes
};

// A valid safetensors image of `entries`, laid out in order.
std::string safetensors_bytes(const std::vector<StEntry> &entries,
                              const std::string &metadata_json = "");
// A safetensors image with an arbitrary header text and data section.
std::string safetensors_raw(const std::string &header, const std::string &data);

// Raw bytes of float values.
std::string f32_bytes(const std::vector<float> &values);

Tensor f32_tensor(std::vector<int64_t> shape, const std::vector<float> &values);
// n values start, start + 0.5, start + 1, ...
std::vector<float> iota(size_t n, float start);
Tensor i64_tensor(std::vector<int64_t> shape, const std::vector<int64_t> &values);
std::vector<float> values_of(const Tensor &t);

} // namespace testing_util
} // namespace attn

#endif // ATTN_TESTS_UNIT_RUNTIME_TEST_UTIL_H_
