// The score and mask regions of attn.attention and attn.attention_weights as Halide
// expressions (AttentionRegions, Algorithms.h), for both ops' translations in LowerToHalide.cpp.
#pragma once

#include "Algorithms.h"

#include "mlir/IR/Operation.h"
#include "mlir/Support/LogicalResult.h"

namespace attn::compiler::lowering {

/// Evaluates `op`'s regions (region 0 the score, region 1 the mask) once on symbolic arguments;
/// the returned functions substitute the actual ones per use. `score_dim` is D.
mlir::FailureOr<AttentionRegions> attention_regions(mlir::Operation *op, Halide::Expr score_dim);

} // namespace attn::compiler::lowering
