// The translations of the data-movement ops (cast, gather, concat, slice, select, unsqueeze,
// arange) to their algorithms (MoveAlgorithms.cpp), for the handlers() table of
// LowerToHalide.cpp, which builds the operands first; and the element types of kernel inputs and
// buffers, which the same table's inputs and the manifest need.
#pragma once

#include "Algorithms.h"

#include "mlir/IR/Operation.h"

#include <string>
#include <vector>

namespace attn::compiler::lowering {

/// Translates `op` given its operands, already built; `name` is a fresh Func name.
using OperandsTranslation = HTensor (*)(mlir::Operation *op, const std::vector<HTensor> &operands,
                                        const std::string &name);

HTensor lower_cast(mlir::Operation *op, const std::vector<HTensor> &operands,
                   const std::string &name);
HTensor lower_gather(mlir::Operation *op, const std::vector<HTensor> &operands,
                     const std::string &name);
HTensor lower_concat(mlir::Operation *op, const std::vector<HTensor> &operands,
                     const std::string &name);
HTensor lower_slice(mlir::Operation *op, const std::vector<HTensor> &operands,
                    const std::string &name);
HTensor lower_select(mlir::Operation *op, const std::vector<HTensor> &operands,
                     const std::string &name);
HTensor lower_unsqueeze(mlir::Operation *op, const std::vector<HTensor> &operands,
                        const std::string &name);
HTensor lower_arange(mlir::Operation *op, const std::vector<HTensor> &operands,
                     const std::string &name);

/// The Halide type of a tensor element type (f32, i64, i32, bool; f16 and bf16 as UInt(16) bit
/// patterns).
Halide::Type halide_type_of(mlir::Type element);
/// The manifest's name of a tensor's element type: "f32", "f16", "bf16", "i64", "i32", "bool"
/// (docs/internals.md).
std::string dtype_name_of(mlir::Value value);

} // namespace attn::compiler::lowering
