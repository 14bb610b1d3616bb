// The `attn` dialect: C++ declarations generated from AttnDialect.td and AttnOps.td, plus the
// symbolic-shape helpers its ops use. Include this header to build or inspect attn IR.
#pragma once

#include "attn/compiler/SymShape.h"

#include "mlir/Dialect/Arithmetic/IR/Arithmetic.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "attn/compiler/Dialect/AttnDialect.h.inc"
#include "attn/compiler/Dialect/ShapeInferenceInterface.h.inc"

#define GET_OP_CLASSES
#include "attn/compiler/Dialect/AttnOps.h.inc"

namespace mlir::attn {

/// Name of the attribute holding a result's (or a function argument's) symbolic shape.
constexpr const char *kDimsAttr = "attn.dims";
/// On `attn.scan`: the symbolic shapes of its block arguments and of its results, one dims
/// array each (an op with several results cannot use `attn.dims`).
constexpr const char *kArgDimsAttr = "attn.arg_dims";
constexpr const char *kResultDimsAttr = "attn.result_dims";
/// Name of the function-argument attribute holding an optional input's default value.
constexpr const char *kDefaultAttr = "attn.default";
/// Name of the function-argument attribute holding the forward argument's source name.
constexpr const char *kArgNameAttr = "attn.name";
/// On an `attn.attention` made for a variant member with learned parameters (`self.a(q, k, v)`):
/// the member's state_dict path (`decoder.a`), which names its attention map.
constexpr const char *kModuleAttr = "attn.module";

/// The symbolic shape recorded on a value: its defining op's `attn.dims` (a scan's
/// `attn.result_dims`), or for a block argument the enclosing function's argument attribute (a
/// scan's `attn.arg_dims`). nullopt before shape inference.
std::optional<::attn::compiler::SymShape> get_sym_shape(Value value);

/// A tensor element type as the language and the manifest spell it: "f32", "f16", "bf16",
/// "i64", "i32", "bool".
std::string element_type_name(Type element);

} // namespace mlir::attn
