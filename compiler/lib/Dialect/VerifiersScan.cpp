// The checks of attn.scan on itself: its operands, block arguments, yielded values and results
// line up (counts and element types, and ranks once known). Symbolic agreement, such as a
// carry keeping its shape from one step to the next, is checked by shape inference, which
// sees the dims' names.
#include "attn/compiler/Dialect/AttnDialect.h"

using namespace mlir;
using namespace mlir::attn;

namespace {

Type element_of(Type type) { return type.cast<ShapedType>().getElementType(); }

/// The rank of `type`, or -1 while it is unranked.
int64_t rank_of(Type type) {
  auto ranked = type.dyn_cast<RankedTensorType>();
  return ranked ? ranked.getRank() : -1;
}

} // namespace

namespace mlir::attn {

LogicalResult verify_op(ScanOp op) {
  int64_t carries = op.num_carries();
  if (carries < 0 || carries > static_cast<int64_t>(op.operands().size()))
    return op.emitOpError() << "num_carries " << carries << " is not between 0 and the "
                            << op.operands().size() << " operands";
  if (op.sequences().empty())
    return op.emitOpError() << "needs at least one sequence to scan (operands after the " << carries
                            << " carries)";
  Block &body = op.body_block();
  if (body.getNumArguments() != 1 + op.operands().size())
    return op.emitOpError() << "body has " << body.getNumArguments()
                            << " arguments; expected the position, then one per operand ("
                            << 1 + op.operands().size() << ")";
  Type position = op.position().getType();
  if (!element_of(position).isInteger(64) || rank_of(position) > 0)
    return op.emitOpError() << "the body's first argument (the position) must be a rank-0 i64 "
                               "tensor, got "
                            << position;
  for (auto [init, arg] : llvm::zip(op.inits(), op.carry_args()))
    if (element_of(init.getType()) != element_of(arg.getType()))
      return op.emitOpError() << "carry argument " << arg.getType()
                              << " does not have the element type of its initial value "
                              << init.getType();
  int64_t length = ShapedType::kDynamicSize;
  for (auto [seq, arg] : llvm::zip(op.sequences(), op.row_args())) {
    if (element_of(seq.getType()) != element_of(arg.getType()))
      return op.emitOpError() << "row argument " << arg.getType()
                              << " does not have the element type of its sequence "
                              << seq.getType();
    int64_t rank = rank_of(seq.getType());
    if (rank == 0)
      return op.emitOpError() << "a sequence needs a leading axis to scan, got " << seq.getType();
    if (rank > 0 && rank_of(arg.getType()) >= 0 && rank_of(arg.getType()) != rank - 1)
      return op.emitOpError() << "row argument " << arg.getType() << " of sequence "
                              << seq.getType() << " should have rank " << rank - 1;
    if (rank > 0) {
      int64_t size = seq.getType().cast<RankedTensorType>().getDimSize(0);
      if (!ShapedType::isDynamic(size)) {
        if (!ShapedType::isDynamic(length) && size != length)
          return op.emitOpError() << "sequences of different lengths: " << length << " and "
                                  << size;
        length = size;
      }
    }
  }
  auto yield = dyn_cast<ScanYieldOp>(body.getTerminator());
  if (!yield)
    return op.emitOpError() << "body must end with attn.scan_yield";
  if (yield.operands().size() != op.getNumResults())
    return op.emitOpError() << "body yields " << yield.operands().size() << " values for "
                            << op.getNumResults() << " results";
  if (static_cast<int64_t>(yield.operands().size()) < carries)
    return op.emitOpError() << "body yields " << yield.operands().size()
                            << " values, fewer than its " << carries << " carries";
  for (unsigned i = 0; i < op.getNumResults(); ++i) {
    Type yielded = yield.operands()[i].getType(), result = op.getResult(i).getType();
    if (element_of(yielded) != element_of(result))
      return op.emitOpError() << "result #" << i << " " << result
                              << " does not have the element type of the yielded " << yielded;
    bool is_carry = i < carries;
    if (is_carry && element_of(yielded) != element_of(op.inits()[i].getType()))
      return op.emitOpError() << "carry #" << i << " starts as " << op.inits()[i].getType()
                              << " but a step yields " << yielded;
    int64_t want = rank_of(yielded) < 0 ? -1 : rank_of(yielded) + (is_carry ? 0 : 1);
    if (want >= 0 && rank_of(result) >= 0 && rank_of(result) != want)
      return op.emitOpError() << "result #" << i << " " << result << " should have rank " << want
                              << (is_carry ? ", the carry's" : ", a stacked output's");
  }
  return success();
}

} // namespace mlir::attn
