// Registration of the attn dialect and the op definitions generated from ODS.
#include "attn/compiler/Dialect/AttnDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace mlir::attn;

#include "attn/compiler/Dialect/AttnDialect.cpp.inc"
#include "attn/compiler/Dialect/ShapeInferenceInterface.cpp.inc"

void AttnDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "attn/compiler/Dialect/AttnOps.cpp.inc"
      >();
}

OpFoldResult ConstantOp::fold(ArrayRef<Attribute>) { return valueAttr(); }

std::optional<::attn::compiler::SymShape> mlir::attn::get_sym_shape(Value value) {
  if (auto arg = value.dyn_cast<BlockArgument>()) {
    auto func = dyn_cast<FuncOp>(arg.getOwner()->getParentOp());
    if (!func)
      return std::nullopt;
    return ::attn::compiler::from_attr(func.getArgAttr(arg.getArgNumber(), kDimsAttr));
  }
  Operation *op = value.getDefiningOp();
  if (!op)
    return std::nullopt;
  return ::attn::compiler::from_attr(op->getAttr(kDimsAttr));
}

#define GET_OP_CLASSES
#include "attn/compiler/Dialect/AttnOps.cpp.inc"
