// The 16-bit float encodings (IEEE binary16 and bfloat16) and conversions of whole tensors.
#include "attn/tensor.h"

#include <cmath>
#include <cstring>

namespace attn {

namespace {

uint32_t bits_of(float f) {
  uint32_t x;
  std::memcpy(&x, &f, sizeof x);
  return x;
}

float float_of(uint32_t x) {
  float f;
  std::memcpy(&f, &x, sizeof f);
  return f;
}

float to_float(DType dtype, const void *data, int64_t k) {
  switch (dtype) {
  case DType::F16:
    return f16_to_f32(static_cast<const uint16_t *>(data)[k]);
  case DType::BF16:
    return bf16_to_f32(static_cast<const uint16_t *>(data)[k]);
  default:
    return static_cast<const float *>(data)[k];
  }
}

bool is_float(DType dtype) {
  return dtype == DType::F32 || dtype == DType::F16 || dtype == DType::BF16;
}

} // namespace

uint16_t f32_to_f16(float value) {
  const uint32_t x = bits_of(value);
  const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000);
  const uint32_t magnitude = x & 0x7fffffff;
  if (magnitude > 0x7f800000) // NaN stays NaN (quiet), with the top bits of its payload
    return static_cast<uint16_t>(sign | 0x7e00 | ((magnitude >> 13) & 0x1ff));
  if (magnitude >= 0x477ff000) // 65520 and above round to infinity
    return static_cast<uint16_t>(sign | 0x7c00);
  if (magnitude < 0x38800000) { // below 2^-14: a subnormal in steps of 2^-24 (or zero)
    // Scaling by 2^24 is exact, and nearbyint rounds to nearest even; 1024 steps encode the
    // smallest normal, so a carry is right as it is.
    float steps = std::nearbyint(float_of(magnitude) * 16777216.0f);
    return static_cast<uint16_t>(sign | static_cast<uint16_t>(steps));
  }
  uint32_t h = ((((magnitude >> 23) - 127 + 15) << 10) | ((magnitude >> 13) & 0x3ff));
  const uint32_t rest = magnitude & 0x1fff;
  if (rest > 0x1000 || (rest == 0x1000 && (h & 1)))
    ++h; // a carry out of the mantissa steps the exponent, as it should
  return static_cast<uint16_t>(sign | h);
}

float f16_to_f32(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
  const uint32_t exponent = (h >> 10) & 0x1f;
  const uint32_t mantissa = h & 0x3ff;
  if (exponent == 0) { // zero or subnormal: mantissa * 2^-24, exact in f32
    float magnitude = static_cast<float>(mantissa) * (1.0f / 16777216.0f);
    return sign ? -magnitude : magnitude;
  }
  if (exponent == 31)
    return float_of(sign | 0x7f800000 | (mantissa << 13));
  return float_of(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
}

uint16_t f32_to_bf16(float value) {
  const uint32_t x = bits_of(value);
  if ((x & 0x7fffffff) > 0x7f800000)
    return static_cast<uint16_t>((x >> 16) | 0x40); // quiet NaN
  return static_cast<uint16_t>((x + 0x7fff + ((x >> 16) & 1)) >> 16);
}

float bf16_to_f32(uint16_t b) { return float_of(static_cast<uint32_t>(b) << 16); }

std::optional<Tensor> convert_float(const Tensor &tensor, DType dtype) {
  if (!is_float(tensor.dtype()) || !is_float(dtype))
    return std::nullopt;
  if (tensor.dtype() == dtype)
    return tensor;
  Tensor out = Tensor::empty(dtype, tensor.shape());
  const void *in = tensor.raw_data();
  for (int64_t k = 0; k < tensor.numel(); ++k) {
    float v = to_float(tensor.dtype(), in, k);
    switch (dtype) {
    case DType::F16:
      out.data<uint16_t>()[k] = f32_to_f16(v);
      break;
    case DType::BF16:
      out.data<uint16_t>()[k] = f32_to_bf16(v);
      break;
    default:
      out.data<float>()[k] = v;
      break;
    }
  }
  return out;
}

} // namespace attn
