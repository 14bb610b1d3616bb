// Compile-time values: hyperparameters and the scalar expressions built from them. A model's
// hyperparameters come from their defaults and from `-D name=value` (parsed per the declared
// type); a submodule's from the arguments of its `param x = Module(...)` declaration,
// evaluated with the enclosing instance's values. Integer arithmetic is exact: a division
// that leaves a remainder, a division by zero or an overflow is an error at the operator.
#pragma once

#include "attn/dsl/AST.h"
#include "attn/dsl/Diagnostics.h"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace attn::dsl {

struct ConstValue {
  ScalarType type = ScalarType::Int;
  int64_t int_value = 0;
  double float_value = 0;
  bool bool_value = false;
  std::string string_value;

  static ConstValue of_int(int64_t v);
  static ConstValue of_float(double v);
  static ConstValue of_bool(bool v);
  static ConstValue of_string(std::string v);

  bool is_number() const { return type == ScalarType::Int || type == ScalarType::Float; }
  /// The number: ints and floats as they are, a bool as 1 or 0.
  double as_double() const {
    if (type == ScalarType::Bool)
      return bool_value ? 1.0 : 0.0;
    return type == ScalarType::Int ? double(int_value) : float_value;
  }
  /// Source-like text: 40, 0.5, true, "relu".
  std::string str() const;
};

/// The hyperparameter values of one module instance, in declaration order.
class HyperparameterValues {
public:
  void set(const std::string &name, ConstValue value);
  const ConstValue *find(llvm::StringRef name) const;
  const std::vector<std::pair<std::string, ConstValue>> &entries() const { return entries_; }

private:
  std::vector<std::pair<std::string, ConstValue>> entries_;
};

/// Resolves names that are not hyperparameters (scalar lets of a forward); may return null.
using LocalLookup = std::function<const ConstValue *(const NameExpr &)>;

/// The element type of the tensor a forward names, as `dtype(x)` gives it ("f32", "bool"); none
/// when the tensor failed to build (its error is already reported).
using DtypeLookup = std::function<std::optional<std::string>(const NameExpr &)>;

/// Evaluates a scalar expression Sema typed as int, float, bool or string. Reports value
/// errors (inexact division, division by zero, overflow, sqrt of a negative number).
std::optional<ConstValue> evaluate(const Expr &expr, const HyperparameterValues &values,
                                   DiagnosticEngine &diag, const LocalLookup &locals = nullptr,
                                   const DtypeLookup &dtypes = nullptr);

/// Parses a -D value as the declared type: int (decimal), float, bool (true/false/1/0) or
/// string (taken as is).
std::optional<ConstValue> parse_define(ScalarType type, llvm::StringRef text);

/// The model's hyperparameters from defaults and `defines`. Reports a define naming no
/// hyperparameter (at the model's name), a value of the wrong type and a missing required
/// value (at the hyperparameter's declaration, saying `-D name=<type>`).
std::optional<HyperparameterValues>
bind_model_hyperparameters(const ModuleDecl &model,
                           const std::map<std::string, std::string> &defines,
                           DiagnosticEngine &diag);

/// The hyperparameters of the submodule created by `instance` (`Linear(embed_dim, 4)`), whose
/// arguments are evaluated with `outer`, the enclosing instance's values, and `locals`, the
/// variables of the loops around the declaration (`[Block(i) for i in range(n)]`).
std::optional<HyperparameterValues>
bind_instance_hyperparameters(const CallExpr &instance, const HyperparameterValues &outer,
                              DiagnosticEngine &diag, const LocalLookup &locals = nullptr);

} // namespace attn::dsl
