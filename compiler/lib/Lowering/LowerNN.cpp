// See LowerNN.h.
#include "LowerNN.h"

#include "attn/compiler/Dialect/AttnDialect.h"

#include "mlir/IR/BuiltinTypes.h"

#include "llvm/ADT/TypeSwitch.h"

using Halide::Expr;

namespace attn::compiler::lowering {

namespace {

/// `fn` of the operands' elements, the operands broadcast together (NumPy rules).
HTensor define_broadcast(mlir::Operation *op, const std::vector<HTensor> &operands,
                         const std::string &name,
                         const std::function<Expr(const std::vector<Expr> &)> &fn) {
  // Which axes of each operand are a static 1 that stretches.
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
    std::vector<Expr> elements;
    for (size_t k = 0; k < operands.size(); ++k)
      elements.push_back(broadcast_at(operands[k], ones[k], i));
    return fn(elements);
  });
}

} // namespace

HTensor lower_where(mlir::Operation *op, const std::vector<HTensor> &operands,
                    const std::string &name) {
  return define_broadcast(op, operands, name, [](const std::vector<Expr> &e) {
    return Halide::select(e[0] != 0.0f, e[1], e[2]);
  });
}

HTensor lower_compare(mlir::Operation *op, const std::vector<HTensor> &operands,
                      const std::string &name) {
  bool as_bool = op->getResult(0).getType().cast<mlir::ShapedType>().getElementType().isInteger(1);
  return define_broadcast(op, operands, name, [&](const std::vector<Expr> &e) {
    Expr holds = llvm::TypeSwitch<mlir::Operation *, Expr>(op)
                     .Case([&](mlir::attn::LtOp) { return e[0] < e[1]; })
                     .Case([&](mlir::attn::LeOp) { return e[0] <= e[1]; })
                     .Case([&](mlir::attn::GtOp) { return e[0] > e[1]; })
                     .Case([&](mlir::attn::GeOp) { return e[0] >= e[1]; })
                     .Case([&](mlir::attn::EqOp) { return e[0] == e[1]; })
                     .Default([&](mlir::Operation *) { return e[0] != e[1]; });
    return as_bool ? holds : Halide::select(holds, 1.0f, 0.0f);
  });
}

} // namespace attn::compiler::lowering
