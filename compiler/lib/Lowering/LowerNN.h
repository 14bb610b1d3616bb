// The translations of the elementwise ops of neural-network layers that take more than the
// usual one or two operands (where), for the handlers() table of LowerToHalide.cpp, in the form
// of LowerMoves.h: the operands are built first.
#pragma once

#include "Algorithms.h"

#include "mlir/IR/Operation.h"

#include <string>
#include <vector>

namespace attn::compiler::lowering {

/// `attn.where`: the three operands broadcast together; nonzero conditions pick the first value.
HTensor lower_where(mlir::Operation *op, const std::vector<HTensor> &operands,
                    const std::string &name);

} // namespace attn::compiler::lowering
