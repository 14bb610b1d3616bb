// Folds of values that hold one number everywhere: `attn.fill` (an optional input a call left
// out, e.g. a padding mask) and what elementwise and layout ops compute from fills and rank-0
// constants. A left-out mask reaches a model's scores as `s + where(cast(fill false), -1e9, 0)`
// broadcast over heads and queries: a tensor of zeros, but one that a kernel would read and the
// attention fusion would have to carry. Where such a value meets a tensor that already has the
// result's shape, it is replaced by a rank-0 constant, and the usual folds (`x + 0`, `x * 1`,
// `where` on a known condition) then remove the op, so the layer is the same as one written
// without a mask.
#include "attn/compiler/Passes.h"

#include "attn/compiler/Dialect/AttnDialect.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <optional>

using namespace mlir;
using namespace mlir::attn;
using ::attn::compiler::SymShape;

namespace {

/// The one number every element of `value` holds, when it is known at compile time.
std::optional<double> uniform_value(Value value, int depth = 0) {
  Operation *def = value.getDefiningOp();
  if (!def || depth > 32)
    return std::nullopt;
  if (auto fill = dyn_cast<FillOp>(def)) {
    double v = fill.value().convertToDouble();
    auto type = value.getType().cast<TensorType>();
    if (type.getElementType().isInteger(1))
      return v != 0 ? 1.0 : 0.0;
    if (type.getElementType().isa<IntegerType>())
      return std::trunc(v);
    return v;
  }
  FloatAttr constant;
  if (matchPattern(value, m_Constant(&constant)))
    return constant.getValueAsDouble();
  auto in = [&](unsigned i) { return uniform_value(def->getOperand(i), depth + 1); };
  // Layout ops move elements around; a cast to a float keeps the value (bools are 0 and 1).
  if (isa<TransposeOp, ReshapeOp, SplitHeadsOp, MergeHeadsOp, FlattenOp, SliceOp, SelectOp,
          UnsqueezeOp>(def))
    return in(0);
  if (auto cast = dyn_cast<CastOp>(def)) {
    auto v = in(0);
    auto element = cast.getType().cast<TensorType>().getElementType();
    if (!v || element.isF32())
      return v;
    if (auto real = element.dyn_cast<FloatType>()) {
      // f16 or bf16: the f32 value rounded to nearest even, as the kernels and the runtime
      // round a default (rounding the double directly could differ at a tie).
      llvm::APFloat rounded(static_cast<float>(*v));
      bool inexact = false;
      rounded.convert(real.getFloatSemantics(), llvm::APFloat::rmNearestTiesToEven, &inexact);
      return rounded.convertToDouble();
    }
    if (element.isInteger(1))
      return *v != 0 ? 1.0 : 0.0;
    return std::trunc(*v);
  }
  if (auto where = dyn_cast<WhereOp>(def)) {
    auto c = in(0);
    if (!c)
      return std::nullopt;
    return *c != 0 ? in(1) : in(2);
  }
  if (def->getNumOperands() == 2) {
    auto a = in(0), b = in(1);
    if (!a || !b)
      return std::nullopt;
    return TypeSwitch<Operation *, std::optional<double>>(def)
        .Case([&](AddOp) { return *a + *b; })
        .Case([&](SubOp) { return *a - *b; })
        .Case([&](MulOp) { return *a * *b; })
        .Case([&](MaxOp) { return std::max(*a, *b); })
        .Case([&](MinOp) { return std::min(*a, *b); })
        .Case([&](LtOp) { return *a < *b ? 1.0 : 0.0; })
        .Case([&](LeOp) { return *a <= *b ? 1.0 : 0.0; })
        .Case([&](GtOp) { return *a > *b ? 1.0 : 0.0; })
        .Case([&](GeOp) { return *a >= *b ? 1.0 : 0.0; })
        .Case([&](EqOp) { return *a == *b ? 1.0 : 0.0; })
        .Case([&](NeOp) { return *a != *b ? 1.0 : 0.0; })
        .Default([](Operation *) { return std::nullopt; });
  }
  if (def->getNumOperands() == 1 && isa<NegOp>(def))
    if (auto a = in(0))
      return -*a;
  return std::nullopt;
}

bool is_rank0_constant(Value value) {
  auto type = value.getType().dyn_cast<RankedTensorType>();
  return type && type.getRank() == 0 && matchPattern(value, m_Constant());
}

/// An elementwise op (binary, or `where`) one of whose f32 operands is uniform, while another
/// operand already has the result's shape: that operand becomes a rank-0 `attn.constant`,
/// which broadcasting leaves out of the result's shape.
struct UniformOperandToConstant : RewritePattern {
  UniformOperandToConstant(MLIRContext *context)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, context) {}

  LogicalResult matchAndRewrite(Operation *op, PatternRewriter &rewriter) const override {
    if (!isa<AddOp, SubOp, MulOp, DivOp, MaxOp, MinOp, LtOp, LeOp, GtOp, GeOp, EqOp, NeOp, WhereOp>(
            op))
      return failure();
    auto result = get_sym_shape(op->getResult(0));
    if (!result)
      return failure();
    for (unsigned i = 0; i < op->getNumOperands(); ++i) {
      Value operand = op->getOperand(i);
      auto type = operand.getType().dyn_cast<RankedTensorType>();
      if (!type || !type.getElementType().isF32() || is_rank0_constant(operand))
        continue;
      auto value = uniform_value(operand);
      if (!value)
        continue;
      bool shaped_by_others = false;
      for (unsigned j = 0; j < op->getNumOperands(); ++j)
        if (j != i && get_sym_shape(op->getOperand(j)) == result)
          shaped_by_others = true;
      if (!shaped_by_others)
        continue;
      auto constant = rewriter.create<ConstantOp>(
          operand.getLoc(), RankedTensorType::get({}, rewriter.getF32Type()),
          rewriter.getF32FloatAttr(static_cast<float>(*value)));
      constant->setAttr(kDimsAttr, ::attn::compiler::to_attr(rewriter.getContext(), SymShape{}));
      rewriter.updateRootInPlace(op, [&] { op->setOperand(i, constant.result()); });
      return success();
    }
    return failure();
  }
};

bool is_zero(Value value) {
  FloatAttr constant;
  return matchPattern(value, m_Constant(&constant)) && constant.getValueAsDouble() == 0.0;
}

/// `x + 0`, `0 + x` → `x`; with `SubOp`, only `x - 0`. The types are compared: the rank-0
/// zero must not have been what broadcast `x`.
template <typename Op, bool commutative> struct DropAdditiveZero : OpRewritePattern<Op> {
  using OpRewritePattern<Op>::OpRewritePattern;

  LogicalResult matchAndRewrite(Op op, PatternRewriter &rewriter) const override {
    Value kept;
    if (is_zero(op.rhs()))
      kept = op.lhs();
    else if (commutative && is_zero(op.lhs()))
      kept = op.rhs();
    if (!kept || kept.getType() != op.getType())
      return failure();
    rewriter.replaceOp(op, kept);
    return success();
  }
};

/// `where(c, a, b)` with `c` the same number everywhere → `a` or `b`, when that one already has
/// the result's type (the condition did not broadcast it).
struct FoldUniformWhere : OpRewritePattern<WhereOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(WhereOp op, PatternRewriter &rewriter) const override {
    auto c = uniform_value(op.condition());
    if (!c)
      return failure();
    Value kept = *c != 0 ? op.true_value() : op.false_value();
    if (kept.getType() != op.getType() || get_sym_shape(kept) != get_sym_shape(op.result()))
      return failure();
    rewriter.replaceOp(op, kept);
    return success();
  }
};

} // namespace

namespace attn::compiler {

void populate_uniform_folding_patterns(RewritePatternSet &patterns) {
  patterns.add<UniformOperandToConstant, DropAdditiveZero<AddOp, true>,
               DropAdditiveZero<SubOp, false>, FoldUniformWhere>(patterns.getContext());
}

} // namespace attn::compiler
