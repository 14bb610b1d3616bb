#include "attn/dsl/ConstEval.h"

#include "llvm/ADT/STLExtras.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace attn::dsl {

ConstValue ConstValue::of_int(int64_t v) {
  ConstValue c;
  c.type = ScalarType::Int;
  c.int_value = v;
  return c;
}

ConstValue ConstValue::of_float(double v) {
  ConstValue c;
  c.type = ScalarType::Float;
  c.float_value = v;
  return c;
}

ConstValue ConstValue::of_bool(bool v) {
  ConstValue c;
  c.type = ScalarType::Bool;
  c.bool_value = v;
  return c;
}

ConstValue ConstValue::of_string(std::string v) {
  ConstValue c;
  c.type = ScalarType::String;
  c.string_value = std::move(v);
  return c;
}

std::string ConstValue::str() const {
  switch (type) {
  case ScalarType::Int:
    return std::to_string(int_value);
  case ScalarType::Bool:
    return bool_value ? "true" : "false";
  case ScalarType::String:
    return "\"" + string_value + "\"";
  case ScalarType::Float: {
    // The shortest text that reads back as the same double, always with a '.' or exponent.
    char text[40];
    for (int precision = 1; precision <= 17; ++precision) {
      std::snprintf(text, sizeof text, "%.*g", precision, float_value);
      if (std::strtod(text, nullptr) == float_value)
        break;
    }
    std::string s = text;
    if (s.find_first_of(".eEn") == std::string::npos)
      s += ".0";
    return s;
  }
  }
  return "?";
}

void HyperparameterValues::set(const std::string &name, ConstValue value) {
  for (auto &entry : entries_)
    if (entry.first == name) {
      entry.second = std::move(value);
      return;
    }
  entries_.emplace_back(name, std::move(value));
}

const ConstValue *HyperparameterValues::find(llvm::StringRef name) const {
  for (const auto &entry : entries_)
    if (entry.first == name)
      return &entry.second;
  return nullptr;
}

namespace {

class Evaluator {
public:
  Evaluator(const HyperparameterValues &values, DiagnosticEngine &diag, const LocalLookup &locals,
            const DtypeLookup &dtypes)
      : values_(values), diag_(diag), locals_(locals), dtypes_(dtypes) {}

  std::optional<ConstValue> eval(const Expr &expr);

private:
  std::optional<ConstValue> fail(SMRange range, const llvm::Twine &message) {
    diag_.error(range, message);
    return std::nullopt;
  }
  std::optional<ConstValue> binary(const BinaryExpr &binary);
  std::optional<ConstValue> call(const CallExpr &call);

  const HyperparameterValues &values_;
  DiagnosticEngine &diag_;
  const LocalLookup &locals_;
  const DtypeLookup &dtypes_;
};

std::optional<ConstValue> Evaluator::eval(const Expr &expr) {
  switch (expr.kind()) {
  case Expr::Kind::Number: {
    const auto &n = llvm::cast<NumberExpr>(expr);
    return n.is_int ? ConstValue::of_int(n.int_value) : ConstValue::of_float(n.float_value);
  }
  case Expr::Kind::String:
    return ConstValue::of_string(llvm::cast<StringExpr>(expr).value);
  case Expr::Kind::Bool:
    return ConstValue::of_bool(llvm::cast<BoolExpr>(expr).value);
  case Expr::Kind::Name: {
    const auto &name = llvm::cast<NameExpr>(expr);
    if (name.binding == Binding::Local && locals_)
      if (const ConstValue *v = locals_(name))
        return *v;
    if (const ConstValue *v = values_.find(name.name))
      return *v;
    return fail(expr.range(), "'" + name.name + "' has no compile-time value here");
  }
  case Expr::Kind::Unary: {
    const auto &unary = llvm::cast<UnaryExpr>(expr);
    auto v = eval(*unary.operand);
    if (!v)
      return std::nullopt;
    if (unary.op == UnaryOp::Not)
      return ConstValue::of_bool(!v->bool_value);
    if (v->type == ScalarType::Float)
      return ConstValue::of_float(-v->float_value);
    if (v->int_value == INT64_MIN)
      return fail(expr.range(), "integer overflow");
    return ConstValue::of_int(-v->int_value);
  }
  case Expr::Kind::Binary:
    return binary(llvm::cast<BinaryExpr>(expr));
  case Expr::Kind::Call:
    return call(llvm::cast<CallExpr>(expr));
  case Expr::Kind::Conditional: {
    // Only the branch the condition picks is evaluated (as in Python).
    const auto &conditional = llvm::cast<ConditionalExpr>(expr);
    auto condition = eval(*conditional.condition);
    if (!condition)
      return std::nullopt;
    auto value = eval(condition->bool_value ? *conditional.then_value : *conditional.else_value);
    // An int and a float give a float whichever is picked (Sema typed the whole as a float).
    if (value && value->type == ScalarType::Int && expr.type == ExprType::Float)
      return ConstValue::of_float(double(value->int_value));
    return value;
  }
  default:
    return fail(expr.range(), "not a compile-time value");
  }
}

std::optional<ConstValue> Evaluator::binary(const BinaryExpr &b) {
  auto l = eval(*b.lhs);
  auto r = eval(*b.rhs);
  if (!l || !r)
    return std::nullopt;
  if (b.op == BinaryOp::And)
    return ConstValue::of_bool(l->bool_value && r->bool_value);
  if (b.op == BinaryOp::Or)
    return ConstValue::of_bool(l->bool_value || r->bool_value);
  if (!l->is_number() || !r->is_number()) { // equality of strings or bools
    bool equal = l->type == ScalarType::String ? l->string_value == r->string_value
                                               : l->bool_value == r->bool_value;
    return ConstValue::of_bool(b.op == BinaryOp::Eq ? equal : !equal);
  }
  if (is_comparison(b.op)) {
    double x = l->as_double(), y = r->as_double();
    bool both_int = l->type == ScalarType::Int && r->type == ScalarType::Int;
    int64_t xi = l->int_value, yi = r->int_value;
    auto cmp = [&](auto less, auto equal) {
      switch (b.op) {
      case BinaryOp::Lt:
        return less;
      case BinaryOp::Le:
        return less || equal;
      case BinaryOp::Gt:
        return !less && !equal;
      case BinaryOp::Ge:
        return !less;
      case BinaryOp::Eq:
        return equal;
      default:
        return !equal;
      }
    };
    return ConstValue::of_bool(both_int ? cmp(xi < yi, xi == yi) : cmp(x < y, x == y));
  }
  if (l->type == ScalarType::Int && r->type == ScalarType::Int) {
    int64_t x = l->int_value, y = r->int_value, out = 0;
    bool overflow = false;
    switch (b.op) {
    case BinaryOp::Add:
      overflow = __builtin_add_overflow(x, y, &out);
      break;
    case BinaryOp::Sub:
      overflow = __builtin_sub_overflow(x, y, &out);
      break;
    case BinaryOp::Mul:
      overflow = __builtin_mul_overflow(x, y, &out);
      break;
    default:
      if (y == 0)
        return fail(b.op_range, "division by zero");
      if (x % y != 0)
        return fail(b.op_range, "integer division " + llvm::Twine(x) + " / " + llvm::Twine(y) +
                                    " is not exact; divide floats (" + llvm::Twine(x) + ".0 / " +
                                    llvm::Twine(y) + ") for a fraction");
      if (x == INT64_MIN && y == -1)
        overflow = true;
      else
        out = x / y;
    }
    if (overflow)
      return fail(b.op_range, "integer overflow");
    return ConstValue::of_int(out);
  }
  double x = l->as_double(), y = r->as_double();
  switch (b.op) {
  case BinaryOp::Add:
    return ConstValue::of_float(x + y);
  case BinaryOp::Sub:
    return ConstValue::of_float(x - y);
  case BinaryOp::Mul:
    return ConstValue::of_float(x * y);
  default:
    if (y == 0)
      return fail(b.op_range, "division by zero");
    return ConstValue::of_float(x / y);
  }
}

std::optional<ConstValue> Evaluator::call(const CallExpr &c) {
  // dtype(x) reads the tensor's element type, known only where the forward is generated.
  if (c.builtin == Builtin::Dtype) {
    const auto *name = llvm::dyn_cast<NameExpr>(c.args[0].get());
    if (!name || !dtypes_)
      return fail(c.range(), "the element type of this tensor is not known here");
    std::optional<std::string> dtype = dtypes_(*name);
    if (!dtype)
      return std::nullopt;
    return ConstValue::of_string(*dtype);
  }
  std::vector<ConstValue> args;
  for (const ExprPtr &arg : c.args) {
    auto v = eval(*arg);
    if (!v)
      return std::nullopt;
    args.push_back(*v);
  }
  auto unary_float = [&](double (*f)(double)) {
    return ConstValue::of_float(f(args[0].as_double()));
  };
  bool all_int = llvm::all_of(args, [](const ConstValue &v) { return v.type == ScalarType::Int; });
  switch (c.builtin) {
  case Builtin::Exp:
    return unary_float([](double x) { return std::exp(x); });
  case Builtin::Tanh:
    return unary_float([](double x) { return std::tanh(x); });
  case Builtin::Sigmoid:
    return unary_float([](double x) { return 1.0 / (1.0 + std::exp(-x)); });
  case Builtin::Log:
    if (args[0].as_double() <= 0)
      return fail(c.range(), "log of a number that is not positive (" + args[0].str() + ")");
    return unary_float([](double x) { return std::log(x); });
  case Builtin::Sqrt:
    if (args[0].as_double() < 0)
      return fail(c.range(), "sqrt of a negative number (" + args[0].str() + ")");
    return unary_float([](double x) { return std::sqrt(x); });
  case Builtin::Relu:
    if (all_int)
      return ConstValue::of_int(std::max<int64_t>(args[0].int_value, 0));
    return ConstValue::of_float(std::max(args[0].as_double(), 0.0));
  case Builtin::Abs:
    if (all_int && args[0].int_value != INT64_MIN)
      return ConstValue::of_int(std::llabs(args[0].int_value));
    return ConstValue::of_float(std::fabs(args[0].as_double()));
  case Builtin::Max:
  case Builtin::Min: {
    bool is_max = c.builtin == Builtin::Max;
    if (all_int)
      return ConstValue::of_int(is_max ? std::max(args[0].int_value, args[1].int_value)
                                       : std::min(args[0].int_value, args[1].int_value));
    double x = args[0].as_double(), y = args[1].as_double();
    return ConstValue::of_float(is_max ? std::max(x, y) : std::min(x, y));
  }
  default:
    return fail(c.range(), "'" + c.callee.name + "' is not a compile-time function");
  }
}

/// Converts a value to the declared type (an int where a float is declared).
ConstValue convert(ConstValue value, ScalarType declared) {
  if (declared == ScalarType::Float && value.type == ScalarType::Int)
    return ConstValue::of_float(double(value.int_value));
  return value;
}

} // namespace

std::optional<ConstValue> evaluate(const Expr &expr, const HyperparameterValues &values,
                                   DiagnosticEngine &diag, const LocalLookup &locals,
                                   const DtypeLookup &dtypes) {
  return Evaluator(values, diag, locals, dtypes).eval(expr);
}

std::optional<ConstValue> parse_define(ScalarType type, llvm::StringRef text) {
  text = text.trim();
  switch (type) {
  case ScalarType::Int: {
    int64_t v;
    if (text.getAsInteger(10, v))
      return std::nullopt;
    return ConstValue::of_int(v);
  }
  case ScalarType::Float: {
    double v;
    if (text.empty() || text.getAsDouble(v) || !std::isfinite(v))
      return std::nullopt;
    return ConstValue::of_float(v);
  }
  case ScalarType::Bool:
    if (text == "true" || text == "1")
      return ConstValue::of_bool(true);
    if (text == "false" || text == "0")
      return ConstValue::of_bool(false);
    return std::nullopt;
  case ScalarType::String:
    return ConstValue::of_string(text.str());
  }
  return std::nullopt;
}

std::optional<HyperparameterValues>
bind_model_hyperparameters(const ModuleDecl &model,
                           const std::map<std::string, std::string> &defines,
                           DiagnosticEngine &diag) {
  bool ok = true;
  std::vector<std::string> names;
  for (const Hyperparameter &h : model.hyperparameters)
    names.push_back(h.name.name);
  for (const auto &[name, text] : defines)
    if (!model.find_hyperparameter(name)) {
      diag.error(model.name.range, "model '" + model.name.name + "' has no hyperparameter '" +
                                       name + "' (set by -D " + name + "=" + text + ")");
      suggest(diag, name, names);
      ok = false;
    }
  HyperparameterValues values;
  for (const Hyperparameter &h : model.hyperparameters) {
    const char *type = scalar_type_name(h.type);
    if (auto it = defines.find(h.name.name); it != defines.end()) {
      auto v = parse_define(h.type, it->second);
      if (!v) {
        diag.error(h.name.range, "invalid value for -D " + h.name.name + "=" + it->second + ": '" +
                                     h.name.name + "' is " +
                                     (h.type == ScalarType::Int ? "an " : "a ") + type);
        ok = false;
        continue;
      }
      values.set(h.name.name, *v);
    } else if (h.default_value) {
      if (!ok)
        continue; // a default may depend on a value that failed
      auto v = evaluate(*h.default_value, values, diag);
      if (!v) {
        ok = false;
        continue;
      }
      values.set(h.name.name, convert(*v, h.type));
    } else {
      diag.error(h.name.range, "hyperparameter '" + h.name.name + "' of '" + model.name.name +
                                   "' has no value: pass -D " + h.name.name + "=<" + type + ">");
      ok = false;
    }
  }
  if (!ok)
    return std::nullopt;
  return values;
}

std::optional<HyperparameterValues> bind_instance_hyperparameters(const CallExpr &instance,
                                                                  const HyperparameterValues &outer,
                                                                  DiagnosticEngine &diag,
                                                                  const LocalLookup &locals) {
  const ModuleDecl &callee = *instance.module;
  std::vector<const Expr *> given(callee.hyperparameters.size(), nullptr);
  for (size_t i = 0; i < instance.args.size() && i < given.size(); ++i)
    given[i] = instance.args[i].get();
  for (const KeywordArg &kwarg : instance.kwargs)
    for (size_t i = 0; i < given.size(); ++i)
      if (callee.hyperparameters[i].name.name == kwarg.name.name)
        given[i] = kwarg.value.get();
  HyperparameterValues values;
  for (size_t i = 0; i < given.size(); ++i) {
    const Hyperparameter &h = callee.hyperparameters[i];
    std::optional<ConstValue> v;
    if (given[i])
      v = evaluate(*given[i], outer, diag, locals);
    else if (h.default_value)
      v = evaluate(*h.default_value, values, diag);
    if (!v)
      return std::nullopt;
    values.set(h.name.name, convert(*v, h.type));
  }
  return values;
}

} // namespace attn::dsl
