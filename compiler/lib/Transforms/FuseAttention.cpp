// attn-fuse-attention: turns attention written out op by op into one `attn.attention`.
//
// Models spell attention in many ways: `softmax(matmul(q, transpose(k)) / sqrt(d)) · v`, with the
// scale multiplied or divided, applied to the scores, to q, or to k, and k transposed by hand or
// arriving already transposed. Unfused, such a chain materialises the [Sq, Sk] score matrix
// twice (scores, then probabilities); as one `attn.attention` it becomes a tiled kernel whose
// memory grows with the sequence, not with its square. This pass matches, on shape-inferred IR,
//
//   s = matmul(Q, Kt)            Kt = transpose(K) over the last two axes, or any [..., D, Sk]
//                                value (K is then an explicit transpose of it)
//   t = f_n(...f_1(s))           elementwise steps whose other operand, if any, is a rank-0
//                                constant: add, sub, mul, div, max, min, neg, exp, log, sqrt,
//                                tanh (the scale is one such step)
//   p = softmax(t, last axis)
//   o = matmul(p, V)
//
// where each of s, the f_i and p has exactly one use, and Q, K, V have one rank (2 to 4) and
// the same leading axes (attention does not broadcast them, matmul does). A multiplication or
// division of Q, Kt or K by a rank-0 constant is a scale of s and is moved into the score too.
// The result is `attn.attention(Q, K, V)` whose score region applies the f_i to the dot product
// as `arith`/`math` ops, and whose mask region is empty: the language cannot write a mask over
// tensors yet, and a bias tensor (`s + bias`) has no place in the op, so those chains are left
// unfused, as is anything else that does not match. The new op takes the softmax's location,
// which is where a model's attention shows in its source.
#include "attn/compiler/Passes.h"

#include "attn/compiler/Dialect/AttnDialect.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::attn;
using ::attn::compiler::SymShape;

namespace {

/// Builds, from scalar f32 operands, the scalar op that computes a tensor op elementwise.
using ScalarBuilder = Value (*)(OpBuilder &, Location, ValueRange);

template <typename ScalarOp> Value build_scalar(OpBuilder &b, Location loc, ValueRange operands) {
  return b.create<ScalarOp>(loc, operands)->getResult(0);
}

/// The one table of elementwise ops a score may pass through; null for any other op.
ScalarBuilder scalar_builder(Operation *op) {
  return TypeSwitch<Operation *, ScalarBuilder>(op)
      .Case([](AddOp) { return &build_scalar<arith::AddFOp>; })
      .Case([](SubOp) { return &build_scalar<arith::SubFOp>; })
      .Case([](MulOp) { return &build_scalar<arith::MulFOp>; })
      .Case([](DivOp) { return &build_scalar<arith::DivFOp>; })
      .Case([](MaxOp) { return &build_scalar<arith::MaxFOp>; })
      .Case([](MinOp) { return &build_scalar<arith::MinFOp>; })
      .Case([](NegOp) { return &build_scalar<arith::NegFOp>; })
      .Case([](ExpOp) { return &build_scalar<math::ExpOp>; })
      .Case([](LogOp) { return &build_scalar<math::LogOp>; })
      .Case([](SqrtOp) { return &build_scalar<math::SqrtOp>; })
      .Case([](TanhOp) { return &build_scalar<math::TanhOp>; })
      .Default([](Operation *) { return nullptr; });
}

/// The value of a rank-0 f32 constant: broadcasting it never changes the other operand's shape,
/// and its value can be copied into a score region.
std::optional<float> scalar_constant(Value value) {
  auto type = value.getType().dyn_cast<RankedTensorType>();
  FloatAttr constant;
  if (!type || type.getRank() != 0 || !type.getElementType().isF32() ||
      !matchPattern(value, m_Constant(&constant)))
    return std::nullopt;
  return static_cast<float>(constant.getValueAsDouble());
}

/// One elementwise op of the chain, applied to the score: operand `chain` is the score, the
/// other operand (binary ops) is `constant`.
struct ScoreStep {
  ScalarBuilder build;
  Location loc;
  unsigned chain;
  std::optional<float> constant;
};

/// `op` as a step of the score, when it is one with `op->getOperand(chain)` as the score.
std::optional<ScoreStep> as_score_step(Operation *op) {
  ScalarBuilder build = scalar_builder(op);
  if (!build)
    return std::nullopt;
  if (op->getNumOperands() == 1)
    return ScoreStep{build, op->getLoc(), 0, std::nullopt};
  if (auto c = scalar_constant(op->getOperand(1)))
    return ScoreStep{build, op->getLoc(), 0, c};
  if (auto c = scalar_constant(op->getOperand(0)))
    return ScoreStep{build, op->getLoc(), 1, c};
  return std::nullopt;
}

/// Peels multiplications and divisions by a rank-0 constant off an operand of the score matmul,
/// recording each as the same scaling of the score: (c·q)·k = c·(q·k). Other uses of the scaled
/// value, if any, keep it alive; the attention reads the unscaled one.
void peel_scales(Value &value, SmallVectorImpl<ScoreStep> &steps) {
  while (Operation *def = value.getDefiningOp()) {
    if (!isa<MulOp, DivOp>(def))
      return;
    auto step = as_score_step(def);
    // `c / x` is not a scale of x.
    if (!step || (isa<DivOp>(def) && step->chain != 0))
      return;
    steps.push_back(*step);
    value = def->getOperand(step->chain);
  }
}

/// Axis `i` of the permutation of `n` axes that swaps the last two: `[0, ..., n-1, n-2]`.
int64_t last_two_swapped(int64_t i, int64_t n) { return i < n - 2 ? i : 2 * n - 3 - i; }

/// Whether `op` swaps the last two axes and keeps the others in place.
bool swaps_last_two(TransposeOp op) {
  int64_t n = op.perm().size();
  for (int64_t i = 0; i < n; ++i)
    if (op.perm()[i].cast<IntegerAttr>().getInt() != last_two_swapped(i, n))
      return false;
  return n >= 2;
}

/// A chain found by match_attention(), ready to become one op.
struct AttentionChain {
  Value query, key_t, value;
  /// K itself when the matmul read an explicit transpose of it; null when a transpose of Kt
  /// must be made.
  Value key;
  SmallVector<ScoreStep> steps;
  SoftmaxOp softmax;
};

/// The symbolic shape of an f32 tensor of rank `rank`, or nullopt (also before shape inference).
std::optional<SymShape> shape_of(Value value, int64_t rank) {
  auto type = value.getType().dyn_cast<RankedTensorType>();
  if (!type || type.getRank() != rank || !type.getElementType().isF32())
    return std::nullopt;
  auto shape = get_sym_shape(value);
  if (!shape || static_cast<int64_t>(shape->size()) != rank)
    return std::nullopt;
  return shape;
}

/// Matches the chain ending in `pv = matmul(softmax(...), V)`; see the file comment.
std::optional<AttentionChain> match_attention(MatmulOp pv) {
  AttentionChain chain;
  chain.softmax = pv.lhs().getDefiningOp<SoftmaxOp>();
  if (!chain.softmax || !chain.softmax->hasOneUse())
    return std::nullopt;
  auto scores_type = chain.softmax.getType().dyn_cast<RankedTensorType>();
  if (!scores_type || scores_type.getRank() < 2 || scores_type.getRank() > 4 ||
      static_cast<int64_t>(chain.softmax.axis()) != scores_type.getRank() - 1)
    return std::nullopt;
  int64_t rank = scores_type.getRank();

  // From the softmax's input back to the score matmul; the steps are found last to first.
  SmallVector<ScoreStep> after_matmul;
  Value scores = chain.softmax.input();
  MatmulOp qk;
  while (true) {
    Operation *def = scores.getDefiningOp();
    if (!def || !scores.hasOneUse())
      return std::nullopt;
    if ((qk = dyn_cast<MatmulOp>(def)))
      break;
    auto step = as_score_step(def);
    if (!step)
      return std::nullopt;
    after_matmul.push_back(*step);
    scores = def->getOperand(step->chain);
  }

  chain.query = qk.lhs();
  chain.key_t = qk.rhs();
  chain.value = pv.rhs();
  peel_scales(chain.query, chain.steps);
  peel_scales(chain.key_t, chain.steps);
  if (auto transpose = chain.key_t.getDefiningOp<TransposeOp>();
      transpose && swaps_last_two(transpose)) {
    chain.key = transpose.input();
    peel_scales(chain.key, chain.steps);
  }
  chain.steps.append(after_matmul.rbegin(), after_matmul.rend());

  auto q = shape_of(chain.query, rank), kt = shape_of(chain.key_t, rank);
  auto v = shape_of(chain.value, rank);
  if (!q || !kt || !v || (chain.key && !shape_of(chain.key, rank)))
    return std::nullopt;
  for (int64_t i = 0; i + 2 < rank; ++i)
    if ((*q)[i] != (*kt)[i] || (*q)[i] != (*v)[i])
      return std::nullopt;
  return chain;
}

/// `transpose(value)` over the last two axes, with its shape recorded.
Value transpose_last_two(PatternRewriter &rewriter, Value value) {
  auto type = value.getType().cast<RankedTensorType>();
  int64_t n = type.getRank();
  SmallVector<int64_t> perm, sizes;
  for (int64_t i = 0; i < n; ++i) {
    perm.push_back(last_two_swapped(i, n));
    sizes.push_back(type.getDimSize(perm.back()));
  }
  auto transpose = rewriter.create<TransposeOp>(value.getLoc(),
                                                RankedTensorType::get(sizes, rewriter.getF32Type()),
                                                value, rewriter.getI64ArrayAttr(perm));
  SymShape shape = *get_sym_shape(value);
  std::swap(shape[n - 2], shape[n - 1]);
  transpose->setAttr(kDimsAttr, ::attn::compiler::to_attr(rewriter.getContext(), shape));
  return transpose.result();
}

/// Fills the score region: the steps, in order, applied to the dot product `s`.
void build_score(PatternRewriter &rewriter, AttentionOp attention, ArrayRef<ScoreStep> steps) {
  OpBuilder::InsertionGuard guard(rewriter);
  Location loc = attention.getLoc();
  Type f32 = rewriter.getF32Type(), index = rewriter.getIndexType();
  Block *block = rewriter.createBlock(&attention.score(), {}, {f32, index, index, index, index},
                                      {loc, loc, loc, loc, loc});
  Value score = block->getArgument(0);
  for (const ScoreStep &step : steps) {
    SmallVector<Value, 2> operands = {score};
    if (step.constant) {
      Value c =
          rewriter.create<arith::ConstantOp>(step.loc, rewriter.getF32FloatAttr(*step.constant));
      operands.insert(operands.begin() + (step.chain == 0 ? 1 : 0), c);
    }
    score = step.build(rewriter, step.loc, operands);
  }
  rewriter.create<YieldOp>(loc, score);
}

/// Anchored at the second matmul, `matmul(softmax(...), V)`, whose operands lead to the rest.
struct FuseAttentionChain : OpRewritePattern<MatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MatmulOp pv, PatternRewriter &rewriter) const override {
    auto chain = match_attention(pv);
    if (!chain)
      return failure();
    Value key = chain->key ? chain->key : transpose_last_two(rewriter, chain->key_t);
    auto attention = rewriter.create<AttentionOp>(chain->softmax.getLoc(), pv.getType(),
                                                  chain->query, key, chain->value);
    build_score(rewriter, attention, chain->steps);
    // match_attention() checked what the shape rule checks, so this cannot fail.
    auto shape = attention.inferSymShape(
        {*get_sym_shape(chain->query), *get_sym_shape(key), *get_sym_shape(chain->value)});
    if (failed(shape)) {
      assert(false && "a matched chain has a valid attention shape");
      rewriter.eraseOp(attention);
      return failure();
    }
    attention->setAttr(kDimsAttr, ::attn::compiler::to_attr(rewriter.getContext(), *shape));
    rewriter.replaceOp(pv, attention.result());
    return success();
  }
};

class FuseAttentionPass : public PassWrapper<FuseAttentionPass, OperationPass<ModuleOp>> {
public:
  StringRef getArgument() const final { return "attn-fuse-attention"; }
  StringRef getDescription() const final {
    return "Fuse matmul(Q, K^T), elementwise scaling, softmax and matmul(., V) into "
           "attn.attention";
  }

  LogicalResult initialize(MLIRContext *context) override {
    RewritePatternSet patterns(context);
    patterns.add<FuseAttentionChain>(context);
    patterns_ = FrozenRewritePatternSet(std::move(patterns));
    return success();
  }

  void runOnOperation() override {
    // Unfused chains that remain are valid IR, so not converging is not an error.
    (void)applyPatternsAndFoldGreedily(getOperation(), patterns_);
    // The driver's folder hoists region constants out of every attention op.
    ::attn::compiler::sink_constants_into_attention_regions(getOperation());
  }

private:
  FrozenRewritePatternSet patterns_;
};

} // namespace

namespace attn::compiler {

std::unique_ptr<Pass> create_fuse_attention_pass() { return std::make_unique<FuseAttentionPass>(); }

} // namespace attn::compiler
