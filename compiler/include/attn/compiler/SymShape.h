// Symbolic shapes. A model's dimensions are either static sizes or symbols bound at run time
// (`B`, `Sq`); the compiler checks shapes once for every binding by reasoning over dim
// expressions: a positive integer coefficient times a sorted product of symbols, divided by a
// positive integer (`B*Sq`, `2*S`, `S/4`). Two dims are equal only when their expressions are
// identical, so `Sq` and `Sk` never match. The same text form is used in the manifest
// (docs/internals.md, "Symbolic dimensions").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlir {
class ArrayAttr;
class Attribute;
class MLIRContext;
} // namespace mlir

namespace attn::compiler {

class SymDim {
public:
  SymDim() = default;
  static SymDim constant(int64_t value);
  static SymDim symbol(const std::string &name);
  /// Parses the manifest text form: an integer or a dim expression. Returns nullopt if malformed.
  static std::optional<SymDim> parse(const std::string &text);

  bool is_static() const { return symbols_.empty(); }
  /// The static size; only meaningful when is_static().
  int64_t value() const { return coeff_ / divisor_; }
  const std::vector<std::string> &symbols() const { return symbols_; }

  SymDim operator*(const SymDim &other) const;
  /// Exact division by a static size; nullopt when the result is not a whole dim expression.
  std::optional<SymDim> divide(int64_t divisor) const;
  /// Division by another dim when `other` divides this symbolically (e.g. B*S / S = B).
  std::optional<SymDim> divide(const SymDim &other) const;

  bool operator==(const SymDim &other) const;
  bool operator!=(const SymDim &other) const { return !(*this == other); }
  std::string str() const;

private:
  int64_t coeff_ = 1;
  int64_t divisor_ = 1;
  std::vector<std::string> symbols_; // sorted, with repetition
};

using SymShape = std::vector<SymDim>;

/// "[B, Sq, 40]"
std::string to_string(const SymShape &shape);
/// Attribute form used on ops (`attn.dims`) and function arguments: an ArrayAttr whose
/// entries are IntegerAttr (static) or StringAttr (dim expression).
mlir::ArrayAttr to_attr(mlir::MLIRContext *context, const SymShape &shape);
std::optional<SymShape> from_attr(mlir::Attribute attr);

} // namespace attn::compiler
