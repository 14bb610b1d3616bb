#include "attn/dim_expr.h"

#include <cctype>
#include <limits>

namespace attn {

namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

bool is_ident_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

// A tiny cursor over the expression text; whitespace between tokens is allowed.
class Lexer {
public:
  explicit Lexer(const std::string &text) : text_(text) {}

  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_])))
      ++pos_;
  }
  bool at_end() {
    skip_space();
    return pos_ >= text_.size();
  }
  bool accept(char c) {
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  char peek() {
    skip_space();
    return pos_ < text_.size() ? text_[pos_] : '\0';
  }
  std::string identifier() {
    size_t start = pos_;
    while (pos_ < text_.size() && is_ident_char(text_[pos_]))
      ++pos_;
    return text_.substr(start, pos_ - start);
  }
  // A positive integer, or -1 when it is zero or does not fit.
  int64_t integer() {
    int64_t v = 0;
    bool overflow = false;
    while (pos_ < text_.size() && is_digit(text_[pos_])) {
      int digit = text_[pos_++] - '0';
      if (v > (kMax - digit) / 10)
        overflow = true;
      if (!overflow)
        v = v * 10 + digit;
    }
    return overflow || v == 0 ? -1 : v;
  }

private:
  const std::string &text_;
  size_t pos_ = 0;
};

bool mul_overflows(int64_t a, int64_t b) { return a != 0 && b > kMax / a; }

Status parse_error(const std::string &text, const std::string &why) {
  return Status::invalid_input("bad dim expression '" + text + "': " + why);
}

} // namespace

DimExpr DimExpr::constant(int64_t value) {
  DimExpr e;
  e.factor_ = value;
  return e;
}

StatusOr<DimExpr> DimExpr::parse(const std::string &text) {
  Lexer lex(text);
  DimExpr e;
  e.factor_ = 1;
  if (lex.at_end())
    return parse_error(text, "it is empty");
  do {
    char c = lex.peek();
    if (is_ident_start(c)) {
      e.symbols_.push_back(lex.identifier());
    } else if (is_digit(c)) {
      int64_t v = lex.integer();
      if (v < 0)
        return parse_error(text, "a term is zero or too large");
      if (mul_overflows(e.factor_, v))
        return parse_error(text, "the constant factor overflows");
      e.factor_ *= v;
    } else {
      return parse_error(text, c ? std::string("expected a symbol or an integer, found '") + c + "'"
                                 : "expected a symbol or an integer at the end");
    }
  } while (lex.accept('*'));
  if (lex.accept('/')) {
    if (!is_digit(lex.peek()))
      return parse_error(text, "the divisor must be a positive integer");
    e.divisor_ = lex.integer();
    if (e.divisor_ < 0)
      return parse_error(text, "the divisor must be a positive integer");
  }
  if (!lex.at_end()) {
    return parse_error(text, std::string("unexpected '") + lex.peek() + "'");
  }
  return e;
}

StatusOr<int64_t> DimExpr::evaluate(const SymbolTable &symbols) const {
  int64_t v = factor_;
  std::string bindings; // "S = 10, B = 2", for error messages
  for (const std::string &s : symbols_) {
    auto it = symbols.find(s);
    if (it == symbols.end()) {
      return Status::invalid_input("unknown symbol '" + s + "' in dim expression '" + to_string() +
                                   "'");
    }
    if (!bindings.empty())
      bindings += ", ";
    bindings += s + " = " + std::to_string(it->second);
    if (it->second < 0 || mul_overflows(v, it->second)) {
      return Status::invalid_input("dim expression '" + to_string() + "' overflows with " +
                                   bindings);
    }
    v *= it->second;
  }
  if (v % divisor_ != 0) {
    return Status::invalid_input("dim expression '" + to_string() + "' is not exact with " +
                                 bindings + ": " + std::to_string(v) + " is not divisible by " +
                                 std::to_string(divisor_));
  }
  return v / divisor_;
}

std::string DimExpr::to_string() const {
  if (symbols_.empty() && divisor_ == 1)
    return std::to_string(factor_);
  std::string s;
  if (factor_ != 1 || symbols_.empty())
    s = std::to_string(factor_);
  for (const std::string &sym : symbols_) {
    if (!s.empty())
      s += "*";
    s += sym;
  }
  if (divisor_ != 1)
    s += "/" + std::to_string(divisor_);
  return s;
}

std::string dims_to_string(const std::vector<DimExpr> &dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i)
      s += ", ";
    s += dims[i].to_string();
  }
  return s + "]";
}

} // namespace attn
