#include "attn/npy.h"

#include <gtest/gtest.h>

#include <cstring>

#include "test_util.h"

namespace attn {
namespace {

using testing_util::f32_bytes;
using testing_util::f32_tensor;
using testing_util::scratch_path;
using testing_util::values_of;
using testing_util::write_file;

// A .npy image with the given version and header dict, padded as NumPy pads it.
std::string npy_image(int major, std::string dict, const std::string &data) {
  size_t len_width = major == 1 ? 2 : 4;
  size_t prefix = 8 + len_width;
  while ((prefix + dict.size() + 1) % 64 != 0)
    dict += ' ';
  dict += '\n';
  std::string out = "\x93NUMPY";
  out += static_cast<char>(major);
  out += '\0';
  for (size_t i = 0; i < len_width; ++i)
    out += static_cast<char>((dict.size() >> (8 * i)) & 0xff);
  return out + dict + data;
}

Status read_error(const std::string &bytes, const std::string &file_name) {
  std::string path = scratch_path(file_name);
  write_file(path, bytes);
  StatusOr<Tensor> t = read_npy(path);
  EXPECT_FALSE(t.ok());
  if (t.ok())
    return Status();
  EXPECT_EQ(t.status().code(), StatusCode::InvalidInput);
  // Every error names the file.
  EXPECT_EQ(t.status().message().rfind(path, 0), 0u) << t.status().message();
  return t.status();
}

bool mentions(const Status &s, const std::string &text) {
  return s.message().find(text) != std::string::npos;
}

TEST(Npy, WritesNumpysExactHeader) {
  std::string bytes = serialize_npy(f32_tensor({2, 3}, {1, 2, 3, 4, 5, 6}));
  // Byte for byte what np.save writes: the data starts 64-byte aligned.
  ASSERT_EQ(bytes.size(), 128u + 24u);
  EXPECT_EQ(bytes.substr(0, 10), std::string("\x93NUMPY\x01\x00\x76\x00", 10));
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  EXPECT_EQ(bytes.substr(10, 118), dict + std::string(118 - dict.size() - 1, ' ') + "\n");
  EXPECT_NE(serialize_npy(Tensor::empty(DType::I64, {5})).find("'shape': (5,), }"),
            std::string::npos);
}

TEST(Npy, RoundTripsEveryDtypeAndShape) {
  struct Case {
    DType dtype;
    std::vector<int64_t> shape;
  };
  for (const Case &c : std::vector<Case>{{DType::F32, {2, 3, 4}},
                                         {DType::F16, {7}},
                                         {DType::I64, {3, 1}},
                                         {DType::I32, {}},
                                         {DType::Bool, {2, 2}},
                                         {DType::F32, {0, 5}}}) {
    Tensor t = Tensor::empty(c.dtype, c.shape);
    auto *bytes = static_cast<uint8_t *>(t.raw_data());
    for (size_t i = 0; i < t.nbytes(); ++i)
      bytes[i] = c.dtype == DType::Bool ? i % 2 : i * 7 + 1;
    std::string path = scratch_path(std::string("round_trip_") + dtype_name(c.dtype) + ".npy");
    ASSERT_TRUE(write_npy(path, t).ok());
    StatusOr<Tensor> back = read_npy(path);
    ASSERT_TRUE(back.ok()) << back.status().to_string();
    EXPECT_EQ(back->dtype(), c.dtype);
    EXPECT_EQ(back->shape(), c.shape);
    ASSERT_EQ(back->nbytes(), t.nbytes());
    EXPECT_EQ(std::memcmp(back->raw_data(), t.raw_data(), t.nbytes()), 0);
  }
}

TEST(Npy, ReadsVersions2And3AndPython2Longs) {
  std::string data = f32_bytes({1.5f, -2.0f});
  for (int major : {2, 3}) {
    StatusOr<Tensor> t = parse_npy(
        npy_image(major, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", data), "x");
    ASSERT_TRUE(t.ok()) << t.status().to_string();
    EXPECT_EQ(values_of(*t), (std::vector<float>{1.5f, -2.0f}));
  }
  StatusOr<Tensor> t = parse_npy(
      npy_image(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1L, 2L), }", data), "x");
  ASSERT_TRUE(t.ok()) << t.status().to_string();
  EXPECT_EQ(t->shape(), (std::vector<int64_t>{1, 2}));
}

TEST(Npy, ReadsUint8AsBool) {
  StatusOr<Tensor> t =
      parse_npy(npy_image(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }",
                          std::string("\x00\x05\x01", 3)),
                "mask.npy");
  ASSERT_TRUE(t.ok()) << t.status().to_string();
  EXPECT_EQ(t->dtype(), DType::Bool);
  EXPECT_EQ(t->data<uint8_t>()[0], 0);
  EXPECT_EQ(t->data<uint8_t>()[1], 1);
  EXPECT_EQ(t->data<uint8_t>()[2], 1);
}

TEST(Npy, MissingFile) {
  StatusOr<Tensor> t = read_npy(scratch_path("does_not_exist.npy"));
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::InvalidInput);
  EXPECT_TRUE(mentions(t.status(), "does_not_exist.npy: cannot open file"));
}

TEST(Npy, BadMagic) {
  Status s = read_error("PK\x03\x04 this is a zip, not an array", "bad_magic.npy");
  EXPECT_TRUE(mentions(s, "bad magic")) << s.message();
  EXPECT_TRUE(mentions(read_error("", "empty.npy"), "bad magic"));
}

TEST(Npy, UnsupportedVersion) {
  std::string image =
      npy_image(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }", f32_bytes({1}));
  image[6] = 9;
  EXPECT_TRUE(mentions(read_error(image, "version.npy"), "unsupported .npy format version 9.0"));
}

TEST(Npy, TruncatedData) {
  std::string image = npy_image(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
                                f32_bytes({1, 2, 3, 4, 5, 6}));
  Status s = read_error(image.substr(0, image.size() - 5), "truncated.npy");
  EXPECT_TRUE(mentions(s, "truncated data: shape [2, 3] of <f4 needs 24 bytes, the file has 19"))
      << s.message();
}

TEST(Npy, TruncatedHeader) {
  std::string image =
      npy_image(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", f32_bytes({1, 2}));
  EXPECT_TRUE(
      mentions(read_error(image.substr(0, 30), "short_header.npy"), "truncated .npy header"));
  EXPECT_TRUE(mentions(read_error(image.substr(0, 9), "tiny.npy"), "truncated .npy header"));
}

TEST(Npy, TrailingBytes) {
  std::string image =
      npy_image(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", f32_bytes({1, 2}));
  EXPECT_TRUE(mentions(read_error(image, "trailing.npy"), "4 unexpected bytes after the data"));
}

TEST(Npy, UnsupportedDtypes) {
  for (const char *descr : {"<f8", ">f4", "<u2", "<c8"}) {
    Status s = read_error(npy_image(1,
                                    std::string("{'descr': '") + descr +
                                        "', 'fortran_order': False, 'shape': (1,), }",
                                    std::string(16, '\0')),
                          "dtype.npy");
    EXPECT_TRUE(mentions(s, std::string("unsupported dtype '") + descr + "'")) << s.message();
  }
  Status s = read_error(npy_image(1,
                                  "{'descr': [('a', '<f4')], 'fortran_order': False, "
                                  "'shape': (1,), }",
                                  f32_bytes({1})),
                        "structured.npy");
  EXPECT_TRUE(mentions(s, "structured dtypes are not supported")) << s.message();
}

TEST(Npy, FortranOrderIsRejected) {
  Status s = read_error(npy_image(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }",
                                  f32_bytes({1, 2, 3, 4})),
                        "fortran.npy");
  EXPECT_TRUE(mentions(s, "Fortran-order arrays are not supported")) << s.message();
}

TEST(Npy, MalformedHeader) {
  EXPECT_TRUE(mentions(
      read_error(npy_image(1, "{'descr': '<f4', 'shape': (1,), }", f32_bytes({1})), "no_order.npy"),
      "it needs 'descr', 'fortran_order' and 'shape'"));
  EXPECT_TRUE(mentions(
      read_error(npy_image(1, "{'descr': '<f4', 'shape': (1, ", f32_bytes({1})), "garbled.npy"),
      "malformed .npy header"));
}

TEST(Npy, WriteErrors) {
  Status s = write_npy(scratch_path("no_such_dir/x.npy"), Tensor::empty(DType::F32, {1}));
  EXPECT_EQ(s.code(), StatusCode::InvalidInput);
  EXPECT_TRUE(mentions(s, "no_such_dir/x.npy: cannot create file"));
  EXPECT_TRUE(mentions(write_npy(scratch_path("bf16.npy"), Tensor::empty(DType::BF16, {1})),
                       "NumPy has no bfloat16"));
}

TEST(Npy, Bf16CrossesAsF32) {
  Tensor t = Tensor::empty(DType::BF16, {2});
  t.data<uint16_t>()[0] = f32_to_bf16(1.5f);
  t.data<uint16_t>()[1] = f32_to_bf16(-3.0e38f);
  std::string path = scratch_path("bf16_as_f32.npy");
  ASSERT_TRUE(write_npy_widening_bf16(path, t).ok());
  StatusOr<Tensor> plain = read_npy(path);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->dtype(), DType::F32);
  EXPECT_EQ(plain->data<float>()[0], 1.5f);
  StatusOr<Tensor> back = read_npy_for(path, DType::BF16);
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->dtype(), DType::BF16);
  EXPECT_EQ(back->data<uint16_t>()[0], t.data<uint16_t>()[0]);
  EXPECT_EQ(back->data<uint16_t>()[1], t.data<uint16_t>()[1]);

  // An f32 value bf16 cannot hold is rounded to nearest even; other dtypes are left alone.
  Tensor f = Tensor::empty(DType::F32, {1});
  f.data<float>()[0] = 1.0f + 3.0f / 256.0f;
  std::string f32_path = scratch_path("f32_for_bf16.npy");
  ASSERT_TRUE(write_npy(f32_path, f).ok());
  StatusOr<Tensor> rounded = read_npy_for(f32_path, DType::BF16);
  ASSERT_TRUE(rounded.ok());
  EXPECT_EQ(bf16_to_f32(rounded->data<uint16_t>()[0]), 1.0f + 4.0f / 256.0f);
  StatusOr<Tensor> as_read = read_npy_for(f32_path, DType::F16);
  ASSERT_TRUE(as_read.ok());
  EXPECT_EQ(as_read->dtype(), DType::F32);
  EXPECT_FALSE(read_npy_for(scratch_path("no_such.npy"), DType::BF16).ok());
}

} // namespace
} // namespace attn
