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

std::string mlir::attn::element_type_name(Type element) {
  if (element.isInteger(1))
    return "bool";
  if (element.isSignlessInteger())
    return "i" + std::to_string(element.getIntOrFloatBitWidth());
  if (element.isF16())
    return "f16";
  if (element.isBF16())
    return "bf16";
  return "f32";
}

std::optional<::attn::compiler::SymShape> mlir::attn::get_sym_shape(Value value) {
  auto nth = [](Attribute list, unsigned i) -> Attribute {
    auto array = list.dyn_cast_or_null<ArrayAttr>();
    return array && i < array.size() ? array[i] : Attribute();
  };
  if (auto arg = value.dyn_cast<BlockArgument>()) {
    Operation *parent = arg.getOwner()->getParentOp();
    if (auto func = dyn_cast<FuncOp>(parent))
      return ::attn::compiler::from_attr(func.getArgAttr(arg.getArgNumber(), kDimsAttr));
    if (auto scan = dyn_cast<ScanOp>(parent))
      return ::attn::compiler::from_attr(nth(scan->getAttr(kArgDimsAttr), arg.getArgNumber()));
    return std::nullopt;
  }
  Operation *op = value.getDefiningOp();
  if (!op)
    return std::nullopt;
  if (isa<ScanOp>(op))
    return ::attn::compiler::from_attr(
        nth(op->getAttr(kResultDimsAttr), value.cast<OpResult>().getResultNumber()));
  return ::attn::compiler::from_attr(op->getAttr(kDimsAttr));
}

#define GET_OP_CLASSES
#include "attn/compiler/Dialect/AttnOps.cpp.inc"
