// The checker's state, shared by Sema.cpp (declarations) and SemaExpr.cpp (expressions).
// Private to the front end.
#pragma once

#include "attn/dsl/Sema.h"

#include "llvm/ADT/StringMap.h"

#include <initializer_list>
#include <limits>

namespace attn::dsl {

/// Where an expression stands, which decides what names and built-ins mean there.
enum class Context {
  Constant, // hyperparameter defaults and module instantiation arguments
  Dim,      // dimensions of a tensor type
  Forward,  // a forward body
  Score,    // an attention score
  Mask,     // an attention mask
};

struct Local {
  SMRange range;
  ExprType type; // Tensor, or a compile-time scalar
};

struct Scope {
  Context context = Context::Constant;
  const ModuleDecl *module = nullptr;
  const std::vector<Hyperparameter> *hyperparameters = nullptr;
  /// How many of `hyperparameters` are visible (a default sees only the earlier ones).
  size_t visible = std::numeric_limits<size_t>::max();
  /// Forward arguments and lets.
  llvm::StringMap<Local> locals;
  /// Dim context: whether unbound names become symbols (forward types) or are errors
  /// (parameter shapes, which must be static).
  bool allow_symbols = false;
  // Scores and masks.
  const AttentionDecl *attention = nullptr;
  std::string query, key;
  llvm::StringMap<SMRange> index_vars;
  int dots = 0;           // occurrences of dot(q, k) and super
  bool dot_error = false; // a misuse of dot was already reported
};

class Sema {
public:
  Sema(Program &program, DiagnosticEngine &diag) : program_(program), diag_(diag) {}
  void run();

private:
  // Declarations (Sema.cpp).
  void register_definitions();
  void resolve_parent(AttentionDecl &attention);
  void check_inheritance_cycles();
  void check_attention(AttentionDecl &attention);
  void check_region(AttentionDecl &attention, RegionDecl &region, bool is_score);
  void check_hyperparameters(std::vector<Hyperparameter> &hyperparameters);
  void check_module(ModuleDecl &module);
  void check_instance(ModuleDecl &module, CallExpr &call);
  void check_instantiation_cycles();
  void check_forward(ModuleDecl &module);
  void check_tensor_type(TensorType &type, Scope &scope);
  void check_return(ForwardDecl &forward, Stmt &stmt, Scope &scope);

  // Expressions (SemaExpr.cpp).
  ExprType check(Expr &expr, Scope &scope);
  ExprType check_name(NameExpr &name, Scope &scope);
  ExprType check_self_member(SelfMemberExpr &member, Scope &scope);
  ExprType check_unary(UnaryExpr &unary, Scope &scope);
  ExprType check_binary(BinaryExpr &binary, Scope &scope);
  ExprType check_call(CallExpr &call, Scope &scope);
  ExprType check_submodule_call(CallExpr &call, const ParamDecl &param, Scope &scope);
  ExprType check_builtin(CallExpr &call, const BuiltinInfo &info, Scope &scope);
  ExprType check_score_builtin(CallExpr &call, Scope &scope);
  // Data movement (SemaMove.cpp): Unknown when `info` is not one of its built-ins.
  ExprType check_move_builtin(CallExpr &call, const BuiltinInfo &info, Scope &scope);
  // Convolution networks (SemaConv.cpp), after the arity checks: Unknown for other built-ins.
  ExprType check_conv_builtin(CallExpr &call, const BuiltinInfo &info, Scope &scope);
  ExprType check_index(IndexExpr &index, Scope &scope);
  /// Checks `expr` and requires one of `allowed`; reports "<what> must be <...>, got <type>".
  bool expect_type(Expr &expr, Scope &scope, std::initializer_list<ExprType> allowed,
                   const llvm::Twine &what);
  void undefined_name(const Ident &name, const std::vector<std::string> &candidates);

  Program &program_;
  DiagnosticEngine &diag_;
  bool reported_long_chain_ = false; // these two limits are reported once
  bool reported_deep_nesting_ = false;
};

} // namespace attn::dsl
