#include "test_util.h"

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace attn {
namespace testing_util {

std::string scratch_path(const std::string &file_name) {
  static const std::filesystem::path dir = [] {
    std::filesystem::path d =
        std::filesystem::temp_directory_path() / ("attnrt_tests_" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  return (dir / file_name).string();
}

void write_file(const std::string &path, const std::string &bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out)
    throw std::runtime_error("cannot write " + path);
}

std::string safetensors_raw(const std::string &header, const std::string &data) {
  std::string out;
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i)
    out += static_cast<char>((n >> (8 * i)) & 0xff);
  return out + header + data;
}

std::string safetensors_bytes(const std::vector<StEntry> &entries,
                              const std::string &metadata_json) {
  std::string header = "{";
  std::string data;
  if (!metadata_json.empty())
    header += "\"__metadata__\":" + metadata_json;
  for (const StEntry &e : entries) {
    if (header.size() > 1)
      header += ",";
    header += "\"" + e.name + "\":{\"dtype\":\"" + e.dtype + "\",\"shape\":[";
    for (size_t i = 0; i < e.shape.size(); ++i) {
      header += (i ? "," : "") + std::to_string(e.shape[i]);
    }
    header += "],\"data_offsets\":[" + std::to_string(data.size()) + "," +
              std::to_string(data.size() + e.data.size()) + "]}";
    data += e.data;
  }
  header += "}";
  // Writers pad the header with spaces to 8 bytes so tensors start aligned.
  while (header.size() % 8 != 0)
    header += ' ';
  return safetensors_raw(header, data);
}

std::string f32_bytes(const std::vector<float> &values) {
  std::string s(values.size() * sizeof(float), '\0');
  if (!values.empty())
    std::memcpy(&s[0], values.data(), s.size());
  return s;
}

std::vector<float> iota(size_t n, float start) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i)
    v[i] = start + 0.5f * static_cast<float>(i);
  return v;
}

Tensor f32_tensor(std::vector<int64_t> shape, const std::vector<float> &values) {
  Tensor t = Tensor::empty(DType::F32, std::move(shape));
  if (static_cast<size_t>(t.numel()) != values.size())
    throw std::runtime_error("bad fixture");
  if (!values.empty())
    std::memcpy(t.data<float>(), values.data(), t.nbytes());
  return t;
}

Tensor i64_tensor(std::vector<int64_t> shape, const std::vector<int64_t> &values) {
  Tensor t = Tensor::empty(DType::I64, std::move(shape));
  if (static_cast<size_t>(t.numel()) != values.size())
    throw std::runtime_error("bad fixture");
  if (!values.empty())
    std::memcpy(t.data<int64_t>(), values.data(), t.nbytes());
  return t;
}

std::vector<float> values_of(const Tensor &t) {
  const float *p = t.data<float>();
  return std::vector<float>(p, p + t.numel());
}

} // namespace testing_util
} // namespace attn
