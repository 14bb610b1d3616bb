// The translations of the convolution-network ops (conv2d, max_pool2d, flatten) to their
// algorithms (ConvAlgorithms.cpp), for the handlers() table of LowerToHalide.cpp, in the form of
// LowerMoves.h: the operands are built first. conv2d is an anchor with a family of its own
// (ConvFuncs, scheduled by ConvSchedules.cpp); max_pool2d is an anchor with the pointwise
// schedules; flatten is layout and inlines.
#pragma once

#include "Algorithms.h"

#include "mlir/IR/Operation.h"

#include <string>
#include <vector>

namespace attn::compiler::lowering {

ConvFuncs lower_conv2d(mlir::Operation *op, const std::vector<HTensor> &operands,
                       const std::string &name);
HTensor lower_max_pool2d(mlir::Operation *op, const std::vector<HTensor> &operands,
                         const std::string &name);
HTensor lower_flatten(mlir::Operation *op, const std::vector<HTensor> &operands,
                      const std::string &name);

} // namespace attn::compiler::lowering
