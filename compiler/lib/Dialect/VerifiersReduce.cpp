// The checks of the reductions along one axis and of log_softmax (see Verifiers.cpp for the
// conventions): the axis is in range and, once types are ranked, the result has the reduced
// shape.
#include "attn/compiler/Dialect/AttnDialect.h"

using namespace mlir;
using namespace mlir::attn;

namespace {

RankedTensorType ranked(Value value) { return value.getType().dyn_cast<RankedTensorType>(); }

LogicalResult verify_axis(Operation *op, int64_t axis, RankedTensorType input) {
  if (axis < 0)
    return op->emitOpError() << "axis " << axis << " is negative; axes count from 0";
  if (input && axis >= input.getRank())
    return op->emitOpError() << "axis " << axis << " is out of range for " << input << " (rank "
                             << input.getRank() << ")";
  return success();
}

template <typename ReduceOp> LogicalResult verify_reduce(ReduceOp op) {
  auto input = ranked(op.input()), result = ranked(op.result());
  int64_t axis = static_cast<int64_t>(op.axis());
  if (failed(verify_axis(op, axis, input)))
    return failure();
  if (!input || !result)
    return success();
  SmallVector<int64_t> expected(input.getShape().begin(), input.getShape().end());
  if (op.keepdim())
    expected[axis] = 1;
  else
    expected.erase(expected.begin() + axis);
  auto agrees = [](int64_t a, int64_t b) {
    return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
  };
  bool ok = result.getRank() == static_cast<int64_t>(expected.size());
  for (size_t i = 0; ok && i < expected.size(); ++i)
    ok = agrees(result.getDimSize(i), expected[i]);
  if (!ok)
    return op.emitOpError() << "result " << result << " is not " << input << " reduced along axis "
                            << axis << (op.keepdim() ? " (keepdim)" : "");
  return success();
}

} // namespace

namespace mlir::attn {

LogicalResult verify_op(ReduceSumOp op) { return verify_reduce(op); }
LogicalResult verify_op(ReduceMeanOp op) { return verify_reduce(op); }
LogicalResult verify_op(ReduceMaxOp op) { return verify_reduce(op); }
LogicalResult verify_op(ReduceMinOp op) { return verify_reduce(op); }

LogicalResult verify_op(LogSoftmaxOp op) { return verify_axis(op, op.axis(), ranked(op.input())); }

} // namespace mlir::attn
