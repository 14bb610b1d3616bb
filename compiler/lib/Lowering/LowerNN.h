// The translations of the elementwise ops that broadcast their operands by their static shapes
// (where, comparisons), for the handlers() table of LowerToHalide.cpp, in the form of
// LowerMoves.h: the operands are built first.
#pragma once

#include "Algorithms.h"

#include "mlir/IR/Operation.h"

#include <string>
#include <vector>

namespace attn::compiler::lowering {

/// `attn.where`: the three operands broadcast together; nonzero conditions pick the first value.
HTensor lower_where(mlir::Operation *op, const std::vector<HTensor> &operands,
                    const std::string &name);

/// The comparisons (`attn.lt` … `attn.ne`): a bool tensor, or 1.0 and 0.0 for an f32 result.
HTensor lower_compare(mlir::Operation *op, const std::vector<HTensor> &operands,
                      const std::string &name);

} // namespace attn::compiler::lowering
