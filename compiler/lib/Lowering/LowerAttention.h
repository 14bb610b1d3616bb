// The score and mask regions of attn.attention and attn.attention_weights as Halide
// expressions (AttentionRegions, Algorithms.h), for both ops' translations in LowerToHalide.cpp.
#pragma once

#include "Algorithms.h"

#include "mlir/IR/Operation.h"
#include "mlir/Support/LogicalResult.h"

#include <vector>

namespace attn::compiler::lowering {

/// An extra operand of an attention: a tensor broadcast to the scores, `ones` marking its
/// static-1 axes (they stretch).
struct AttentionExtra {
  HTensor tensor;
  std::vector<bool> ones;
};

/// Evaluates `op`'s regions (region 0 the score, region 1 the mask, region 2 the feature term if
/// any) once on symbolic arguments; the returned functions substitute the actual ones per use.
/// `score_dim` is D. `extras` are all the op's extras: the score reads each but the last
/// `num_features` at its (b, h, i, j), the extras' last axes being the scores' last; the feature
/// term reads those last ones at the feature index.
mlir::FailureOr<AttentionRegions> attention_regions(mlir::Operation *op, Halide::Expr score_dim,
                                                    const std::vector<AttentionExtra> &extras);

} // namespace attn::compiler::lowering
