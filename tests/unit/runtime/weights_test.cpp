#include "attn/weights.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace attn {
namespace {

using testing_util::f32_bytes;
using testing_util::safetensors_bytes;
using testing_util::safetensors_raw;
using testing_util::scratch_path;
using testing_util::StEntry;
using testing_util::values_of;
using testing_util::write_file;

bool mentions(const Status &s, const std::string &text) {
  return s.message().find(text) != std::string::npos;
}

std::string i64_bytes(const std::vector<int64_t> &v) {
  return std::string(reinterpret_cast<const char *>(v.data()), v.size() * sizeof(int64_t));
}

// Opens `bytes` written to a file; expects failure and returns the status.
Status open_error(const std::string &bytes, const std::string &file_name) {
  std::string path = scratch_path(file_name);
  write_file(path, bytes);
  StatusOr<Weights> w = Weights::open(path);
  EXPECT_FALSE(w.ok());
  if (w.ok())
    return Status();
  EXPECT_EQ(w.status().code(), StatusCode::InvalidInput);
  EXPECT_EQ(w.status().message().rfind(path, 0), 0u) << "error does not name the file";
  return w.status();
}

TEST(Weights, OpensAValidFileAsViewsIntoTheMapping) {
  std::string path = scratch_path("valid.safetensors");
  write_file(path,
             safetensors_bytes({{"layer.weight", "F32", {2, 3}, f32_bytes({1, 2, 3, 4, 5, 6})},
                                {"layer.bias", "F32", {3}, f32_bytes({7, 8, 9})},
                                {"positions", "I64", {2}, i64_bytes({10, 11})},
                                {"empty", "F32", {0}, ""}},
                               R"({"format": "pt"})"));
  StatusOr<Weights> w = Weights::open(path);
  ASSERT_TRUE(w.ok()) << w.status().to_string();
  EXPECT_EQ(w->path(), path);
  EXPECT_EQ(w->names(),
            (std::vector<std::string>{"empty", "layer.bias", "layer.weight", "positions"}));
  const Tensor *weight = w->get("layer.weight");
  ASSERT_NE(weight, nullptr);
  EXPECT_TRUE(weight->is_view());
  EXPECT_EQ(weight->type_string(), "f32[2, 3]");
  EXPECT_EQ(values_of(*weight), (std::vector<float>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(values_of(*w->get("layer.bias")), (std::vector<float>{7, 8, 9}));
  EXPECT_EQ(w->get("positions")->data<int64_t>()[1], 11);
  EXPECT_EQ(w->get("empty")->numel(), 0);
  EXPECT_EQ(w->get("nope"), nullptr);
  EXPECT_EQ(w->metadata().at("format"), "pt");

  // A tensor taken out keeps the mapping alive after the Weights are gone.
  Tensor kept = *weight;
  w = Status::internal("dropped");
  EXPECT_EQ(values_of(kept)[5], 6.0f);
}

TEST(Weights, MisalignedTensorsAreCopied) {
  // An unpadded header puts the data at an odd offset; the tensor must still be readable.
  std::string header = R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  ASSERT_NE((8 + header.size()) % 4, 0u);
  StatusOr<Weights> w = Weights::from_bytes(safetensors_raw(header, f32_bytes({1.5f, 2.5f})), "m");
  ASSERT_TRUE(w.ok()) << w.status().to_string();
  EXPECT_FALSE(w->get("x")->is_view());
  EXPECT_EQ(values_of(*w->get("x")), (std::vector<float>{1.5f, 2.5f}));
}

TEST(Weights, MissingFile) {
  StatusOr<Weights> w = Weights::open(scratch_path("absent.safetensors"));
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), StatusCode::InvalidInput);
  EXPECT_TRUE(mentions(w.status(), "absent.safetensors: cannot open weights"));
}

TEST(Weights, Truncated) {
  EXPECT_TRUE(mentions(open_error("abc", "tiny.safetensors"), "truncated safetensors file"));
  std::string good = safetensors_bytes({{"a", "F32", {4}, f32_bytes({1, 2, 3, 4})}});
  // Cut inside the header, then inside the data.
  EXPECT_TRUE(mentions(open_error(good.substr(0, 20), "cut_header.safetensors"),
                       "truncated safetensors file: the header claims"));
  Status s = open_error(good.substr(0, good.size() - 4), "cut_data.safetensors");
  EXPECT_TRUE(mentions(s, "tensor 'a': data_offsets [0, 16] are out of range (the data section "
                          "has 12 bytes)"))
      << s.message();
}

TEST(Weights, BadHeaderJson) {
  EXPECT_TRUE(mentions(open_error(safetensors_raw("{\"a\": [1, 2", ""), "json.safetensors"),
                       "safetensors header is not a valid JSON object"));
  EXPECT_TRUE(mentions(open_error(safetensors_raw("[1, 2]", ""), "array.safetensors"),
                       "not a valid JSON object"));
  Status s = open_error(safetensors_raw(R"({"a":{"dtype":"F32","shape":[1]}})", ""),
                        "no_offsets.safetensors");
  EXPECT_TRUE(mentions(s, "tensor 'a': \"data_offsets\" is not a pair")) << s.message();
  s = open_error(safetensors_raw(R"({"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}})",
                                 std::string(8, '\0')),
                 "f64.safetensors");
  EXPECT_TRUE(mentions(s, "tensor 'a': unsupported dtype F64")) << s.message();
  s = open_error(safetensors_raw(R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})",
                                 std::string(4, '\0')),
                 "negative.safetensors");
  EXPECT_TRUE(mentions(s, "tensor 'a': shape [-1] is not a list of non-negative integers"));
}

TEST(Weights, OutOfRangeAndInconsistentOffsets) {
  std::string data(16, '\0');
  Status s =
      open_error(safetensors_raw(R"({"big":{"dtype":"F32","shape":[8],"data_offsets":[0,32]},)"
                                 R"("backwards":{"dtype":"F32","shape":[0],"data_offsets":[8,4]},)"
                                 R"("size":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})",
                                 data),
                 "offsets.safetensors");
  // All problems at once, one per line, each naming its tensor.
  EXPECT_TRUE(mentions(s, "\n  tensor 'big': data_offsets [0, 32] are out of range"))
      << s.message();
  EXPECT_TRUE(mentions(s, "\n  tensor 'backwards': data_offsets [8, 4] are out of range"));
  EXPECT_TRUE(mentions(s, "\n  tensor 'size': f32[3] needs 12 bytes but data_offsets span 8"));

  s = open_error(safetensors_raw(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                 R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                                 data),
                 "overlap.safetensors");
  EXPECT_TRUE(mentions(s, "tensor 'b' overlaps tensor 'a'")) << s.message();
}

} // namespace
} // namespace attn
