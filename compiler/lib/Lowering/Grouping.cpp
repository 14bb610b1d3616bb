#include "Grouping.h"

#include "attn/compiler/Dialect/AttnDialect.h"

namespace attn::compiler::lowering {

using namespace mlir;
namespace ad = mlir::attn;

bool is_anchor(Operation *op) { return isa<ad::MatmulOp, ad::SoftmaxOp, ad::AttentionOp>(op); }

bool is_elementwise(Operation *op) {
  return isa<ad::AddOp, ad::SubOp, ad::MulOp, ad::DivOp, ad::MaxOp, ad::MinOp, ad::NegOp, ad::ExpOp,
             ad::LogOp, ad::SqrtOp, ad::TanhOp, ad::SigmoidOp, ad::ReluOp>(op);
}

static bool is_leaf(Value v) {
  Operation *def = v.getDefiningOp();
  return !def || isa<ad::ParamOp, ad::ConstantOp>(def);
}

Grouping group_kernels(FuncOp func) {
  Grouping g;
  llvm::DenseSet<Value> returned;
  func.walk([&](ad::ReturnOp ret) {
    for (Value v : ret.operands())
      returned.insert(v);
  });
  for (Operation &op : func.getBody().front()) {
    if (op.getNumResults() != 1)
      continue;
    Value v = op.getResult(0);
    if (is_anchor(&op) || (returned.contains(v) && !isa<ad::ParamOp>(op)))
      g.materialised.insert(v);
  }
  // Epilogues: move materialisation from an anchor to its single elementwise user.
  for (Operation &op : func.getBody().front()) {
    if (!is_anchor(&op))
      continue;
    Value root = op.getResult(0);
    while (!returned.contains(root) && root.hasOneUse()) {
      Operation *user = *root.getUsers().begin();
      if (!is_elementwise(user) || user->getResult(0).getType() != root.getType())
        break;
      bool others_are_leaves =
          llvm::all_of(user->getOperands(), [&](Value o) { return o == root || is_leaf(o); });
      if (!others_are_leaves)
        break;
      g.materialised.erase(root);
      root = user->getResult(0);
      g.materialised.insert(root);
    }
  }
  for (Operation &op : func.getBody().front())
    if (op.getNumResults() == 1 && g.materialised.contains(op.getResult(0)))
      g.roots.push_back(op.getResult(0));
  return g;
}

} // namespace attn::compiler::lowering
