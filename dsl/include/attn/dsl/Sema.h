// Semantic checks over a whole parsed Program: one namespace of definitions (duplicates are
// errors), name resolution (locals, hyperparameters, parameters, submodules, symbolic dims,
// score indices), expression types (tensor or compile-time scalar), calls against the built-in
// table and against submodules' forwards, module instantiation arguments against
// hyperparameter types, instantiation and inheritance cycles, and the rules of attention
// scores and masks. It annotates the AST (see "set by Sema" in AST.h). An expression whose
// problem was reported gets the type `Error`, which silences every check that depends on it.
#pragma once

#include "attn/dsl/AST.h"
#include "attn/dsl/Diagnostics.h"

namespace attn::dsl {

/// Checks and annotates `program`; returns true when it reported no error.
bool check_program(Program &program, DiagnosticEngine &diag);

/// The number of values a module's forward returns (declared result types, else the values
/// of its return statement); 0 if it has no forward.
unsigned forward_result_count(const ModuleDecl &module);

/// The first `return` of a block, also inside `if` and `for` blocks; null if there is none.
const Stmt *first_return(const std::vector<Stmt> &body);

/// The score indices a score or mask may declare, in block-argument order.
inline constexpr const char *kIndexNames[] = {"b", "h", "i", "j"};

/// The let named `name` of `variant` or of the variants it extends, nearest first; null if
/// none.
const LetDecl *find_let(const AttentionDecl *variant, llvm::StringRef name);

/// Whether `e` uses a let of its variant (a float a mask may compare).
bool reads_let(const Expr &e);

/// Whether `index` reads a row at the key position alone (`W[j]`).
bool is_key_position_row(const IndexExpr &index);
/// A parameter's row at another index than the key position (`a[j - i]`) that is an argument
/// of dot(...) itself (`rest` null) or a term added to it (`k + a[j - i]`, `rest` the key's
/// term); null for any other argument.
const IndexExpr *relative_row_term(const Expr &arg, const Expr *&rest);

} // namespace attn::dsl
