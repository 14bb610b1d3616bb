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
//   t = f_n(...f_1(s))           elementwise steps that keep the scores' shape: add, sub, mul,
//                                div, max, min, neg, exp, log, sqrt, tanh, leaky_relu, where;
//                                each other operand is a rank-0 constant or a tensor that
//                                broadcasts to the scores (a bias, a padding mask: `s + m`,
//                                `where(c, s, x)`)
//   p = softmax(t, last axis)
//   o = matmul(p, V)
//
// where each of s, the f_i and p has exactly one use, and Q, K, V have one rank (2 to 4) and
// the same leading axes (matmul broadcasts them, attention does not), except that K and V may
// have one head (axis 1 of rank 4) for the query's many: multi-query attention. A multiplication or
// division of Q, Kt or K by a rank-0 constant is a scale of s and is moved into the score too.
// The result is `attn.attention(Q, K, V, extras...)` whose score region applies the f_i to the
// dot product as `arith`/`math` ops, reading each tensor operand as an extra operand of the op
// (its element at the score's position), and whose mask region is empty. Masks left out of a
// call (`attn.fill`) are folded away by attn-canonicalize before this pass runs, so a layer
// called without one has no extras.
//
// The scores may also start without s: at an elementwise op f_1 whose operands all broadcast to
// the scores without having their shape (GAT's `leaky_relu(Wh a_src + transpose(Wh a_dst))`,
// an [N, 1] and a [1, N] term). f_1 then reads only extras, V's leading axes must be the
// scores', and an extra [..., Sq, x] with the scores' leading axes gives the query rows: the
// attention takes it and V with their last axis sliced to nothing as its query and key, so
// its dot product is empty. Anything else is left unfused. The new op takes the
// softmax's location, which is where a model's attention shows in its source.
#include "attn/compiler/Passes.h"

#include "attn/compiler/Dialect/AttnDialect.h"

#include "mlir/Dialect/StandardOps/IR/Ops.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/TypeSwitch.h"

#include <functional>

using namespace mlir;
using namespace mlir::attn;
using ::attn::compiler::SymShape;

namespace {

/// Builds, from scalar f32 operands, the scalar op that computes a tensor op elementwise.
using ScalarBuilder = std::function<Value(OpBuilder &, Location, ValueRange)>;

template <typename ScalarOp> Value build_scalar(OpBuilder &b, Location loc, ValueRange operands) {
  return b.create<ScalarOp>(loc, operands)->getResult(0);
}

/// x where x > 0, else slope * x.
ScalarBuilder leaky_relu_builder(float slope) {
  return [slope](OpBuilder &b, Location loc, ValueRange operands) -> Value {
    Value x = operands[0];
    Value zero = b.create<arith::ConstantOp>(loc, b.getF32FloatAttr(0.0f));
    Value scaled =
        b.create<arith::MulFOp>(loc, b.create<arith::ConstantOp>(loc, b.getF32FloatAttr(slope)), x);
    Value positive = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGT, x, zero);
    return b.create<mlir::SelectOp>(loc, positive, x, scaled);
  };
}

/// The one table of elementwise ops a score may pass through; null for any other op.
ScalarBuilder scalar_builder(Operation *op) {
  if (auto leaky = dyn_cast<LeakyReluOp>(op))
    return leaky_relu_builder(leaky.negative_slope().convertToFloat());
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
      .Default([](Operation *) { return ScalarBuilder(); });
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

/// Where one operand of a step comes from: the score itself, a constant copied into the score
/// region, or an extra operand of the attention (read at the score's position).
struct StepOperand {
  enum Kind { Score, Constant, Extra } kind;
  float constant = 0;
  Value extra;
};

/// One elementwise op of the chain, applied to the score.
struct ScoreStep {
  ScalarBuilder build;
  Location loc;
  SmallVector<StepOperand, 3> operands;
};

Value build_where(OpBuilder &b, Location loc, ValueRange operands) {
  Value zero = b.create<arith::ConstantOp>(loc, b.getF32FloatAttr(0.0f));
  Value keep = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::UNE, operands[0], zero);
  return b.create<mlir::SelectOp>(loc, keep, operands[1], operands[2]);
}

/// Whether `value` can be an extra operand of an attention whose scores have shape `scores`:
/// an f32 tensor that broadcasts to them (NumPy rules, aligned at the right).
bool broadcasts_to(Value value, const SymShape &scores) {
  auto type = value.getType().dyn_cast<RankedTensorType>();
  auto shape = get_sym_shape(value);
  if (!type || !type.getElementType().isF32() || !shape || shape->size() > scores.size())
    return false;
  for (size_t a = 0; a < shape->size(); ++a) {
    const auto &d = (*shape)[a];
    if (d != scores[scores.size() - shape->size() + a] && !(d.is_static() && d.value() == 1))
      return false;
  }
  return true;
}

/// `op` as a step of the score, with `op->getOperand(chain)` as the score of shape `scores`:
/// its other operands are rank-0 constants or tensors that broadcast to the scores without
/// widening them.
std::optional<ScoreStep> as_score_step(Operation *op, unsigned chain, const SymShape &scores) {
  ScalarBuilder build = isa<WhereOp>(op) ? ScalarBuilder(&build_where) : scalar_builder(op);
  if (!build || (isa<WhereOp>(op) && chain == 0))
    return std::nullopt;
  ScoreStep step{build, op->getLoc(), {}};
  for (unsigned i = 0; i < op->getNumOperands(); ++i) {
    Value operand = op->getOperand(i);
    if (i == chain)
      step.operands.push_back({StepOperand::Score});
    else if (auto c = scalar_constant(operand))
      step.operands.push_back({StepOperand::Constant, *c});
    else if (broadcasts_to(operand, scores))
      step.operands.push_back({StepOperand::Extra, 0, operand});
    else
      return std::nullopt;
  }
  return step;
}

/// The step `op` as a scale by a constant: `x * c`, `c * x` or `x / c`, with `x` operand `chain`.
std::optional<ScoreStep> as_scale(Operation *op, unsigned &chain) {
  if (!isa<MulOp, DivOp>(op))
    return std::nullopt;
  for (unsigned i = 0; i < 2; ++i) {
    // `c / x` is not a scale of x.
    if (isa<DivOp>(op) && i != 0)
      break;
    if (auto c = scalar_constant(op->getOperand(1 - i))) {
      chain = i;
      ScoreStep step{scalar_builder(op), op->getLoc(), {}};
      step.operands.resize(2, {StepOperand::Score});
      step.operands[1 - i] = {StepOperand::Constant, *c};
      return step;
    }
  }
  return std::nullopt;
}

/// Peels multiplications and divisions by a rank-0 constant off an operand of the score matmul,
/// recording each as the same scaling of the score: (c·q)·k = c·(q·k). Other uses of the scaled
/// value, if any, keep it alive; the attention reads the unscaled one.
void peel_scales(Value &value, SmallVectorImpl<ScoreStep> &steps) {
  while (Operation *def = value.getDefiningOp()) {
    unsigned chain = 0;
    auto step = as_scale(def, chain);
    if (!step)
      return;
    steps.push_back(*step);
    value = def->getOperand(chain);
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
  /// No score matmul: the scores start from tensors that broadcast to them (GAT's
  /// `a_src·h_i + a_dst·h_j`). `query` then holds an extra with the query rows, and the
  /// attention gets the query and key rows with zero features.
  bool rooted = false;
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

/// Whether the elementwise `op` makes scores of shape `scores` from operands that all broadcast
/// to them (none has their shape): where scores without a matmul start.
bool starts_scores(Operation *op, const SymShape &scores) {
  return llvm::none_of(op->getOperands(),
                       [&](Value operand) { return get_sym_shape(operand) == scores; });
}

/// Whether `value` is the result of a matmul with the scores' shape (`scores`), or that of a
/// chain of single-use elementwise ops that starts at one, or (with `broadcast`) at tensors
/// broadcast to the scores: the candidate for the score among a step's operands.
bool reaches_start(Value value, const SymShape &scores, bool broadcast, int depth = 0) {
  Operation *def = value.getDefiningOp();
  if (!def || depth > 64)
    return false;
  if (isa<MatmulOp>(def))
    return get_sym_shape(value) == scores;
  if (!scalar_builder(def) && !isa<WhereOp>(def))
    return false;
  if (broadcast && starts_scores(def, scores))
    return true;
  return llvm::any_of(def->getOperands(), [&](Value o) {
    return o.hasOneUse() && reaches_start(o, scores, broadcast, depth + 1);
  });
}

/// Completes a chain whose scores start from broadcast tensors: V's leading axes must be the
/// scores', and one of the extras must hold the query rows with them ([..., Sq, 1] or
/// [..., Sq, Sk]), to give the attention its query rows.
std::optional<AttentionChain> match_rooted(AttentionChain &chain, ArrayRef<ScoreStep> steps,
                                           MatmulOp pv, const SymShape &scores) {
  int64_t rank = static_cast<int64_t>(scores.size());
  chain.value = pv.rhs();
  chain.steps.assign(steps.rbegin(), steps.rend());
  auto v = shape_of(chain.value, rank);
  if (!v || !std::equal(scores.begin(), scores.end() - 2, v->begin()) ||
      (*v)[rank - 2] != scores.back())
    return std::nullopt;
  for (const ScoreStep &step : chain.steps)
    for (const StepOperand &operand : step.operands) {
      if (operand.kind != StepOperand::Extra)
        continue;
      auto e = shape_of(operand.extra, rank);
      if (e && std::equal(scores.begin(), scores.end() - 1, e->begin())) {
        chain.query = operand.extra;
        return chain;
      }
    }
  return std::nullopt;
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
  // Each step keeps the scores' shape; its score operand is the one with that shape that is
  // used once and defined by the matmul or another step.
  auto scores_shape = get_sym_shape(chain.softmax.input());
  if (!scores_shape)
    return std::nullopt;
  SmallVector<ScoreStep> after_matmul;
  Value scores = chain.softmax.input();
  MatmulOp qk;
  while (true) {
    Operation *def = scores.getDefiningOp();
    if (!def || !scores.hasOneUse() || get_sym_shape(scores) != scores_shape)
      return std::nullopt;
    if ((qk = dyn_cast<MatmulOp>(def)))
      break;
    // An operand that leads to a score matmul is the score; failing that, one that leads to
    // where scores start from broadcast tensors.
    std::optional<ScoreStep> step;
    unsigned chain_operand = 0;
    for (bool broadcast : {false, true})
      for (unsigned i = 0; i < def->getNumOperands() && !step; ++i) {
        Value operand = def->getOperand(i);
        Operation *from = operand.getDefiningOp();
        if (!from || !operand.hasOneUse() || get_sym_shape(operand) != scores_shape ||
            !reaches_start(operand, *scores_shape, broadcast))
          continue;
        step = as_score_step(def, i, *scores_shape);
        chain_operand = i;
      }
    if (!step) {
      // Where no operand has the scores' shape yet, they start here, from tensors that
      // broadcast to them.
      if (starts_scores(def, *scores_shape))
        step = as_score_step(def, ~0u, *scores_shape);
      if (!step)
        return std::nullopt;
      after_matmul.push_back(*step);
      chain.rooted = true;
      break;
    }
    after_matmul.push_back(*step);
    scores = def->getOperand(chain_operand);
  }
  if (chain.rooted)
    return match_rooted(chain, after_matmul, pv, *scores_shape);

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
  // One key/value head that matmul broadcasts over the query's heads is multi-query attention,
  // which attn.attention expresses; any other broadcast is not.
  auto one_head = [&](const SymShape &s, int64_t i) {
    return rank == 4 && i == 1 && s[i].is_static() && s[i].value() == 1;
  };
  for (int64_t i = 0; i + 2 < rank; ++i)
    if (((*q)[i] != (*kt)[i] || (*q)[i] != (*v)[i]) && !(one_head(*kt, i) && one_head(*v, i)))
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

/// `value`'s rows with zero features (its last axis sliced to nothing), shape recorded.
Value no_features(PatternRewriter &rewriter, Value value) {
  auto type = value.getType().cast<RankedTensorType>();
  int64_t n = type.getRank();
  SmallVector<int64_t> sizes(type.getShape().begin(), type.getShape().end());
  sizes.back() = 0;
  auto slice =
      rewriter.create<SliceOp>(value.getLoc(), RankedTensorType::get(sizes, type.getElementType()),
                               value, rewriter.getI64IntegerAttr(n - 1),
                               rewriter.getI64IntegerAttr(0), rewriter.getI64IntegerAttr(0));
  SymShape shape = *get_sym_shape(value);
  shape.back() = ::attn::compiler::SymDim::constant(0);
  slice->setAttr(kDimsAttr, ::attn::compiler::to_attr(rewriter.getContext(), shape));
  return slice.result();
}

/// The extra operands the steps read, each once, in order of first use.
SmallVector<Value> extras_of(ArrayRef<ScoreStep> steps) {
  SmallVector<Value> extras;
  for (const ScoreStep &step : steps)
    for (const StepOperand &operand : step.operands)
      if (operand.kind == StepOperand::Extra && !llvm::is_contained(extras, operand.extra))
        extras.push_back(operand.extra);
  return extras;
}

/// Fills the score region: the steps, in order, applied to the dot product `s`; an extra
/// operand is the block argument after `j` at its position among the attention's extras.
void build_score(PatternRewriter &rewriter, AttentionOp attention, ArrayRef<ScoreStep> steps) {
  OpBuilder::InsertionGuard guard(rewriter);
  Location loc = attention.getLoc();
  Type f32 = rewriter.getF32Type(), index = rewriter.getIndexType();
  SmallVector<Type> types = {f32, index, index, index, index};
  types.append(attention.extras().size(), f32);
  SmallVector<Location> locs(types.size(), loc);
  Block *block = rewriter.createBlock(&attention.score(), {}, types, locs);
  Value score = block->getArgument(0);
  auto extras = attention.extras();
  for (const ScoreStep &step : steps) {
    SmallVector<Value, 3> operands;
    for (const StepOperand &operand : step.operands) {
      if (operand.kind == StepOperand::Score)
        operands.push_back(score);
      else if (operand.kind == StepOperand::Constant)
        operands.push_back(rewriter.create<arith::ConstantOp>(
            step.loc, rewriter.getF32FloatAttr(operand.constant)));
      else
        operands.push_back(block->getArgument(
            5 + std::distance(extras.begin(), llvm::find(extras, operand.extra))));
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
    if (chain->rooted) {
      chain->query = no_features(rewriter, chain->query);
      chain->key = no_features(rewriter, chain->value);
    }
    Value key = chain->key ? chain->key : transpose_last_two(rewriter, chain->key_t);
    SmallVector<Value> extras = extras_of(chain->steps);
    auto attention = rewriter.create<AttentionOp>(chain->softmax.getLoc(), pv.getType(),
                                                  chain->query, key, chain->value, extras,
                                                  /*num_features=*/nullptr, /*normalizer=*/nullptr,
                                                  /*top_k=*/nullptr, /*num_tables=*/nullptr,
                                                  /*valueCount=*/0);
    build_score(rewriter, attention, chain->steps);
    // match_attention() checked what the shape rule checks, so this cannot fail.
    SmallVector<SymShape> operands = {*get_sym_shape(chain->query), *get_sym_shape(key),
                                      *get_sym_shape(chain->value)};
    for (Value extra : extras)
      operands.push_back(*get_sym_shape(extra));
    auto shape = attention.inferSymShape(operands);
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
  // A `where` step of a score becomes `std.select` in the score region.
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<arith::ArithmeticDialect, math::MathDialect, StandardOpsDialect>();
  }
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
