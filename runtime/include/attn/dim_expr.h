// Dimension expressions: the symbolic sizes in a manifest's shapes.
//
// A dim is a non-negative integer or a string `term ('*' term)* ('/' divisor)?`, where a term
// is a symbol (`B`, `Sq`) or a positive integer and the divisor a positive integer (see
// docs/internals.md "Symbolic dimensions"). Symbols are bound at run time from the input shapes;
// every other shape is then evaluated. Division must be exact: a shape that does not divide
// means the inputs do not fit the model, which is the caller's error, not a rounding question.
#ifndef ATTN_DIM_EXPR_H_
#define ATTN_DIM_EXPR_H_

#include <cstdint>
#include <map>
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

  bool is_constant() const { return symbols_.empty() && divisor_ == 1; }
  // A single plain symbol ("B"): the only symbolic form allowed in input shapes.
  bool is_symbol() const { return symbols_.size() == 1 && factor_ == 1 && divisor_ == 1; }
  // The constant's value (factor), meaningful when is_constant().
  int64_t constant_value() const { return factor_; }
  // The symbol's name, meaningful when is_symbol().
  const std::string &symbol() const { return symbols_.front(); }
  // Every symbol the expression mentions, in order of appearance (with repeats).
  const std::vector<std::string> &symbols() const { return symbols_; }

  // The value under `symbols`. Errors (InvalidInput): an unbound symbol, a division that is
  // not exact, an overflow; each quotes the expression and the values involved.
  StatusOr<int64_t> evaluate(const SymbolTable &symbols) const;

  // Canonical text: integer factor first if not 1, then symbols, then "/d": "2*B*S/4", "40".
  std::string to_string() const;

  bool operator==(const DimExpr &other) const {
    return factor_ == other.factor_ && symbols_ == other.symbols_ && divisor_ == other.divisor_;
  }
  bool operator!=(const DimExpr &other) const { return !(*this == other); }

private:
  int64_t factor_ = 0; // product of the integer terms (the value itself for a constant)
  std::vector<std::string> symbols_;
  int64_t divisor_ = 1;
};

// "[B, Sq, 40]".
std::string dims_to_string(const std::vector<DimExpr> &dims);

} // namespace attn

#endif // ATTN_DIM_EXPR_H_
