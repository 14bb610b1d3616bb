// attn-canonicalize: simplifies the IR once shapes are known.
//
// This is MLIR's canonicalizer (every loaded dialect's and op's canonicalization patterns, op
// folders, and the removal of dead side-effect-free ops, which is our dead-code elimination)
// plus the attn dialect's own simplifications:
//   - `attn.score_dim` becomes an `arith.constant` once the enclosing attention's query has a
//     static last axis, and `math.sqrt` of a constant (which MLIR 14 does not fold) a constant,
//     so that the usual `s / sqrt(D)` divides by a constant;
//   - `transpose(transpose(x))` becomes one transpose by the composed permutation, or `x` when
//     that is the identity (split_heads and merge_heads spelled by hand leave such pairs);
//   - `x * 1`, `1 * x` and `x / 1` become `x` (the front end scales by `1 / sqrt(D)` generically);
//     `x + 0`, `0 + x` and `x - 0` become `x`;
//   - a tensor holding one number everywhere (a left-out optional input, `attn.fill`, and what
//     elementwise and layout ops compute from it) becomes a rank-0 constant where another
//     operand already has the result's shape, and `where` on such a condition its branch
//     (FoldUniform.cpp): a mask left out of a call folds away.
// The rewrites keep `attn.dims` on what they create, so shape inference need not run again.
//
// The canonicalizer hoists constants out of regions that are not isolated from above, which
// would leave attention regions reading values from outside; the lowering compiles each region
// as a self-contained scalar function, so constants used inside a region are copied back in.
#include "attn/compiler/Passes.h"

#include "attn/compiler/Dialect/AttnDialect.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

using namespace mlir;
using namespace mlir::attn;

namespace {

/// `attn.score_dim` → `arith.constant D : f32` when D, the query's last axis, is static.
struct FoldScoreDim : OpRewritePattern<ScoreDimOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ScoreDimOp op, PatternRewriter &rewriter) const override {
    // Both attention ops take the query first.
    Operation *attention = op->getParentOp();
    while (attention && !isa<AttentionOp, AttentionWeightsOp>(attention))
      attention = attention->getParentOp();
    if (!attention)
      return failure();
    auto query = attention->getOperand(0).getType().dyn_cast<RankedTensorType>();
    if (!query || query.getRank() == 0 || query.isDynamicDim(query.getRank() - 1))
      return failure();
    float d = static_cast<float>(query.getDimSize(query.getRank() - 1));
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, rewriter.getF32FloatAttr(d));
    return success();
  }
};

/// `math.sqrt c` → the constant `sqrt(c)`, for f32 (the only float type in regions).
struct FoldConstantSqrt : OpRewritePattern<math::SqrtOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(math::SqrtOp op, PatternRewriter &rewriter) const override {
    FloatAttr operand;
    if (!op.getType().isF32() || !matchPattern(op.getOperand(), m_Constant(&operand)))
      return failure();
    float root = std::sqrt(static_cast<float>(operand.getValueAsDouble()));
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, rewriter.getF32FloatAttr(root));
    return success();
  }
};

SmallVector<int64_t> int_values(ArrayAttr array) {
  SmallVector<int64_t> values;
  for (Attribute a : array)
    values.push_back(a.cast<IntegerAttr>().getInt());
  return values;
}

/// `transpose(transpose(x, inner), outer)` → `transpose(x, inner ∘ outer)`, or `x`.
struct ComposeTransposes : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(TransposeOp op, PatternRewriter &rewriter) const override {
    auto inner = op.input().getDefiningOp<TransposeOp>();
    if (!inner)
      return failure();
    SmallVector<int64_t> outer_perm = int_values(op.perm());
    SmallVector<int64_t> inner_perm = int_values(inner.perm());
    if (outer_perm.size() != inner_perm.size())
      return failure();
    // result[i] = inner_result[outer[i]] = x[inner[outer[i]]].
    SmallVector<int64_t> composed;
    bool identity = true;
    for (size_t i = 0; i < outer_perm.size(); ++i) {
      composed.push_back(inner_perm[outer_perm[i]]);
      identity &= composed.back() == static_cast<int64_t>(i);
    }
    Value x = inner.input();
    if (identity) {
      // Before shape inference the types may differ (ranked input, unranked result).
      if (x.getType() != op.getType())
        return failure();
      rewriter.replaceOp(op, x);
      return success();
    }
    auto composed_op = rewriter.create<TransposeOp>(op.getLoc(), op.getType(), x,
                                                    rewriter.getI64ArrayAttr(composed));
    if (Attribute dims = op->getAttr(kDimsAttr))
      composed_op->setAttr(kDimsAttr, dims);
    rewriter.replaceOp(op, composed_op.result());
    return success();
  }
};

bool is_one(Value value) {
  FloatAttr constant;
  return matchPattern(value, m_Constant(&constant)) && constant.getValueAsDouble() == 1.0;
}

/// `x * 1`, `1 * x` → `x`; with `DivOp`, only `x / 1`. A rank-0 one never broadcasts `x` to a
/// new shape, but the types are compared anyway: before shape inference they may differ.
template <typename Op, bool commutative> struct DropMultiplicativeOne : OpRewritePattern<Op> {
  using OpRewritePattern<Op>::OpRewritePattern;

  LogicalResult matchAndRewrite(Op op, PatternRewriter &rewriter) const override {
    Value kept;
    if (is_one(op.rhs()))
      kept = op.lhs();
    else if (commutative && is_one(op.lhs()))
      kept = op.rhs();
    if (!kept || kept.getType() != op.getType())
      return failure();
    rewriter.replaceOp(op, kept);
    return success();
  }
};

class CanonicalizePass : public PassWrapper<CanonicalizePass, OperationPass<ModuleOp>> {
public:
  StringRef getArgument() const final { return "attn-canonicalize"; }
  StringRef getDescription() const final {
    return "Canonicalize with the attn dialect's folds, remove dead ops, keep region constants "
           "in their regions";
  }

  LogicalResult initialize(MLIRContext *context) override {
    RewritePatternSet patterns(context);
    for (Dialect *dialect : context->getLoadedDialects())
      dialect->getCanonicalizationPatterns(patterns);
    for (RegisteredOperationName op : context->getRegisteredOperations())
      op.getCanonicalizationPatterns(patterns, context);
    ::attn::compiler::populate_attn_canonicalization_patterns(patterns);
    patterns_ = FrozenRewritePatternSet(std::move(patterns));
    return success();
  }

  void runOnOperation() override {
    // Not reaching a fixed point within the driver's iteration limit leaves valid IR, only less
    // simplified; MLIR's own canonicalizer accepts that too.
    (void)applyPatternsAndFoldGreedily(getOperation(), patterns_);
    ::attn::compiler::sink_constants_into_attention_regions(getOperation());
  }

private:
  FrozenRewritePatternSet patterns_;
};

} // namespace

namespace attn::compiler {

void populate_attn_canonicalization_patterns(RewritePatternSet &patterns) {
  patterns.add<FoldScoreDim, FoldConstantSqrt, ComposeTransposes,
               DropMultiplicativeOne<MulOp, true>, DropMultiplicativeOne<DivOp, false>>(
      patterns.getContext());
  populate_uniform_folding_patterns(patterns);
}

void sink_constants_into_attention_regions(ModuleOp module) {
  module.walk([](Operation *attention) {
    if (!isa<AttentionOp, AttentionWeightsOp>(attention))
      return;
    for (Region &region : attention->getRegions()) {
      if (region.empty())
        continue;
      OpBuilder builder = OpBuilder::atBlockBegin(&region.front());
      llvm::DenseMap<Value, Value> copies;
      region.walk([&](Operation *op) {
        for (OpOperand &use : op->getOpOperands()) {
          Value value = use.get();
          Operation *def = value.getDefiningOp();
          if (!def || attention->isAncestor(def) || !matchPattern(value, m_Constant()))
            continue;
          auto [it, inserted] = copies.try_emplace(value);
          if (inserted)
            it->second = builder.clone(*def)->getResult(value.cast<OpResult>().getResultNumber());
          use.set(it->second);
        }
      });
      for (auto &[original, copy] : copies)
        if (Operation *def = original.getDefiningOp(); def && def->use_empty())
          def->erase();
    }
  });
}

std::unique_ptr<Pass> create_canonicalize_pass() { return std::make_unique<CanonicalizePass>(); }

} // namespace attn::compiler
