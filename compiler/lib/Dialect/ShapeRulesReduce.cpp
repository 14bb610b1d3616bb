// The shape rules of the reductions along one axis and of log_softmax (the ShapeInference
// interface; see ShapeRules.cpp for the others).
#include "attn/compiler/Dialect/AttnDialect.h"

using namespace mlir;
using namespace mlir::attn;
using ::attn::compiler::SymDim;
using ::attn::compiler::SymShape;
using ::attn::compiler::to_string;

namespace {

/// The result of reducing `in` along `axis`: that axis becomes 1 with `keepdim`, else goes.
FailureOr<SymShape> reduce_shape(Operation *op, const SymShape &in, int64_t axis, bool keepdim) {
  if (axis < 0 || axis >= static_cast<int64_t>(in.size())) {
    op->emitError() << op->getName().stripDialect() << " axis " << axis << " is out of range for "
                    << to_string(in);
    return failure();
  }
  SymShape out = in;
  if (keepdim)
    out[axis] = SymDim::constant(1);
  else
    out.erase(out.begin() + axis);
  return out;
}

} // namespace

#define ATTN_REDUCE_RULE(OP)                                                                       \
  FailureOr<SymShape> OP::inferSymShape(ArrayRef<SymShape> operands) {                             \
    return reduce_shape(getOperation(), operands[0], axis(), keepdim());                           \
  }
ATTN_REDUCE_RULE(ReduceSumOp)
ATTN_REDUCE_RULE(ReduceMeanOp)
ATTN_REDUCE_RULE(ReduceMaxOp)
ATTN_REDUCE_RULE(ReduceMinOp)
#undef ATTN_REDUCE_RULE

FailureOr<SymShape> LogSoftmaxOp::inferSymShape(ArrayRef<SymShape> operands) {
  const SymShape &in = operands[0];
  if (axis() < 0 || axis() >= static_cast<int64_t>(in.size())) {
    emitError() << "log_softmax axis " << axis() << " is out of range for " << to_string(in);
    return failure();
  }
  return in;
}
