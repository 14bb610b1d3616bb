#include "Grouping.h"

#include "attn/compiler/Dialect/AttnDialect.h"

namespace attn::compiler::lowering {

using namespace mlir;
namespace ad = mlir::attn;

bool is_anchor(Operation *op) {
  return isa<ad::MatmulOp, ad::SoftmaxOp, ad::LogSoftmaxOp, ad::AttentionOp, ad::AttentionWeightsOp,
             ad::Conv2dOp, ad::MaxPool2dOp>(op);
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

namespace {

/// Materialises a value that is read where it cannot be inlined (by a scan, or from inside a
/// scan's body): any op result but a weight or a constant, which every kernel can recompute.
void require_buffer(Value v, llvm::DenseSet<Value> &materialised, bool constants_too) {
  Operation *def = v.getDefiningOp();
  if (!def || isa<ad::ParamOp>(def) || (!constants_too && isa<ad::ConstantOp>(def)))
    return;
  materialised.insert(v);
}

/// Whether `v` is defined outside the body of `scan`.
bool defined_outside(Value v, ad::ScanOp scan) {
  return !scan.body().isAncestor(v.getParentRegion());
}

/// Partitions one block (the function's, or a scan's body) into steps.
std::vector<Grouping::Step> group_block(Block &block, Grouping &g) {
  llvm::DenseSet<Value> returned;
  for (Value v : block.getTerminator()->getOperands())
    returned.insert(v);
  for (Operation &op : block) {
    if (op.getNumResults() != 1)
      continue;
    Value v = op.getResult(0);
    // A fill has no operand to take its sizes from: it is a kernel of its own, whose output
    // buffer gives them.
    if (is_anchor(&op) || isa<ad::FillOp>(op) || (returned.contains(v) && !isa<ad::ParamOp>(op)))
      g.materialised.insert(v);
  }
  // Epilogues: move materialisation from an anchor to its single elementwise user.
  for (Operation &op : block) {
    if (!is_anchor(&op))
      continue;
    Value root = op.getResult(0);
    while (!returned.contains(root) && root.hasOneUse()) {
      Operation *user = *root.getUsers().begin();
      if (!is_elementwise(user) || user->getBlock() != &block ||
          user->getResult(0).getType() != root.getType())
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
  for (Operation &op : block)
    if (is_anchor(&op))
      for (Value o : op.getOperands())
        if (inlines_reduction(o, g.materialised, memo))
          g.materialised.insert(o);

  std::vector<Grouping::Step> steps;
  // A sequence's row returned as it is by a scan's body is copied out by a kernel of its own.
  if (auto scan = dyn_cast<ad::ScanOp>(block.getParentOp()))
    for (BlockArgument row : scan.row_args())
      if (returned.contains(row)) {
        g.materialised.insert(row);
        steps.push_back({row, nullptr, {}});
      }
  for (Operation &op : block) {
    if (auto scan = dyn_cast<ad::ScanOp>(op)) {
      for (Value result : scan.getResults())
        g.materialised.insert(result);
      steps.push_back({Value(), scan, group_block(scan.body_block(), g)});
      continue;
    }
    if (op.getNumResults() == 1 && g.materialised.contains(op.getResult(0)))
      steps.push_back({op.getResult(0), nullptr, {}});
  }
  return steps;
}

} // namespace

Grouping group_kernels(FuncOp func) {
  Grouping g;
  // What scans read must be in buffers before they run: their operands (initial carries,
  // sequences) and whatever their bodies read from outside them.
  func.walk([&](Operation *op) {
    if (auto scan = dyn_cast<ad::ScanOp>(op))
      for (Value v : scan.operands())
        require_buffer(v, g.materialised, /*constants_too=*/true);
    for (Operation *parent = op->getParentOp(); parent && !isa<FuncOp>(parent);
         parent = parent->getParentOp())
      if (auto scan = dyn_cast<ad::ScanOp>(parent))
        for (Value v : op->getOperands())
          if (defined_outside(v, scan))
            require_buffer(v, g.materialised, /*constants_too=*/false);
  });
  g.steps = group_block(func.getBody().front(), g);
  return g;
}

} // namespace attn::compiler::lowering
