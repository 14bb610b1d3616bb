// The bridge from the language to the IR: the one place that reads the checked AST
// (attn/dsl/AST.h) and builds attn dialect ops. It elaborates one model: evaluates its
// hyperparameters (defaults and -D values), instantiates its submodules (parameter names get
// the PyTorch `state_dict` prefixes, `query.weight`), and inlines every submodule call into one
// function named after the model:
//
//   func @MultiHeadAttention(%query: tensor<?x?x40xf32> {attn.name = "query",
//                                                        attn.dims = ["B", "Sq", 40]}, ...)
//       -> tensor<*xf32> attributes {attn.model = "...", attn.source = "...",
//                                    attn.hyperparameters = {embed_dim = 40 : i64, ...}}
//
// Parameters come first, as `attn.param` ops of exact static type in state_dict order. Every
// other tensor op has an unranked result (`tensor<*xf32>`) for the shape-inference pass to
// rank. Each inlined call checks its arguments (and its declared results) with
// `attn.assert_shape` in a fresh scope; the model's own results are checked in scope 0, whose
// symbols are those of the function arguments. `attend<V>` becomes `attn.attention` with the
// variant's score and mask built from arith/math ops in its regions. Every op carries the
// FileLineColLoc of its source; ops of an inlined callee carry CallSiteLoc(callee, caller).
// Errors found while elaborating (bad -D values, inexact divisions, unknown ranks for negative
// axes) are reported through the front end's DiagnosticEngine.
#pragma once

#include "attn/dsl/AST.h"
#include "attn/dsl/Diagnostics.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"

#include <map>
#include <string>

namespace attn {

/// Builds the IR of `model` (empty: the root file's only model) of a program that passed its
/// checks (diag.error_count() == 0). Loads the attn dialect (and arith, math) into `context`.
/// Returns null after reporting errors.
mlir::OwningOpRef<mlir::ModuleOp> mlir_gen(mlir::MLIRContext &context, const dsl::Program &program,
                                           const std::string &model,
                                           const std::map<std::string, std::string> &defines,
                                           dsl::DiagnosticEngine &diag);

} // namespace attn
