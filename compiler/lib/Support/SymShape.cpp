#include "attn/compiler/SymShape.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/MLIRContext.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <numeric>
#include <tuple>

namespace attn::compiler {

namespace {

constexpr const char *kFloor = "floor(";

bool is_floor(const std::string &symbol) { return symbol.rfind(kFloor, 0) == 0; }

/// A cursor over the text form: sum = term {("+"|"-") term}; term = factor {"*" factor}
/// ["/" int]; factor = int | symbol | "floor(" numerator "/" int ")"; numerator = "(" sum ")" |
/// factor {"*" factor}.
class DimParser {
public:
  explicit DimParser(const std::string &text) : text_(text) {}

  std::optional<SymDim> sum() {
    auto total = term();
    while (total && (peek() == '+' || peek() == '-')) {
      bool minus = text_[pos_++] == '-';
      auto next = term();
      if (!next)
        return std::nullopt;
      total = minus ? *total - *next : *total + *next;
    }
    return total;
  }

  /// A floor factor's numerator and divisor, as written.
  std::optional<std::pair<SymDim, int64_t>> floor_parts() {
    if (!accept(kFloor))
      return std::nullopt;
    std::optional<SymDim> numerator;
    if (accept("(")) {
      numerator = sum();
      if (!accept(")"))
        return std::nullopt;
    } else {
      numerator = product();
    }
    if (!numerator || !accept("/"))
      return std::nullopt;
    auto divisor = integer();
    if (!divisor || *divisor <= 0 || !accept(")"))
      return std::nullopt;
    return std::pair(*numerator, *divisor);
  }

  bool at_end() const { return pos_ == text_.size(); }

private:
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  bool accept(const char *s) {
    if (text_.compare(pos_, std::strlen(s), s) != 0)
      return false;
    pos_ += std::strlen(s);
    return true;
  }

  std::optional<int64_t> integer() {
    size_t start = pos_;
    while (std::isdigit(static_cast<unsigned char>(peek())))
      ++pos_;
    if (pos_ == start || pos_ - start > 18)
      return std::nullopt;
    return std::stoll(text_.substr(start, pos_ - start));
  }

  std::optional<SymDim> factor() {
    if (std::isdigit(static_cast<unsigned char>(peek()))) {
      auto n = integer();
      return n ? std::optional<SymDim>(SymDim::constant(*n)) : std::nullopt;
    }
    if (text_.compare(pos_, std::strlen(kFloor), kFloor) == 0) {
      auto parts = floor_parts();
      return parts ? std::optional<SymDim>(parts->first.floor_divide(parts->second)) : std::nullopt;
    }
    size_t start = pos_;
    // Symbols of inlined scopes carry '@' and '.' (`S@2`).
    auto is_symbol_char = [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '@' || c == '.';
    };
    if (!(std::isalpha(static_cast<unsigned char>(peek())) || peek() == '_'))
      return std::nullopt;
    while (is_symbol_char(peek()))
      ++pos_;
    return SymDim::symbol(text_.substr(start, pos_ - start));
  }

  std::optional<SymDim> product() {
    auto result = factor();
    while (result && accept("*")) {
      auto next = factor();
      if (!next)
        return std::nullopt;
      result = *result * *next;
    }
    return result;
  }

  std::optional<SymDim> term() {
    auto result = product();
    if (!result || !accept("/"))
      return result;
    auto divisor = integer();
    if (!divisor || *divisor <= 0)
      return std::nullopt;
    return result->divide(*divisor);
  }

  const std::string &text_;
  size_t pos_ = 0;
};

} // namespace

SymDim::SymDim(std::vector<Term> terms) : terms_(std::move(terms)) { normalize(); }

SymDim SymDim::constant(int64_t value) { return SymDim({Term{value, {}, 1}}); }

SymDim SymDim::symbol(const std::string &name) { return SymDim({Term{1, {name}, 1}}); }

void SymDim::normalize() {
  for (Term &t : terms_) {
    std::sort(t.symbols.begin(), t.symbols.end());
    int64_t g = std::gcd(t.coeff, t.divisor);
    if (g > 1) {
      t.coeff /= g;
      t.divisor /= g;
    }
  }
  // Products of more symbols first (`B*T+B`), then by their symbols and divisor; the static
  // term (no symbols) last.
  auto key = [](const Term &t) {
    return std::make_tuple(-static_cast<int64_t>(t.symbols.size()), t.symbols, t.divisor);
  };
  std::sort(terms_.begin(), terms_.end(),
            [&](const Term &a, const Term &b) { return key(a) < key(b); });
  std::vector<Term> merged;
  for (const Term &t : terms_) {
    if (!merged.empty() && merged.back().symbols == t.symbols && merged.back().divisor == t.divisor)
      merged.back().coeff += t.coeff;
    else
      merged.push_back(t);
  }
  merged.erase(
      std::remove_if(merged.begin(), merged.end(), [](const Term &t) { return t.coeff == 0; }),
      merged.end());
  terms_ = std::move(merged);
}

bool SymDim::is_static() const {
  return std::all_of(terms_.begin(), terms_.end(), [](const Term &t) { return t.symbols.empty(); });
}

int64_t SymDim::value() const {
  int64_t v = 0;
  for (const Term &t : terms_)
    if (t.symbols.empty())
      v += t.coeff / t.divisor;
  return v;
}

std::vector<std::string> SymDim::symbols() const {
  std::vector<std::string> all;
  for (const Term &t : terms_)
    for (const std::string &symbol : t.symbols) {
      if (!is_floor(symbol)) {
        all.push_back(symbol);
        continue;
      }
      // A floor stands for the symbols of its numerator.
      if (auto parts = DimParser(symbol).floor_parts()) {
        auto nested = parts->first.symbols();
        all.insert(all.end(), nested.begin(), nested.end());
      }
    }
  std::sort(all.begin(), all.end());
  return all;
}

bool SymDim::is_size() const {
  if (is_static())
    return value() >= 0;
  return std::all_of(terms_.begin(), terms_.end(),
                     [](const Term &t) { return t.symbols.empty() || t.coeff > 0; });
}

std::optional<SymDim> SymDim::parse(const std::string &text) {
  DimParser parser(text);
  auto sum = parser.sum();
  if (!sum || !parser.at_end())
    return std::nullopt;
  if (!sum->is_static() && !sum->is_size())
    return std::nullopt;
  return sum;
}

SymDim SymDim::operator*(const SymDim &other) const {
  std::vector<Term> product;
  for (const Term &a : terms_)
    for (const Term &b : other.terms_) {
      Term t{a.coeff * b.coeff, a.symbols, a.divisor * b.divisor};
      t.symbols.insert(t.symbols.end(), b.symbols.begin(), b.symbols.end());
      product.push_back(std::move(t));
    }
  return SymDim(std::move(product));
}

SymDim SymDim::operator+(const SymDim &other) const {
  std::vector<Term> sum = terms_;
  sum.insert(sum.end(), other.terms_.begin(), other.terms_.end());
  return SymDim(std::move(sum));
}

SymDim SymDim::operator-(const SymDim &other) const { return *this + other * constant(-1); }

std::optional<SymDim> SymDim::divide(int64_t divisor) const {
  if (divisor <= 0)
    return std::nullopt;
  bool exact = std::all_of(terms_.begin(), terms_.end(),
                           [&](const Term &t) { return t.coeff % divisor == 0; });
  if (exact) {
    SymDim d = *this;
    for (Term &t : d.terms_)
      t.coeff /= divisor;
    return d;
  }
  // Only a single symbolic term keeps a divisor (`S/4`): the runtime checks it is exact once S
  // is bound. A sum would need each of its terms to divide, which is not the same thing.
  if (terms_.size() != 1 || is_static())
    return std::nullopt;
  SymDim d = *this;
  d.terms_[0].divisor *= divisor;
  d.normalize();
  return d;
}

std::optional<SymDim> SymDim::divide(const SymDim &other) const {
  if (other.is_static())
    return divide(other.value());
  if (*this == other)
    return constant(1);
  if (other.terms_.size() != 1 || other.terms_[0].divisor != 1)
    return std::nullopt;
  const Term &by = other.terms_[0];
  std::vector<Term> quotient;
  for (const Term &t : terms_) {
    std::vector<std::string> rest = t.symbols;
    for (const auto &s : by.symbols) {
      auto it = std::find(rest.begin(), rest.end(), s);
      if (it == rest.end())
        return std::nullopt;
      rest.erase(it);
    }
    if (t.coeff % by.coeff != 0)
      return std::nullopt;
    quotient.push_back(Term{t.coeff / by.coeff, rest, t.divisor});
  }
  return SymDim(std::move(quotient));
}

static int64_t floor_div(int64_t a, int64_t b) {
  return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

SymDim SymDim::floor_divide(int64_t divisor) const {
  if (divisor == 1)
    return *this;
  if (is_static())
    return constant(floor_div(value(), divisor));
  if (std::all_of(terms_.begin(), terms_.end(),
                  [&](const Term &t) { return t.coeff % divisor == 0; }))
    return *divide(divisor);
  // floor((N + c) / d) = floor((N + r) / d) + q for c = q*d + r, 0 <= r < d: the constant part
  // is reduced, so sizes that differ by whole multiples of d print alike.
  int64_t c = 0;
  std::vector<Term> symbolic;
  for (const Term &t : terms_) {
    if (t.symbols.empty())
      c += t.coeff / t.divisor;
    else
      symbolic.push_back(t);
  }
  int64_t q = floor_div(c, divisor), r = c - q * divisor;
  // A common factor of the numerator and the divisor cancels: floor(2*H/4) = floor(H/2).
  int64_t g = std::gcd(divisor, r);
  for (const Term &t : symbolic)
    g = std::gcd(g, t.coeff);
  if (g > 1)
    return (SymDim(symbolic).divide(g)->operator+(constant(r / g))).floor_divide(divisor / g) +
           constant(q);
  SymDim numerator = SymDim(symbolic) + constant(r);
  // A floor of a floor is one floor: floor((floor(M/a) + r) / d) = floor((M + r*a) / (a*d)).
  const Term &lead = numerator.terms_.front();
  if (symbolic.size() == 1 && lead.coeff == 1 && lead.divisor == 1 && lead.symbols.size() == 1 &&
      is_floor(lead.symbols.front())) {
    auto inner = DimParser(lead.symbols.front()).floor_parts();
    if (inner)
      return (inner->first + constant(r * inner->second)).floor_divide(inner->second * divisor) +
             constant(q);
  }
  bool bare = symbolic.size() == 1 && r == 0 && lead.coeff == 1 && lead.divisor == 1 &&
              lead.symbols.size() == 1;
  std::string text = std::string(kFloor) +
                     (bare ? lead.symbols.front() : "(" + numerator.str() + ")") + "/" +
                     std::to_string(divisor) + ")";
  return SymDim({Term{1, {text}, 1}}) + constant(q);
}

std::string SymDim::str() const {
  if (terms_.empty())
    return "0";
  std::string s;
  for (const Term &t : terms_) {
    if (!s.empty() || t.coeff < 0)
      s += t.coeff < 0 ? "-" : "+";
    int64_t magnitude = t.coeff < 0 ? -t.coeff : t.coeff;
    std::string term = magnitude != 1 || t.symbols.empty() ? std::to_string(magnitude) : "";
    for (const auto &sym : t.symbols)
      term += (term.empty() ? "" : "*") + sym;
    if (t.divisor != 1)
      term += "/" + std::to_string(t.divisor);
    s += term;
  }
  return s;
}

std::string to_string(const SymShape &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + shape[i].str();
  return s + "]";
}

mlir::ArrayAttr to_attr(mlir::MLIRContext *context, const SymShape &shape) {
  std::vector<mlir::Attribute> dims;
  auto i64 = mlir::IntegerType::get(context, 64);
  for (const auto &d : shape) {
    if (d.is_static())
      dims.push_back(mlir::IntegerAttr::get(i64, d.value()));
    else
      dims.push_back(mlir::StringAttr::get(context, d.str()));
  }
  return mlir::ArrayAttr::get(context, dims);
}

std::optional<SymShape> from_attr(mlir::Attribute attr) {
  auto array = attr.dyn_cast_or_null<mlir::ArrayAttr>();
  if (!array)
    return std::nullopt;
  SymShape shape;
  for (auto entry : array) {
    if (auto i = entry.dyn_cast<mlir::IntegerAttr>()) {
      shape.push_back(SymDim::constant(i.getInt()));
    } else if (auto s = entry.dyn_cast<mlir::StringAttr>()) {
      auto d = SymDim::parse(s.getValue().str());
      if (!d)
        return std::nullopt;
      shape.push_back(*d);
    } else {
      return std::nullopt;
    }
  }
  return shape;
}

} // namespace attn::compiler
