// The seam between the partition of a model into steps (LowerModel.cpp) and the translation of
// one kernel to a Halide pipeline (LowerToHalide.cpp). Private to the lowering.
#pragma once

#include "Grouping.h"
#include "Schedules.h"

#include "attn/compiler/Lowering.h"

#include "llvm/ADT/DenseMap.h"

namespace attn::compiler {

/// `file:line:col` of the user's source for `loc` (the outermost caller of inlined code).
std::string location_string(mlir::Location loc);

namespace lowering {

/// The kernel `index` of `model`, materialising `root`: its ops translated to the op-family
/// algorithms, bounded and scheduled. `refs` names the buffer of every value the kernel may
/// read and of `root`. Errors, Halide's included, are reported at the root's location.
mlir::FailureOr<KernelPlan> lower_kernel(mlir::Value root, const Grouping &grouping,
                                         const llvm::DenseMap<mlir::Value, std::string> &refs,
                                         const std::string &model, size_t index,
                                         const ScheduleContext &ctx);

} // namespace lowering
} // namespace attn::compiler
