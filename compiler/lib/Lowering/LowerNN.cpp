// See LowerNN.h.
#include "LowerNN.h"

#include "mlir/IR/BuiltinTypes.h"

using Halide::Expr;

namespace attn::compiler::lowering {

HTensor lower_where(mlir::Operation *op, const std::vector<HTensor> &operands,
                    const std::string &name) {
  // Which axes of each operand are a static 1 that stretches (NumPy broadcasting).
  std::vector<std::vector<bool>> ones;
  size_t rank = 0;
  for (mlir::Value v : op->getOperands()) {
    std::vector<bool> unit;
    for (int64_t size : v.getType().cast<mlir::RankedTensorType>().getShape())
      unit.push_back(size == 1);
    rank = std::max(rank, unit.size());
    ones.push_back(unit);
  }
  // Each axis takes its extent from the first operand where it is not a stretched 1.
  std::vector<Expr> extents(rank, Expr(1));
  std::vector<bool> known(rank, false);
  for (size_t k = 0; k < operands.size(); ++k)
    for (size_t a = 0; a < operands[k].extents.size(); ++a) {
      size_t axis = rank - operands[k].extents.size() + a;
      if (!known[axis] && !ones[k][a]) {
        extents[axis] = operands[k].extents[a];
        known[axis] = true;
      }
    }
  return define_pointwise(name, extents, [&](const std::vector<Expr> &i) {
    return Halide::select(broadcast_at(operands[0], ones[0], i) != 0.0f,
                          broadcast_at(operands[1], ones[1], i),
                          broadcast_at(operands[2], ones[2], i));
  });
}

} // namespace attn::compiler::lowering
