// The checker's state, shared by Sema.cpp (declarations) and SemaExpr.cpp (expressions).
// Private to the front end.
#pragma once

#include "attn/dsl/Sema.h"

#include "llvm/ADT/DenseSet.h"
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

/// Whether a value of type `value` may bind a hyperparameter declared `declared` (an int may
/// bind a float).
bool accepts(ScalarType declared, ExprType value);

/// The inputs of the module of a variant with parameters (made by the parser).
inline bool is_variant_input(llvm::StringRef name) {
  return name == "query" || name == "key" || name == "value" || name == "mask";
}

struct Local {
  SMRange range;
  ExprType type;         // Tensor, or a compile-time scalar
  bool loop_var = false; // the variable of an enclosing `for` (an int that cannot be rebound)
};

struct Scope {
  Context context = Context::Constant;
  const ModuleDecl *module = nullptr;
  const std::vector<Hyperparameter> *hyperparameters = nullptr;
  /// How many of `hyperparameters` are visible (a default sees only the earlier ones).
  size_t visible = std::numeric_limits<size_t>::max();
  /// Forward arguments and lets, and the variables of enclosing `for` loops (also at member
  /// level and in module-list comprehensions, where they are the only locals).
  llvm::StringMap<Local> locals;
  /// The locals as they were when the innermost `if`/`for` block of a forward began: a `let` in
  /// the block that names one of them updates it and must keep its type (SemaStructure.cpp).
  const llvm::StringMap<Local> *block_entry = nullptr;
  /// The number of values of the first `return` of the forward (-1 before it).
  int return_count = -1;
  /// In a scan's body, whose `return` gives the scan's values (SemaScan.cpp).
  bool in_scan = false;
  /// Where the first `return` is (valid once return_count is set).
  SMRange first_return;
  /// Dim context: whether unbound names become symbols (forward types) or are errors
  /// (parameter shapes, which must be static).
  bool allow_symbols = false;
  // Scores and masks.
  const AttentionDecl *attention = nullptr;
  std::string query, key;
  std::string value;   // the value clause's vector (v)
  bool in_let = false; // a let's body: a number per query row
  llvm::StringMap<SMRange> index_vars;
  int dots = 0;              // occurrences of dot(q, k) and super
  int one_sided_dots = 0;    // dots reading only the query or only the key (dot(a, q))
  int key_dots = 0;          // of those, the dots reading only the key
  std::vector<SMRange> dims; // the uses of dim(q) and dim(k)
  bool dot_error = false;    // a misuse of dot was already reported
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
  /// Declares a region's indices from `region.params[first]` on; false after an error.
  bool declare_indices(const RegionDecl &region, size_t first, Scope &scope);
  /// `value(v, i, j) = v + a[j - i]` (SemaAttention.cpp).
  void check_value_clause(AttentionDecl &attention, RegionDecl &region);
  void check_let(AttentionDecl &attention, LetDecl &let);
  ExprType check_value_expr(Expr &e, Scope &scope);
  void check_normalize(AttentionDecl &attention, NormalizeDecl &normalize);
  void check_hyperparameters(std::vector<Hyperparameter> &hyperparameters);
  void check_module(ModuleDecl &module);
  void check_param(ModuleDecl &module, ParamDecl &param, Scope &scope);
  void check_instance(ModuleDecl &module, CallExpr &call, const Scope &outer);
  void check_instantiation_cycles();
  void check_forward(ModuleDecl &module);
  /// Warns about each parameter and submodule of `module` its forward never names (PyTorch
  /// keeps such weights in the state_dict, so they are still loaded; they compute nothing).
  void warn_unused_params(const ModuleDecl &module);
  void check_tensor_type(TensorType &type, Scope &scope);
  void check_return(ForwardDecl &forward, Stmt &stmt, Scope &scope);
  /// An optional input's default: a compile-time number (a bool for a bool input); `optional`
  /// tracks the first optional input, after which every input must be optional.
  void check_input_default(ModuleDecl &module, ForwardArg &arg, const ForwardArg *&optional);
  /// Reports `name` (a forward argument, a let, a scan variable) shadowing a hyperparameter.
  void report_hyperparameter_clash(const ModuleDecl &module, const Ident &name, const char *what);
  void check_let(Stmt &stmt, Scope &scope);

  // Compile-time structure (SemaStructure.cpp): member blocks, containers, interpolated names,
  // element calls, `if`/`for` statements and conditional expressions.
  void check_members(ModuleDecl &module, std::vector<MemberNode> &members, Scope &scope,
                     bool in_loop);
  void check_container(ModuleDecl &module, ContainerDecl &container, Scope &scope);
  /// Checks the bounds and declares the loop variable in `scope`.
  bool check_range_loop(RangeLoop &loop, Scope &scope);
  /// A compile-time value of type `want` (Int or Bool); "<what> must be ..." otherwise.
  bool expect_compile_time(Expr &expr, Scope &scope, ExprType want, const llvm::Twine &what);
  bool check_name_parts(std::vector<NamePart> &parts, Scope &scope);
  /// The parameters and submodules `self.<name>` can denote: the one declared with that exact
  /// name, else every one whose (interpolated) name can spell the same text.
  std::vector<const ParamDecl *> find_members(const ModuleDecl &module, const std::string &name,
                                              const std::vector<NamePart> &parts);
  ExprType check_member_call(CallExpr &call, Scope &scope);
  ExprType check_conditional(ConditionalExpr &conditional, Scope &scope);
  ExprType check_region_conditional(ConditionalExpr &conditional, Scope &scope);
  /// After a type error on `operand`: a note when it is a hyperparameter that shares its name
  /// with a parameter (the bare name means the hyperparameter).
  void note_shadowed_param(const Expr &operand, const Scope &scope);
  /// Checks statements in order; returns whether every path through them returns.
  bool check_block(ForwardDecl &forward, std::vector<Stmt> &body, Scope &scope);
  bool check_if(ForwardDecl &forward, Stmt &stmt, Scope &scope);
  void check_for(ForwardDecl &forward, Stmt &stmt, Scope &scope);
  /// A `let` of `name` inside a block: reports rebinding a loop variable, or changing the type of
  /// a name bound before the block. Returns the type to record.
  ExprType check_block_update(const Ident &name, ExprType type, Scope &scope);

  // Expressions (SemaExpr.cpp).
  ExprType check(Expr &expr, Scope &scope);
  ExprType check_name(NameExpr &name, Scope &scope);
  ExprType check_self_member(SelfMemberExpr &member, Scope &scope);
  ExprType check_unary(UnaryExpr &unary, Scope &scope);
  ExprType check_binary(BinaryExpr &binary, Scope &scope);
  ExprType check_call(CallExpr &call, Scope &scope);
  ExprType check_submodule_call(CallExpr &call, const ParamDecl &param, Scope &scope);
  ExprType finish_submodule_call(CallExpr &call, const ModuleDecl &callee);
  /// The inputs a call of `callee` gives (written `self.<path>(...)`): positional ones, then
  /// keywords; every input without a default must be given. Sets call.kwarg_positions.
  bool check_call_inputs(CallExpr &call, llvm::StringRef path, const ModuleDecl &callee);
  /// Keyword arguments of a submodule call (`self.lstm(x, lengths=n)`): each names an input
  /// given no other way; every input without a default must be given.
  bool check_keyword_inputs(CallExpr &call, llvm::StringRef path, const ModuleDecl &callee);
  ExprType check_builtin(CallExpr &call, const BuiltinInfo &info, Scope &scope);
  ExprType check_score_builtin(CallExpr &call, Scope &scope);
  /// dot(x, y) in a score: vectors of the query, the key and parameters (SemaScore.cpp).
  ExprType check_dot(CallExpr &call, Scope &scope);
  /// A parameter indexed in a score: `W[j]`, a matrix's row at the key position (a vector,
  /// inside dot), or outside dot an element (check_table_read).
  ExprType check_param_index(IndexExpr &index, Scope &scope, bool in_dot);
  /// `bias[h, j - i]` outside dot(...): an element of a parameter of `rank` axes at int
  /// expressions of the indices, a number.
  ExprType check_table_read(IndexExpr &index, const std::string &name, size_t rank, Scope &scope);
  // Data movement (SemaMove.cpp): Unknown when `info` is not one of its built-ins.
  ExprType check_move_builtin(CallExpr &call, const BuiltinInfo &info, Scope &scope);
  // Convolution networks (SemaConv.cpp), after the arity checks: Unknown for other built-ins.
  ExprType check_conv_builtin(CallExpr &call, const BuiltinInfo &info, Scope &scope);
  ExprType check_index(IndexExpr &index, Scope &scope);
  // Recurrence (SemaScan.cpp).
  ExprType check_scan(ScanExpr &scan, Scope &scope);
  /// Checks `expr` and requires one of `allowed`; reports "<what> must be <...>, got <type>".
  bool expect_type(Expr &expr, Scope &scope, std::initializer_list<ExprType> allowed,
                   const llvm::Twine &what);
  void undefined_name(const Ident &name, const std::vector<std::string> &candidates);

  /// The parameters and submodules a forward names (by a bare name, `self.<name>`, or a call).
  llvm::DenseSet<const ParamDecl *> used_params_;

  Program &program_;
  DiagnosticEngine &diag_;
  bool syntax_errors_ = false;       // the parser reported errors: no unused-parameter warnings
  bool reported_long_chain_ = false; // these two limits are reported once
  bool reported_deep_nesting_ = false;
};

} // namespace attn::dsl
