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
  e.products_[0].factor = value;
  return e;
}

StatusOr<DimExpr> DimExpr::parse(const std::string &text) {
  Lexer lex(text);
  DimExpr e;
  e.products_.clear();
  if (lex.at_end())
    return parse_error(text, "it is empty");
  bool negative = false;
  do {
    Product p;
    p.negative = negative;
    p.factor = 1;
    do {
      char c = lex.peek();
      if (is_ident_start(c)) {
        p.symbols.push_back(lex.identifier());
        e.symbols_.push_back(p.symbols.back());
      } else if (is_digit(c)) {
        int64_t v = lex.integer();
        if (v < 0)
          return parse_error(text, "a term is zero or too large");
        if (mul_overflows(p.factor, v))
          return parse_error(text, "the constant factor overflows");
        p.factor *= v;
      } else {
        return parse_error(text,
                           c ? std::string("expected a symbol or an integer, found '") + c + "'"
                             : "expected a symbol or an integer at the end");
      }
    } while (lex.accept('*'));
    if (lex.accept('/')) {
      if (!is_digit(lex.peek()))
        return parse_error(text, "the divisor must be a positive integer");
      p.divisor = lex.integer();
      if (p.divisor < 0)
        return parse_error(text, "the divisor must be a positive integer");
    }
    e.products_.push_back(std::move(p));
    negative = lex.peek() == '-';
  } while (lex.accept('+') || lex.accept('-'));
  if (!lex.at_end()) {
    return parse_error(text, std::string("unexpected '") + lex.peek() + "'");
  }
  return e;
}

StatusOr<int64_t> DimExpr::evaluate(const SymbolTable &symbols) const {
  int64_t total = 0;
  std::string bindings; // "S = 10, B = 2", for error messages
  for (const Product &p : products_) {
    int64_t v = p.factor;
    for (const std::string &s : p.symbols) {
      auto it = symbols.find(s);
      if (it == symbols.end()) {
        return Status::invalid_input("unknown symbol '" + s + "' in dim expression '" +
                                     to_string() + "'");
      }
      if (bindings.find(s + " = ") == std::string::npos)
        bindings += (bindings.empty() ? "" : ", ") + s + " = " + std::to_string(it->second);
      if (it->second < 0 || mul_overflows(v, it->second)) {
        return Status::invalid_input("dim expression '" + to_string() + "' overflows with " +
                                     bindings);
      }
      v *= it->second;
    }
    if (v % p.divisor != 0) {
      return Status::invalid_input("dim expression '" + to_string() + "' is not exact with " +
                                   bindings + ": " + std::to_string(v) + " is not divisible by " +
                                   std::to_string(p.divisor));
    }
    v /= p.divisor;
    // Each product is non-negative, so only a sum can overflow and only a difference go below 0.
    if (!p.negative && total > kMax - v) {
      return Status::invalid_input("dim expression '" + to_string() + "' overflows with " +
                                   bindings);
    }
    total = p.negative ? total - v : total + v;
  }
  if (total < 0) {
    return Status::invalid_input("dim expression '" + to_string() + "' is negative (" +
                                 std::to_string(total) + ") with " + bindings);
  }
  return total;
}

std::string DimExpr::to_string() const {
  std::string text;
  for (const Product &p : products_) {
    if (!text.empty() || p.negative)
      text += p.negative ? "-" : "+";
    std::string s;
    if (p.factor != 1 || p.symbols.empty())
      s = std::to_string(p.factor);
    for (const std::string &sym : p.symbols) {
      if (!s.empty())
        s += "*";
      s += sym;
    }
    if (p.divisor != 1)
      s += "/" + std::to_string(p.divisor);
    text += s;
  }
  return text;
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
