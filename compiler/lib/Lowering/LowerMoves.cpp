// Translations of the data-movement ops: each reads the op's attributes and calls its algorithm
// (MoveAlgorithms.cpp). Axes are already non-negative (the front end normalises them); bounds
// keep their sign, which the algorithms resolve against the axis extent.
#include "LowerMoves.h"

#include "attn/compiler/Dialect/AttnDialect.h"

namespace attn::compiler::lowering {

namespace ad = mlir::attn;

namespace {

int64_t signed_value(mlir::IntegerAttr attr) { return attr.getValue().getSExtValue(); }

mlir::Type element_of(mlir::Value v) {
  return v.getType().cast<mlir::ShapedType>().getElementType();
}

} // namespace

/// Which 16-bit float `element` is, if it is one.
static std::optional<HalfKind> half_kind_of(mlir::Type element) {
  if (element.isF16())
    return HalfKind::F16;
  if (element.isBF16())
    return HalfKind::BF16;
  return std::nullopt;
}

Halide::Type halide_type_of(mlir::Type element) {
  if (element.isInteger(1))
    return Halide::Bool(); // stored in one byte, as the runtime's bool tensors
  if (element.isSignlessInteger())
    return Halide::Int(static_cast<int>(element.getIntOrFloatBitWidth()));
  if (half_kind_of(element))
    return Halide::UInt(16); // the bit pattern (Algorithms.h, HalfKind)
  return Halide::Float(32);
}

std::string dtype_name_of(mlir::Value value) {
  return mlir::attn::element_type_name(element_of(value));
}

HTensor lower_cast(mlir::Operation *op, const std::vector<HTensor> &in, const std::string &name) {
  mlir::Type result = element_of(op->getResult(0));
  return define_cast(name, in[0], halide_type_of(result),
                     half_kind_of(element_of(op->getOperand(0))), half_kind_of(result));
}

HTensor lower_gather(mlir::Operation *, const std::vector<HTensor> &in, const std::string &name) {
  return define_gather(name, in[0], in[1]);
}

HTensor lower_concat(mlir::Operation *op, const std::vector<HTensor> &in, const std::string &name) {
  auto concat = llvm::cast<ad::ConcatOp>(op);
  return define_concat(name, in, static_cast<int>(signed_value(concat.axisAttr())));
}

HTensor lower_slice(mlir::Operation *op, const std::vector<HTensor> &in, const std::string &name) {
  auto slice = llvm::cast<ad::SliceOp>(op);
  std::optional<int64_t> end;
  if (slice.endAttr())
    end = signed_value(slice.endAttr());
  return define_slice(name, in[0], static_cast<int>(signed_value(slice.axisAttr())),
                      signed_value(slice.startAttr()), end);
}

HTensor lower_select(mlir::Operation *op, const std::vector<HTensor> &in, const std::string &name) {
  auto select = llvm::cast<ad::SelectOp>(op);
  return define_select(name, in[0], static_cast<int>(signed_value(select.axisAttr())),
                       signed_value(select.indexAttr()));
}

HTensor lower_unsqueeze(mlir::Operation *op, const std::vector<HTensor> &in,
                        const std::string &name) {
  auto unsqueeze = llvm::cast<ad::UnsqueezeOp>(op);
  return define_unsqueeze(name, in[0], static_cast<int>(signed_value(unsqueeze.axisAttr())));
}

HTensor lower_arange(mlir::Operation *op, const std::vector<HTensor> &in, const std::string &name) {
  auto arange = llvm::cast<ad::ArangeOp>(op);
  Halide::Type type = halide_type_of(element_of(arange.result()));
  if (in.empty())
    return define_arange(name, static_cast<int>(signed_value(arange.sizeAttr())), type);
  return define_arange(name, in[0].extents[signed_value(arange.axisAttr())], type);
}

} // namespace attn::compiler::lowering
