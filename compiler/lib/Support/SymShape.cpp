#include "attn/compiler/SymShape.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/MLIRContext.h"

#include <algorithm>
#include <cctype>
#include <numeric>
#include <tuple>

namespace attn::compiler {

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
    all.insert(all.end(), t.symbols.begin(), t.symbols.end());
  std::sort(all.begin(), all.end());
  return all;
}

bool SymDim::is_size() const {
  if (is_static())
    return value() >= 0;
  return std::all_of(terms_.begin(), terms_.end(),
                     [](const Term &t) { return t.symbols.empty() || t.coeff > 0; });
}

static bool is_identifier(const std::string &s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_'))
    return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '@' || c == '.';
  });
}

static std::optional<int64_t> parse_int(const std::string &s) {
  if (s.empty() || s.size() > 18 || !std::all_of(s.begin(), s.end(), ::isdigit))
    return std::nullopt;
  return std::stoll(s);
}

/// One term: a product of integers and symbols, optionally `/` a positive integer.
static std::optional<SymDim> parse_term(const std::string &text) {
  std::string product = text;
  int64_t divisor = 1;
  if (auto slash = text.find('/'); slash != std::string::npos) {
    auto d = parse_int(text.substr(slash + 1));
    if (!d || *d <= 0)
      return std::nullopt;
    divisor = *d;
    product = text.substr(0, slash);
  }
  SymDim result = SymDim::constant(1);
  size_t start = 0;
  while (true) {
    size_t star = product.find('*', start);
    std::string factor =
        product.substr(start, star == std::string::npos ? std::string::npos : star - start);
    if (auto n = parse_int(factor))
      result = result * SymDim::constant(*n);
    else if (is_identifier(factor))
      result = result * SymDim::symbol(factor);
    else
      return std::nullopt;
    if (star == std::string::npos)
      break;
    start = star + 1;
  }
  return divisor == 1 ? std::optional<SymDim>(result) : result.divide(divisor);
}

std::optional<SymDim> SymDim::parse(const std::string &text) {
  SymDim sum;
  size_t start = 0;
  bool negative = false;
  while (true) {
    size_t sign = text.find_first_of("+-", start);
    auto term = parse_term(text.substr(start, sign == std::string::npos ? sign : sign - start));
    if (!term)
      return std::nullopt;
    sum = negative ? sum - *term : sum + *term;
    if (sign == std::string::npos)
      break;
    negative = text[sign] == '-';
    start = sign + 1;
  }
  if (!sum.is_static() && !sum.is_size())
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
