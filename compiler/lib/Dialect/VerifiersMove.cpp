// The checks the data-movement ops make on themselves (see Verifiers.cpp for the convention):
// attributes that must make sense on their own, element types that must carry through, and,
// once types are ranked, ranks. Sizes, bounds and positions are the shape rules' job
// (ShapeRulesMove.cpp): a model's inputs have ranked types from the start, and an index past
// a static axis is the user's mistake, which the shape rules report in the source's terms.
#include "attn/compiler/Dialect/AttnDialect.h"

using namespace mlir;
using namespace mlir::attn;

namespace {

RankedTensorType ranked(Value value) { return value.getType().dyn_cast<RankedTensorType>(); }

Type element_of(Value value) { return value.getType().cast<ShapedType>().getElementType(); }

int64_t signed_value(IntegerAttr attr) { return attr.getValue().getSExtValue(); }

/// The result keeps the input's element type; `what` names the input (possessive).
LogicalResult same_element_type(Operation *op, Value input, Value result, const char *what) {
  if (element_of(input) != element_of(result))
    return op->emitOpError() << "result of element type " << element_of(result)
                             << " should have the " << what << " element type "
                             << element_of(input);
  return success();
}

/// A valid axis of `input` (when ranked); `what` names the attribute.
LogicalResult check_axis(Operation *op, Value input, int64_t axis, const char *what) {
  if (axis < 0)
    return op->emitOpError() << what << " " << axis << " is negative; axes count from 0";
  auto type = ranked(input);
  if (type && axis >= type.getRank())
    return op->emitOpError() << what << " " << axis << " is out of range for " << type << " (rank "
                             << type.getRank() << ")";
  return success();
}

/// The result's rank, when both are ranked, is the input's plus `delta`.
LogicalResult check_rank(Operation *op, Value input, Value result, int64_t delta) {
  auto in = ranked(input), out = ranked(result);
  if (in && out && out.getRank() != in.getRank() + delta)
    return op->emitOpError() << "result " << out << " should have rank " << in.getRank() + delta;
  return success();
}

} // namespace

namespace mlir::attn {

LogicalResult verify_op(GatherOp op) {
  auto table = ranked(op.table()), ids = ranked(op.ids()), result = ranked(op.result());
  if (table && table.getRank() < 1)
    return op.emitOpError() << "needs a table of rank 1 or more, got " << table;
  if (failed(same_element_type(op, op.table(), op.result(), "table's")))
    return failure();
  if (table && ids && result && result.getRank() != ids.getRank() + table.getRank() - 1)
    return op.emitOpError() << "result " << result << " should have the ids' axes then the "
                            << "table's row axes: rank " << ids.getRank() + table.getRank() - 1;
  return success();
}

LogicalResult verify_op(ConcatOp op) {
  if (op.inputs().empty())
    return op.emitOpError("needs at least one operand");
  int64_t axis = signed_value(op.axisAttr());
  Value first = op.inputs().front();
  for (Value input : op.inputs()) {
    if (failed(check_axis(op, input, axis, "axis")) ||
        failed(same_element_type(op, input, op.result(), "operands'")) ||
        failed(check_rank(op, input, op.result(), 0)))
      return failure();
    auto a = ranked(first), b = ranked(input);
    if (a && b && a.getRank() != b.getRank())
      return op.emitOpError() << "needs operands of one rank, got " << a << " and " << b;
  }
  return success();
}

LogicalResult verify_op(SliceOp op) {
  int64_t axis = signed_value(op.axisAttr());
  if (failed(check_axis(op, op.input(), axis, "axis")) ||
      failed(same_element_type(op, op.input(), op.result(), "input's")))
    return failure();
  return check_rank(op, op.input(), op.result(), 0);
}

LogicalResult verify_op(SelectOp op) {
  int64_t axis = signed_value(op.axisAttr());
  if (failed(check_axis(op, op.input(), axis, "axis")) ||
      failed(same_element_type(op, op.input(), op.result(), "input's")))
    return failure();
  return check_rank(op, op.input(), op.result(), -1);
}

LogicalResult verify_op(UnsqueezeOp op) {
  int64_t axis = signed_value(op.axisAttr());
  if (axis < 0)
    return op.emitOpError() << "axis " << axis << " is negative; axes count from 0";
  auto input = ranked(op.input());
  if (input && axis > input.getRank())
    return op.emitOpError() << "axis " << axis << " is out of range for " << input
                            << " (0 to its rank " << input.getRank() << ")";
  if (failed(same_element_type(op, op.input(), op.result(), "input's")))
    return failure();
  return check_rank(op, op.input(), op.result(), 1);
}

LogicalResult verify_op(ArangeOp op) {
  auto result = ranked(op.result());
  if (result && result.getRank() != 1)
    return op.emitOpError() << "gives a rank-1 tensor, not " << result;
  if (op.like()) {
    if (!op.axisAttr() || op.sizeAttr())
      return op.emitOpError("with an operand takes the size of its `axis`, and no `size`");
    return check_axis(op, op.like(), signed_value(op.axisAttr()), "axis");
  }
  if (!op.sizeAttr() || op.axisAttr())
    return op.emitOpError("without an operand needs a static `size`, and no `axis`");
  int64_t size = signed_value(op.sizeAttr());
  if (size < 0)
    return op.emitOpError() << "size " << size << " is negative";
  if (result && !result.isDynamicDim(0) && result.getDimSize(0) != size)
    return op.emitOpError() << "result " << result << " should have " << size << " elements";
  return success();
}

} // namespace mlir::attn
