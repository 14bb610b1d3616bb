// Dense row-major tensors: the values a model reads and returns.
//
// A Tensor is a dtype, a shape and a pointer to contiguous row-major data (the last axis is
// contiguous; see docs/internals.md "Tensors and layout"). The data is either owned (a 64-byte
// aligned allocation, so kernels get vector-aligned rows) or a view into memory someone else
// owns, e.g. a memory-mapped weights file; a view holds a shared_ptr to its owner so the memory
// outlives every tensor that points into it. Copying a Tensor is cheap and shares the data (as
// a torch.Tensor does); clone() makes an independent owned copy.
#ifndef ATTN_TENSOR_H_
#define ATTN_TENSOR_H_

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace attn {

enum class DType { F32, F16, BF16, I64, I32, Bool };

// The manifest name: "f32", "f16", "bf16", "i64", "i32", "bool".
const char *dtype_name(DType dtype);
// Bytes per element: 4, 2, 2, 8, 4, 1.
size_t dtype_size(DType dtype);
// Parses a manifest name; nullopt for anything else.
std::optional<DType> parse_dtype(const std::string &name);

// "[2, 3, 4]"; "[]" for a scalar.
std::string shape_to_string(const std::vector<int64_t> &shape);
// Product of the dims, or nullopt if a dim is negative or the product overflows int64.
std::optional<int64_t> checked_numel(const std::vector<int64_t> &shape);

class Tensor {
public:
  // An empty f32 tensor of shape [0] with no data.
  Tensor();

  // An owned, zero-filled tensor. Dims must be non-negative.
  static Tensor empty(DType dtype, std::vector<int64_t> shape);
  // A non-owning view of `data`; `owner` is kept alive as long as any copy of the tensor.
  static Tensor view(DType dtype, std::vector<int64_t> shape, const void *data,
                     std::shared_ptr<const void> owner);

  DType dtype() const { return dtype_; }
  const std::vector<int64_t> &shape() const { return shape_; }
  int rank() const { return static_cast<int>(shape_.size()); }
  int64_t dim(int axis) const { return shape_[axis]; }
  int64_t numel() const { return numel_; }
  size_t nbytes() const { return static_cast<size_t>(numel_) * dtype_size(dtype_); }
  bool is_view() const { return is_view_; }

  // Typed access; T must have the dtype's element size (uint16_t for f16/bf16, uint8_t for
  // bool). Writing through a view of a read-only mapping is not allowed.
  template <typename T> T *data() {
    assert(sizeof(T) == dtype_size(dtype_));
    return static_cast<T *>(data_);
  }
  template <typename T> const T *data() const {
    assert(sizeof(T) == dtype_size(dtype_));
    return static_cast<const T *>(data_);
  }
  void *raw_data() { return data_; }
  const void *raw_data() const { return data_; }

  // An owned deep copy.
  Tensor clone() const;
  // "f32[2, 3]".
  std::string type_string() const;

private:
  DType dtype_ = DType::F32;
  std::vector<int64_t> shape_;
  int64_t numel_ = 0;
  bool is_view_ = false;
  void *data_ = nullptr;
  std::shared_ptr<const void> storage_;
};

// The 16-bit floats: IEEE binary16 (f16) and bfloat16 (bf16) bit patterns. Narrowing rounds to
// nearest even (overflow gives infinity, NaN stays NaN); widening is exact.
uint16_t f32_to_f16(float value);
float f16_to_f32(uint16_t bits);
uint16_t f32_to_bf16(float value);
float bf16_to_f32(uint16_t bits);

// An owned copy of a float tensor (f32, f16 or bf16) in another float dtype, rounded as above;
// the tensor itself when the dtype is the same; nullopt when either dtype is not a float.
std::optional<Tensor> convert_float(const Tensor &tensor, DType dtype);

} // namespace attn

#endif // ATTN_TENSOR_H_
