#include "attn/tensor.h"

#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>

namespace attn {

namespace {

// 64 bytes: a cache line and an AVX-512 vector, so kernels may assume aligned rows.
constexpr size_t kAlignment = 64;

struct DTypeInfo {
  DType dtype;
  const char *name;
  size_t size;
};

constexpr DTypeInfo kDTypes[] = {
    {DType::F32, "f32", 4}, {DType::F16, "f16", 2}, {DType::BF16, "bf16", 2},
    {DType::I64, "i64", 8}, {DType::I32, "i32", 4}, {DType::Bool, "bool", 1},
};

const DTypeInfo &info(DType dtype) {
  for (const DTypeInfo &i : kDTypes) {
    if (i.dtype == dtype)
      return i;
  }
  return kDTypes[0];
}

std::shared_ptr<void> allocate_aligned(size_t nbytes) {
  // aligned_alloc wants a size that is a multiple of the alignment; never ask for 0 bytes so
  // an empty tensor still has a valid, distinct pointer.
  size_t rounded = (nbytes + kAlignment - 1) / kAlignment * kAlignment;
  if (rounded == 0)
    rounded = kAlignment;
  void *p = std::aligned_alloc(kAlignment, rounded);
  if (p == nullptr)
    throw std::bad_alloc();
  std::memset(p, 0, rounded);
  return std::shared_ptr<void>(p, std::free);
}

} // namespace

const char *dtype_name(DType dtype) { return info(dtype).name; }

size_t dtype_size(DType dtype) { return info(dtype).size; }

std::optional<DType> parse_dtype(const std::string &name) {
  for (const DTypeInfo &i : kDTypes) {
    if (name == i.name)
      return i.dtype;
  }
  return std::nullopt;
}

std::string shape_to_string(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

std::optional<int64_t> checked_numel(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0)
      return std::nullopt;
    if (d != 0 && n > std::numeric_limits<int64_t>::max() / d)
      return std::nullopt;
    n *= d;
  }
  return n;
}

Tensor::Tensor() : shape_{0} {}

Tensor Tensor::empty(DType dtype, std::vector<int64_t> shape) {
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  std::optional<int64_t> n = checked_numel(t.shape_);
  assert(n.has_value());
  t.numel_ = n.value_or(0);
  std::shared_ptr<void> storage = allocate_aligned(t.nbytes());
  t.data_ = storage.get();
  t.storage_ = std::move(storage);
  return t;
}

Tensor Tensor::view(DType dtype, std::vector<int64_t> shape, const void *data,
                    std::shared_ptr<const void> owner) {
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  t.numel_ = checked_numel(t.shape_).value_or(0);
  t.is_view_ = true;
  // The const is restored by the accessors' contract: views of read-only memory are read only.
  t.data_ = const_cast<void *>(data);
  t.storage_ = std::move(owner);
  return t;
}

Tensor Tensor::clone() const {
  Tensor t = empty(dtype_, shape_);
  if (nbytes() != 0)
    std::memcpy(t.data_, data_, nbytes());
  return t;
}

std::string Tensor::type_string() const {
  return std::string(dtype_name(dtype_)) + shape_to_string(shape_);
}

} // namespace attn
