#include "attn/compiler/SymShape.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/MLIRContext.h"

#include <algorithm>
#include <cctype>
#include <numeric>

namespace attn::compiler {

SymDim SymDim::constant(int64_t value) {
  SymDim d;
  d.coeff_ = value;
  return d;
}

SymDim SymDim::symbol(const std::string &name) {
  SymDim d;
  d.symbols_.push_back(name);
  return d;
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

std::optional<SymDim> SymDim::parse(const std::string &text) {
  std::string product = text;
  int64_t divisor = 1;
  if (auto slash = text.find('/'); slash != std::string::npos) {
    auto d = parse_int(text.substr(slash + 1));
    if (!d || *d <= 0)
      return std::nullopt;
    divisor = *d;
    product = text.substr(0, slash);
  }
  SymDim result;
  size_t start = 0;
  while (true) {
    size_t star = product.find('*', start);
    std::string term =
        product.substr(start, star == std::string::npos ? std::string::npos : star - start);
    if (auto n = parse_int(term))
      result.coeff_ *= *n;
    else if (is_identifier(term))
      result.symbols_.push_back(term);
    else
      return std::nullopt;
    if (star == std::string::npos)
      break;
    start = star + 1;
  }
  std::sort(result.symbols_.begin(), result.symbols_.end());
  if (divisor != 1) {
    auto divided = result.divide(divisor);
    if (!divided) {
      // Keep a symbolic divisor: S/4 is a valid dim expression even though 4 does not divide S
      // symbolically; the runtime checks exactness once S is bound.
      result.divisor_ = divisor;
      return result;
    }
    return divided;
  }
  return result;
}

SymDim SymDim::operator*(const SymDim &other) const {
  SymDim d;
  d.coeff_ = coeff_ * other.coeff_;
  d.divisor_ = divisor_ * other.divisor_;
  d.symbols_ = symbols_;
  d.symbols_.insert(d.symbols_.end(), other.symbols_.begin(), other.symbols_.end());
  std::sort(d.symbols_.begin(), d.symbols_.end());
  int64_t g = std::gcd(d.coeff_, d.divisor_);
  if (g > 1) {
    d.coeff_ /= g;
    d.divisor_ /= g;
  }
  return d;
}

std::optional<SymDim> SymDim::divide(int64_t divisor) const {
  if (divisor <= 0)
    return std::nullopt;
  if (coeff_ % divisor == 0) {
    SymDim d = *this;
    d.coeff_ /= divisor;
    return d;
  }
  if (is_static())
    return std::nullopt;
  SymDim d = *this;
  int64_t g = std::gcd(coeff_, divisor);
  d.coeff_ /= g;
  d.divisor_ *= divisor / g;
  return d;
}

std::optional<SymDim> SymDim::divide(const SymDim &other) const {
  if (other.is_static())
    return divide(other.value());
  std::vector<std::string> rest = symbols_;
  for (const auto &s : other.symbols_) {
    auto it = std::find(rest.begin(), rest.end(), s);
    if (it == rest.end())
      return std::nullopt;
    rest.erase(it);
  }
  if (other.divisor_ != 1 || coeff_ % other.coeff_ != 0)
    return std::nullopt;
  SymDim d;
  d.coeff_ = coeff_ / other.coeff_;
  d.divisor_ = divisor_;
  d.symbols_ = rest;
  return d;
}

bool SymDim::operator==(const SymDim &other) const {
  return coeff_ == other.coeff_ && divisor_ == other.divisor_ && symbols_ == other.symbols_;
}

std::string SymDim::str() const {
  if (is_static())
    return std::to_string(value());
  std::string s;
  if (coeff_ != 1)
    s = std::to_string(coeff_);
  for (const auto &sym : symbols_)
    s += (s.empty() ? "" : "*") + sym;
  if (divisor_ != 1)
    s += "/" + std::to_string(divisor_);
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
