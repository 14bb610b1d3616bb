#include "attn/tensor.h"

#include <gtest/gtest.h>

#include <cstdint>

#include "attn/status.h"

namespace attn {
namespace {

TEST(DType, NamesSizesAndParsingAgree) {
  for (DType d : {DType::F32, DType::F16, DType::BF16, DType::I64, DType::I32, DType::Bool}) {
    std::optional<DType> parsed = parse_dtype(dtype_name(d));
    ASSERT_TRUE(parsed.has_value()) << dtype_name(d);
    EXPECT_EQ(*parsed, d);
  }
  EXPECT_EQ(dtype_size(DType::F32), 4u);
  EXPECT_EQ(dtype_size(DType::BF16), 2u);
  EXPECT_EQ(dtype_size(DType::I64), 8u);
  EXPECT_EQ(dtype_size(DType::Bool), 1u);
  EXPECT_FALSE(parse_dtype("f64").has_value());
  EXPECT_FALSE(parse_dtype("F32").has_value());
}

TEST(Tensor, EmptyIsZeroedAlignedAndSized) {
  Tensor t = Tensor::empty(DType::F32, {2, 3, 5});
  EXPECT_EQ(t.numel(), 30);
  EXPECT_EQ(t.nbytes(), 120u);
  EXPECT_EQ(t.rank(), 3);
  EXPECT_FALSE(t.is_view());
  EXPECT_EQ(reinterpret_cast<uintptr_t>(t.raw_data()) % 64, 0u);
  for (int64_t i = 0; i < t.numel(); ++i)
    EXPECT_EQ(t.data<float>()[i], 0.0f);
  EXPECT_EQ(t.type_string(), "f32[2, 3, 5]");
}

TEST(Tensor, ScalarAndZeroSized) {
  Tensor s = Tensor::empty(DType::I64, {});
  EXPECT_EQ(s.numel(), 1);
  EXPECT_EQ(s.nbytes(), 8u);
  Tensor z = Tensor::empty(DType::F32, {3, 0});
  EXPECT_EQ(z.numel(), 0);
  EXPECT_NE(z.raw_data(), nullptr);
}

TEST(Tensor, CopiesShareAndCloneDoesNot) {
  Tensor a = Tensor::empty(DType::I32, {4});
  Tensor b = a;
  Tensor c = a.clone();
  a.data<int32_t>()[1] = 7;
  EXPECT_EQ(b.data<int32_t>()[1], 7);
  EXPECT_EQ(c.data<int32_t>()[1], 0);
}

TEST(Tensor, ViewKeepsOwnerAlive) {
  auto owner = std::make_shared<std::vector<float>>(std::vector<float>{1, 2, 3, 4});
  std::weak_ptr<std::vector<float>> watch = owner;
  Tensor v = Tensor::view(DType::F32, {2, 2}, owner->data(), owner);
  owner.reset();
  EXPECT_FALSE(watch.expired());
  EXPECT_TRUE(v.is_view());
  EXPECT_EQ(v.data<float>()[3], 4.0f);
  v = Tensor();
  EXPECT_TRUE(watch.expired());
}

TEST(Tensor, CheckedNumelRejectsOverflowAndNegatives) {
  EXPECT_EQ(checked_numel({}), 1);
  EXPECT_FALSE(checked_numel({-1, 2}).has_value());
  EXPECT_FALSE(checked_numel({int64_t(1) << 40, int64_t(1) << 40}).has_value());
  EXPECT_EQ(shape_to_string({2, 3}), "[2, 3]");
}

TEST(Status, CodesMessagesAndExitCodes) {
  EXPECT_TRUE(Status().ok());
  EXPECT_EQ(Status().exit_code(), 0);
  Status bad = Status::invalid_input("x.npy: truncated");
  EXPECT_EQ(bad.code(), StatusCode::InvalidInput);
  EXPECT_EQ(bad.exit_code(), 1);
  EXPECT_EQ(bad.to_string(), "invalid input: x.npy: truncated");
  EXPECT_EQ(Status::internal("bug").exit_code(), 2);
  EXPECT_EQ(Status::device("no GPU").exit_code(), 1);

  StatusOr<int> v = 3;
  EXPECT_TRUE(v.ok());
  EXPECT_EQ(*v, 3);
  StatusOr<int> e = Status::device("no GPU");
  EXPECT_EQ(e.status().code(), StatusCode::Device);
  StatusOr<int> lie = Status();
  EXPECT_EQ(lie.status().code(), StatusCode::Internal);
}

} // namespace
} // namespace attn
