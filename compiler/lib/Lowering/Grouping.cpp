#include "Grouping.h"

#include "attn/compiler/Dialect/AttnDialect.h"

namespace attn::compiler::lowering {

using namespace mlir;
namespace ad = mlir::attn;

bool is_anchor(Operation *op) {
  return isa<ad::MatmulOp, ad::SoftmaxOp, ad::LogSoftmaxOp, ad::AttentionOp, ad::Conv2dOp,
             ad::MaxPool2dOp>(op);
}

bool is_elementwise(Operation *op) {
  return isa<ad::AddOp, ad::SubOp, ad::MulOp, ad::DivOp, ad::MaxOp, ad::MinOp, ad::NegOp, ad::ExpOp,
             ad::LogOp, ad::SqrtOp, ad::TanhOp, ad::SigmoidOp, ad::ReluOp, ad::AbsOp, ad::RsqrtOp,
             ad::GeluOp, ad::EluOp, ad::LeakyReluOp, ad::PowOp, ad::LtOp, ad::LeOp, ad::GtOp,
             ad::GeOp, ad::EqOp, ad::NeOp, ad::WhereOp>(op);
}

bool is_reduction(Operation *op) {
  return isa<ad::ReduceSumOp, ad::ReduceMeanOp, ad::ReduceMaxOp, ad::ReduceMinOp>(op);
}

static bool is_leaf(Value v) {
  Operation *def = v.getDefiningOp();
  return !def || isa<ad::ParamOp, ad::ConstantOp>(def);
}

/// Whether a kernel reading `v` would compute a reduction: `v` is not materialised and a
/// reduction is among the ops inlined to compute it.
static bool inlines_reduction(Value v, const llvm::DenseSet<Value> &materialised,
                              llvm::DenseMap<Value, bool> &memo) {
  Operation *def = v.getDefiningOp();
  if (!def || materialised.contains(v) || isa<ad::ParamOp, ad::ConstantOp>(def))
    return false;
  if (is_reduction(def))
    return true;
  if (auto it = memo.find(v); it != memo.end())
    return it->second;
  bool found = llvm::any_of(def->getOperands(),
                            [&](Value o) { return inlines_reduction(o, materialised, memo); });
  memo[v] = found;
  return found;
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
  // An anchor's operand that computes reductions (a LayerNorm before a Linear) is a kernel of
  // its own: inlined, it would be recomputed for every element the anchor reads, and its
  // reductions could not run per row.
  llvm::DenseMap<Value, bool> memo;
  for (Operation &op : func.getBody().front())
    if (is_anchor(&op))
      for (Value o : op.getOperands())
        if (inlines_reduction(o, g.materialised, memo))
          g.materialised.insert(o);
  for (Operation &op : func.getBody().front())
    if (op.getNumResults() == 1 && g.materialised.contains(op.getResult(0)))
      g.roots.push_back(op.getResult(0));
  return g;
}

} // namespace attn::compiler::lowering
