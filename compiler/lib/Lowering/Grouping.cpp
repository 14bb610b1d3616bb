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

/// Whether `v` is computed from weights, constants and inputs alone (no kernel's result):
/// cheap for any kernel to recompute, and often broadcast, so better not held in a buffer.
bool from_leaves(Value v, const llvm::DenseSet<Value> &materialised,
                 llvm::DenseMap<Value, bool> &memo) {
  Operation *def = v.getDefiningOp();
  if (!def || isa<ad::ParamOp, ad::ConstantOp>(def))
    return true;
  if (materialised.contains(v) || is_anchor(def))
    return false;
  if (auto it = memo.find(v); it != memo.end())
    return it->second;
  memo[v] = false; // no cycles in SSA; guards the recursion all the same
  bool leaves = !isa<ad::ScanOp>(def) && llvm::all_of(def->getOperands(), [&](Value o) {
    return from_leaves(o, materialised, memo);
  });
  memo[v] = leaves;
  return leaves;
}

/// Whether `v` only rearranges a buffer, a weight or an input (transposes, reshapes, slices:
/// no arithmetic): inlining it costs an index computation, a buffer for it a copy.
bool is_view(Value v, const llvm::DenseSet<Value> &materialised) {
  Operation *def = v.getDefiningOp();
  if (!def || materialised.contains(v) || isa<ad::ParamOp, ad::ConstantOp>(def))
    return true;
  if (!isa<ad::TransposeOp, ad::ReshapeOp, ad::SplitHeadsOp, ad::MergeHeadsOp, ad::FlattenOp,
           ad::SliceOp, ad::SelectOp, ad::UnsqueezeOp>(def))
    return false;
  return is_view(def->getOperand(0), materialised);
}

/// Materialises a value that kernels would otherwise inline when two or more kernels read it
/// and it depends on another kernel's result. A transformer's residual stream (x + attention,
/// then + ffn, layer after layer) is such a value: inlined, every kernel reading it — each q, k
/// and v projection, each LayerNorm — would recompute the whole sum back to the last buffer, so
/// work is repeated and no two layers' kernels look alike (nor share compiled code).
/// Walking the block backwards sees every user of a value before the value itself, so each
/// value's readers are known: the kernels that read it directly, or through values inlined.
void materialise_shared(Block &block, llvm::DenseSet<Value> &materialised) {
  // For each value not in a buffer: the kernel roots that inline it (its direct readers that
  // are roots, and the roots of its inlined readers).
  llvm::DenseMap<Value, llvm::SmallPtrSet<void *, 4>> readers;
  llvm::DenseMap<Value, bool> memo;
  for (Operation &op : llvm::reverse(block)) {
    if (op.getNumResults() != 1 || isa<ad::ScanOp>(op))
      continue;
    Value v = op.getResult(0);
    llvm::SmallPtrSet<void *, 4> roots;
    bool outside_reader = false;
    for (Operation *user : v.getUsers()) {
      if (user->getBlock() != &block || user->getNumResults() != 1 || isa<ad::ScanOp>(user)) {
        outside_reader = true; // a scan or its body reads it: require_buffer saw to it
        continue;
      }
      Value u = user->getResult(0);
      if (materialised.contains(u))
        roots.insert(u.getAsOpaquePointer());
      else if (auto it = readers.find(u); it != readers.end())
        roots.insert(it->second.begin(), it->second.end());
    }
    if (materialised.contains(v) || outside_reader)
      continue;
    if (roots.size() >= 2 && !is_view(v, materialised) && !from_leaves(v, materialised, memo)) {
      materialised.insert(v);
      continue;
    }
    readers[v] = std::move(roots);
  }
}

/// Epilogues: moves materialisation from an anchor to its single elementwise user of the same
/// shape, as long as that user's other operands are already at hand in every kernel (weights,
/// inputs, constants, buffers), and on along such a chain. A value it moves past stays inlined.
void move_epilogues(Block &block, const llvm::DenseSet<Value> &returned,
                    llvm::DenseSet<Value> &materialised) {
  for (Operation &op : block) {
    if (!is_anchor(&op))
      continue;
    Value root = op.getResult(0);
    while (!returned.contains(root) && root.hasOneUse()) {
      Operation *user = *root.getUsers().begin();
      if (!is_elementwise(user) || user->getBlock() != &block ||
          user->getResult(0).getType() != root.getType())
        break;
      bool others_at_hand = llvm::all_of(user->getOperands(), [&](Value o) {
        return o == root || is_leaf(o) || materialised.contains(o);
      });
      if (!others_at_hand)
        break;
      materialised.erase(root);
      root = user->getResult(0);
      materialised.insert(root);
    }
  }
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
  move_epilogues(block, returned, g.materialised);
  // An anchor's operand that computes reductions (a LayerNorm before a Linear) is a kernel of
  // its own: inlined, it would be recomputed for every element the anchor reads, and its
  // reductions could not run per row.
  llvm::DenseMap<Value, bool> memo;
  for (Operation &op : block)
    if (is_anchor(&op))
      for (Value o : op.getOperands())
        if (inlines_reduction(o, g.materialised, memo))
          g.materialised.insert(o);

  materialise_shared(block, g.materialised);
  // Once the residual stream is in buffers, each of its sums is an epilogue of the matmul it
  // adds (the attention's output projection, the feed-forward's second Linear).
  move_epilogues(block, returned, g.materialised);

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
