// Evaluates the scalar regions of `attn.attention` (score and mask) as Halide expressions:
// each arith/math op of the region maps to the Halide operation with the same meaning.
#pragma once

#include "Halide.h"
#include "mlir/IR/Region.h"
#include "mlir/Support/LogicalResult.h"

#include <functional>
#include <vector>

namespace attn::compiler::lowering {

/// Evaluates the single-block `region` with its block arguments bound to `args` (index values
/// as Int(32), f32 as Float(32)) and `score_dim` for `attn.score_dim`; returns the yielded
/// value, or failure after reporting an error at the offending op.
/// `lookup(table, indices)` reads table `table` of the attention for `attn.lookup`; without
/// it, a lookup is an error.
using TableLookup =
    std::function<Halide::Expr(int64_t table, const std::vector<Halide::Expr> &indices)>;
mlir::FailureOr<Halide::Expr> eval_region(mlir::Region &region,
                                          const std::vector<Halide::Expr> &args,
                                          Halide::Expr score_dim, const TableLookup &lookup = {});

} // namespace attn::compiler::lowering
