// The 16-bit float conversions of runtime/src/half.cpp: bit patterns at the edges (ties,
// subnormals, overflow, NaN) and exact round trips over every encoding.
#include "attn/tensor.h"

#include <cmath>
#include <gtest/gtest.h>
#include <limits>

namespace attn {
namespace {

TEST(Half, F16RoundsToNearestEven) {
  EXPECT_EQ(f32_to_f16(1.0f), 0x3c00);
  EXPECT_EQ(f32_to_f16(-2.0f), 0xc000);
  EXPECT_EQ(f32_to_f16(-0.0f), 0x8000);
  EXPECT_EQ(f32_to_f16(0.1f), 0x2e66);
  // Halfway between 1 and 1 + 2^-10 goes to the even mantissa (1); above halfway goes up.
  EXPECT_EQ(f32_to_f16(1.0f + std::ldexp(1.0f, -11)), 0x3c00);
  EXPECT_EQ(f32_to_f16(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3c02);
  EXPECT_EQ(f32_to_f16(1.0f + std::ldexp(1.0f, -11) + std::ldexp(1.0f, -20)), 0x3c01);
  // The largest finite value, and the first value that rounds to infinity.
  EXPECT_EQ(f32_to_f16(65504.0f), 0x7bff);
  EXPECT_EQ(f32_to_f16(65519.0f), 0x7bff);
  EXPECT_EQ(f32_to_f16(65520.0f), 0x7c00);
  EXPECT_EQ(f32_to_f16(-1e10f), 0xfc00);
  EXPECT_EQ(f32_to_f16(-std::numeric_limits<float>::infinity()), 0xfc00);
  uint16_t nan = f32_to_f16(std::numeric_limits<float>::quiet_NaN());
  EXPECT_EQ(nan & 0x7c00, 0x7c00);
  EXPECT_NE(nan & 0x03ff, 0);
}

TEST(Half, F16Subnormals) {
  EXPECT_EQ(f32_to_f16(std::ldexp(1.0f, -24)), 0x0001);    // the smallest subnormal
  EXPECT_EQ(f32_to_f16(std::ldexp(1.0f, -25)), 0x0000);    // half of it: a tie, to even (0)
  EXPECT_EQ(f32_to_f16(std::ldexp(1.5f, -24)), 0x0002);    // a tie between 1 and 2 steps
  EXPECT_EQ(f32_to_f16(std::ldexp(1.0f, -14)), 0x0400);    // the smallest normal
  EXPECT_EQ(f32_to_f16(std::ldexp(1023.5f, -24)), 0x0400); // rounds up into the normals
  EXPECT_EQ(f32_to_f16(-std::ldexp(3.0f, -24)), 0x8003);
  EXPECT_EQ(f16_to_f32(0x0001), std::ldexp(1.0f, -24));
  EXPECT_EQ(f16_to_f32(0x83ff), -std::ldexp(1023.0f, -24));
}

TEST(Half, EveryF16AndBf16RoundTrips) {
  for (uint32_t bits = 0; bits <= 0xffff; ++bits) {
    auto h = static_cast<uint16_t>(bits);
    float f = f16_to_f32(h);
    if (std::isnan(f))
      EXPECT_TRUE(std::isnan(f16_to_f32(f32_to_f16(f)))) << bits;
    else
      EXPECT_EQ(f32_to_f16(f), h) << bits;
    float b = bf16_to_f32(h);
    if (std::isnan(b))
      EXPECT_TRUE(std::isnan(bf16_to_f32(f32_to_bf16(b)))) << bits;
    else
      EXPECT_EQ(f32_to_bf16(b), h) << bits;
  }
}

TEST(Half, Bf16RoundsToNearestEven) {
  EXPECT_EQ(f32_to_bf16(1.0f), 0x3f80);
  EXPECT_EQ(f32_to_bf16(1.0f + std::ldexp(1.0f, -8)), 0x3f80);     // a tie, to even
  EXPECT_EQ(f32_to_bf16(1.0f + 3 * std::ldexp(1.0f, -8)), 0x3f82); // a tie, to even (up)
  EXPECT_EQ(f32_to_bf16(std::numeric_limits<float>::max()), 0x7f80);
  EXPECT_EQ(f32_to_bf16(-std::numeric_limits<float>::infinity()), 0xff80);
  EXPECT_TRUE(std::isnan(bf16_to_f32(f32_to_bf16(std::numeric_limits<float>::quiet_NaN()))));
  EXPECT_EQ(bf16_to_f32(0x3f80), 1.0f);
}

TEST(Half, ConvertFloatTensors) {
  Tensor t = Tensor::empty(DType::F32, {3});
  t.data<float>()[0] = 0.1f;
  t.data<float>()[1] = -65520.0f;
  t.data<float>()[2] = 3.0f;
  auto h = convert_float(t, DType::F16);
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->dtype(), DType::F16);
  EXPECT_EQ(h->shape(), t.shape());
  EXPECT_EQ(h->data<uint16_t>()[0], 0x2e66);
  EXPECT_EQ(h->data<uint16_t>()[1], 0xfc00);
  auto b = convert_float(*h, DType::BF16); // through f32: 3 is exact in both
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(bf16_to_f32(b->data<uint16_t>()[2]), 3.0f);
  auto back = convert_float(*b, DType::F32);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->data<float>()[2], 3.0f);
  EXPECT_TRUE(std::isinf(back->data<float>()[1]));
  EXPECT_FALSE(convert_float(Tensor::empty(DType::I64, {2}), DType::F32).has_value());
  EXPECT_FALSE(convert_float(t, DType::Bool).has_value());
}

} // namespace
} // namespace attn
