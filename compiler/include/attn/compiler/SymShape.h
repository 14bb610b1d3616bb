// Symbolic shapes. A model's dimensions are either static sizes or symbols bound at run time
// (`B`, `Sq`); the compiler checks shapes once for every binding by reasoning over dim
// expressions: sums of terms, each a non-zero integer coefficient times a sorted product of
// symbols, divided by a positive integer (`B*Sq`, `2*S`, `S/4`, `T+1`, `S-1`). Sums come from
// concatenation and slicing along symbolic axes. A strided convolution or pooling divides with
// rounding down, which a quotient of sums cannot say exactly: `floor((H+1)/2)` is a factor of its
// own (a *floor*), kept in a canonical form so that equal sizes print alike. Two dims are equal
// only when their canonical expressions are identical, so `Sq` and `Sk` never match. The same
// text form is used in the manifest (docs/internals.md, "Symbolic dimensions").
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
  /// Parses the manifest text form: an integer or a dim expression. Returns nullopt if malformed
  /// or if a symbolic term has a negative coefficient (`3-B`).
  static std::optional<SymDim> parse(const std::string &text);

  bool is_static() const;
  /// The static size; only meaningful when is_static().
  int64_t value() const;
  /// Every symbol mentioned, sorted, with repetition.
  std::vector<std::string> symbols() const;
  /// Whether the expression can stand for a size: its symbolic terms have positive coefficients
  /// and a static value is not negative. (`S-1` can; `1-S` and `-2` cannot.)
  bool is_size() const;

  SymDim operator*(const SymDim &other) const;
  SymDim operator+(const SymDim &other) const;
  SymDim operator-(const SymDim &other) const;
  /// Exact division by a static size; nullopt when the result is not a whole dim expression.
  std::optional<SymDim> divide(int64_t divisor) const;
  /// Division by another dim when `other` divides this symbolically (e.g. B*S / S = B).
  std::optional<SymDim> divide(const SymDim &other) const;
  /// Division by a positive integer rounding down, as a strided convolution's output size
  /// `(H+2-3)/2+1` needs: exact where every coefficient divides (`2*S` by 2 is `S`), otherwise a
  /// floor factor whose numerator keeps a constant in 0..divisor-1 (`floor((H+1)/2)-1`), and a
  /// floor of a floor merges into one (`floor(floor(H/2)/2)` is `floor(H/4)`).
  SymDim floor_divide(int64_t divisor) const;

  bool operator==(const SymDim &other) const { return terms_ == other.terms_; }
  bool operator!=(const SymDim &other) const { return !(*this == other); }
  std::string str() const;

  /// coeff * product(symbols) / divisor.
  struct Term {
    int64_t coeff = 0;
    /// Sorted, with repetition. A floor is held by its canonical text (`floor((H+1)/2)`), so
    /// that equal floors compare, sort and multiply like one symbol.
    std::vector<std::string> symbols;
    int64_t divisor = 1;
    bool operator==(const Term &o) const {
      return coeff == o.coeff && symbols == o.symbols && divisor == o.divisor;
    }
  };

private:
  explicit SymDim(std::vector<Term> terms);
  /// Canonical form: like terms merged, zero terms dropped, coefficient and divisor reduced,
  /// products of more symbols first, then sorted by their symbols; the static term last.
  void normalize();

  std::vector<Term> terms_; // empty for 0
};

using SymShape = std::vector<SymDim>;

/// "[B, Sq, 40]"
std::string to_string(const SymShape &shape);
/// Attribute form used on ops (`attn.dims`) and function arguments: an ArrayAttr whose
/// entries are IntegerAttr (static) or StringAttr (dim expression).
mlir::ArrayAttr to_attr(mlir::MLIRContext *context, const SymShape &shape);
std::optional<SymShape> from_attr(mlir::Attribute attr);

} // namespace attn::compiler
