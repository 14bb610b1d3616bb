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

// Recursive descent over the text form (dim_expr.h): a sum of products, where a floor's
// numerator is itself a sum.
class DimParser {
public:
  explicit DimParser(const std::string &text) : text_(text), lex_(text) {}

  StatusOr<DimExpr> parse() {
    if (lex_.at_end())
      return parse_error(text_, "it is empty");
    StatusOr<DimExpr> e = sum();
    if (e.ok() && !lex_.at_end())
      return parse_error(text_, std::string("unexpected '") + lex_.peek() + "'");
    return e;
  }

private:
  StatusOr<DimExpr> sum() {
    DimExpr e;
    e.products_.clear();
    bool negative = false;
    do {
      DimExpr::Product p;
      p.negative = negative;
      p.factor = 1;
      Status s = product(p, e.symbols_);
      if (!s.ok())
        return s;
      if (lex_.accept('/')) {
        if (!is_digit(lex_.peek()) || (p.divisor = lex_.integer()) < 0)
          return parse_error(text_, "the divisor must be a positive integer");
      }
      e.products_.push_back(std::move(p));
      negative = lex_.peek() == '-';
    } while (lex_.accept('+') || lex_.accept('-'));
    return e;
  }

  Status product(DimExpr::Product &p, std::vector<std::string> &symbols) {
    do {
      char c = lex_.peek();
      if (is_ident_start(c)) {
        std::string name = lex_.identifier();
        if (name == "floor" && lex_.accept('(')) {
          Status s = floor(p, symbols);
          if (!s.ok())
            return s;
          continue;
        }
        p.symbols.push_back(name);
        symbols.push_back(name);
      } else if (is_digit(c)) {
        int64_t v = lex_.integer();
        if (v < 0)
          return parse_error(text_, "a term is zero or too large");
        if (mul_overflows(p.factor, v))
          return parse_error(text_, "the constant factor overflows");
        p.factor *= v;
      } else {
        return parse_error(text_,
                           c ? std::string("expected a symbol or an integer, found '") + c + "'"
                             : "expected a symbol or an integer at the end");
      }
    } while (lex_.accept('*'));
    return Status();
  }

  // After "floor(": a product or "(sum)", then "/divisor)".
  Status floor(DimExpr::Product &p, std::vector<std::string> &symbols) {
    DimExpr numerator;
    if (lex_.accept('(')) {
      StatusOr<DimExpr> inner = sum();
      if (!inner.ok())
        return inner.status();
      if (!lex_.accept(')'))
        return parse_error(text_, "a floor's numerator lacks its ')'");
      numerator = std::move(*inner);
    } else {
      // A product without a divisor: `floor(H/2)`.
      numerator.products_[0].factor = 1;
      Status s = product(numerator.products_[0], numerator.symbols_);
      if (!s.ok())
        return s;
    }
    DimExpr::Floor f;
    if (!lex_.accept('/') || !is_digit(lex_.peek()) || (f.divisor = lex_.integer()) < 0)
      return parse_error(text_, "a floor divides by a positive integer");
    if (!lex_.accept(')'))
      return parse_error(text_, "a floor lacks its ')'");
    symbols.insert(symbols.end(), numerator.symbols_.begin(), numerator.symbols_.end());
    f.numerator = std::make_shared<const DimExpr>(std::move(numerator));
    p.floors.push_back(std::move(f));
    return Status();
  }

  const std::string &text_;
  Lexer lex_;
};

StatusOr<DimExpr> DimExpr::parse(const std::string &text) { return DimParser(text).parse(); }

namespace {

// Rounds toward minus infinity; the divisor is positive.
int64_t floor_div(int64_t a, int64_t b) { return a / b - (a % b != 0 && a < 0); }

} // namespace

StatusOr<int64_t> DimExpr::evaluate_signed(const SymbolTable &symbols,
                                           std::string &bindings) const {
  int64_t total = 0;
  auto overflow = [&]() {
    return Status::invalid_input("dim expression '" + to_string() + "' overflows with " + bindings);
  };
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
      if (it->second < 0 || __builtin_mul_overflow(v, it->second, &v))
        return overflow();
    }
    for (const Floor &f : p.floors) {
      StatusOr<int64_t> n = f.numerator->evaluate_signed(symbols, bindings);
      if (!n.ok())
        return n.status();
      if (__builtin_mul_overflow(v, floor_div(*n, f.divisor), &v))
        return overflow();
    }
    if (v % p.divisor != 0) {
      return Status::invalid_input("dim expression '" + to_string() + "' is not exact with " +
                                   bindings + ": " + std::to_string(v) + " is not divisible by " +
                                   std::to_string(p.divisor));
    }
    v /= p.divisor;
    if (p.negative ? __builtin_sub_overflow(total, v, &total)
                   : __builtin_add_overflow(total, v, &total))
      return overflow();
  }
  return total;
}

StatusOr<int64_t> DimExpr::evaluate(const SymbolTable &symbols) const {
  std::string bindings; // "S = 10, B = 2", for error messages
  StatusOr<int64_t> total = evaluate_signed(symbols, bindings);
  if (total.ok() && *total < 0) {
    return Status::invalid_input("dim expression '" + to_string() + "' is negative (" +
                                 std::to_string(*total) + ") with " + bindings);
  }
  return total;
}

std::string DimExpr::to_string() const {
  std::string text;
  for (const Product &p : products_) {
    if (!text.empty() || p.negative)
      text += p.negative ? "-" : "+";
    std::string s;
    if (p.factor != 1 || (p.symbols.empty() && p.floors.empty()))
      s = std::to_string(p.factor);
    for (const std::string &sym : p.symbols) {
      if (!s.empty())
        s += "*";
      s += sym;
    }
    for (const Floor &f : p.floors) {
      const DimExpr &n = *f.numerator;
      bool bare = n.products_.size() == 1 && n.products_[0].symbols.size() == 1 &&
                  n.products_[0].floors.empty() && n.products_[0].factor == 1 &&
                  n.products_[0].divisor == 1 && !n.products_[0].negative;
      s += (s.empty() ? "floor(" : "*floor(") + (bare ? n.to_string() : "(" + n.to_string() + ")") +
           "/" + std::to_string(f.divisor) + ")";
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
