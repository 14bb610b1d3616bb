// Dimension expressions: the symbolic sizes in a manifest's shapes.
//
// A dim is a non-negative integer or a string `product (('+' | '-') product)*`, where a product
// is `term ('*' term)* ('/' divisor)?`, a term a symbol (`B`, `Sq`), a positive integer or a
// floor `floor(numerator/divisor)` whose numerator is a product or a parenthesised sum, and a
// divisor a positive integer (see docs/internals.md "Symbolic dimensions"): `B*S`, `S/4`, `T+1`,
// `S-1`, `floor((H+1)/2)`. Symbols are bound at run time from the input shapes; every other
// shape is then evaluated. A floor rounds down (the output size of a strided convolution); the
// other division must be exact, and a size must not be negative: a shape that does not divide,
// or `S-1` with S = 0, means the inputs do not fit the model, which is the caller's error, not a
// rounding question.
#ifndef ATTN_DIM_EXPR_H_
#define ATTN_DIM_EXPR_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "attn/status.h"

namespace attn {

// Symbol name -> bound value.
using SymbolTable = std::map<std::string, int64_t>;

class DimExpr {
public:
  // The constant 0.
  DimExpr() = default;
  // A constant dim; must be non-negative.
  static DimExpr constant(int64_t value);
  // Parses the string form; errors are InvalidInput and quote the text.
  static StatusOr<DimExpr> parse(const std::string &text);

  bool is_constant() const {
    return products_.size() == 1 && products_[0].symbols.empty() && products_[0].floors.empty() &&
           products_[0].divisor == 1 && !products_[0].negative;
  }
  // A single plain symbol ("B"): the only symbolic form allowed in input shapes.
  bool is_symbol() const {
    return products_.size() == 1 && products_[0].symbols.size() == 1 &&
           products_[0].floors.empty() && products_[0].factor == 1 && products_[0].divisor == 1;
  }
  // The constant's value, meaningful when is_constant().
  int64_t constant_value() const { return products_[0].factor; }
  // The symbol's name, meaningful when is_symbol().
  const std::string &symbol() const { return products_[0].symbols.front(); }
  // Every symbol the expression mentions, in order of appearance (with repeats).
  const std::vector<std::string> &symbols() const { return symbols_; }

  // The value under `symbols`. Errors (InvalidInput): an unbound symbol, a division that is
  // not exact, an overflow, a negative result; each quotes the expression and the values.
  StatusOr<int64_t> evaluate(const SymbolTable &symbols) const;

  // Canonical text: per product the integer factor first if not 1, then symbols, then floors,
  // then "/d": "2*B*S/4", "40", "T+1", "S-1", "2*floor((H+1)/2)".
  std::string to_string() const;

  bool operator==(const DimExpr &other) const { return to_string() == other.to_string(); }
  bool operator!=(const DimExpr &other) const { return !(*this == other); }

private:
  friend class DimParser;
  // floor(numerator / divisor), rounding toward minus infinity.
  struct Floor {
    std::shared_ptr<const DimExpr> numerator;
    int64_t divisor = 1;
  };
  struct Product {
    bool negative = false; // subtracted ("S-1")
    int64_t factor = 0;    // product of the integer terms (the value itself for a constant)
    std::vector<std::string> symbols;
    std::vector<Floor> floors;
    int64_t divisor = 1;
  };
  // The value with `bindings` collecting "S = 10" for messages; it may be negative (a floor's
  // numerator may be).
  StatusOr<int64_t> evaluate_signed(const SymbolTable &symbols, std::string &bindings) const;

  std::vector<Product> products_ = {Product()};
  std::vector<std::string> symbols_;
};

// "[B, Sq, 40]".
std::string dims_to_string(const std::vector<DimExpr> &dims);

} // namespace attn

#endif // ATTN_DIM_EXPR_H_
