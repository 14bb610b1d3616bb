#include "RegionEval.h"

#include "Algorithms.h"

#include "attn/compiler/Dialect/AttnDialect.h"

#include "mlir/Dialect/StandardOps/IR/Ops.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

namespace attn::compiler::lowering {

using Halide::Expr;
namespace arith = mlir::arith;
namespace math = mlir::math;

namespace {

Expr cmp_i(arith::CmpIPredicate p, Expr a, Expr b) {
  switch (p) {
  case arith::CmpIPredicate::eq:
    return a == b;
  case arith::CmpIPredicate::ne:
    return a != b;
  case arith::CmpIPredicate::slt:
  case arith::CmpIPredicate::ult:
    return a < b;
  case arith::CmpIPredicate::sle:
  case arith::CmpIPredicate::ule:
    return a <= b;
  case arith::CmpIPredicate::sgt:
  case arith::CmpIPredicate::ugt:
    return a > b;
  case arith::CmpIPredicate::sge:
  case arith::CmpIPredicate::uge:
    return a >= b;
  }
  return Expr();
}

Expr cmp_f(arith::CmpFPredicate p, Expr a, Expr b) {
  switch (p) {
  case arith::CmpFPredicate::OEQ:
  case arith::CmpFPredicate::UEQ:
    return a == b;
  case arith::CmpFPredicate::ONE:
  case arith::CmpFPredicate::UNE:
    return a != b;
  case arith::CmpFPredicate::OLT:
  case arith::CmpFPredicate::ULT:
    return a < b;
  case arith::CmpFPredicate::OLE:
  case arith::CmpFPredicate::ULE:
    return a <= b;
  case arith::CmpFPredicate::OGT:
  case arith::CmpFPredicate::UGT:
    return a > b;
  case arith::CmpFPredicate::OGE:
  case arith::CmpFPredicate::UGE:
    return a >= b;
  case arith::CmpFPredicate::AlwaysTrue:
    return Halide::cast<bool>(1);
  default:
    return Halide::cast<bool>(0);
  }
}

Expr constant(mlir::Attribute value) {
  if (auto f = value.dyn_cast<mlir::FloatAttr>())
    return Expr(static_cast<float>(f.getValueAsDouble()));
  if (auto i = value.dyn_cast<mlir::IntegerAttr>()) {
    if (i.getType().isInteger(1))
      return Halide::cast<bool>(static_cast<int>(i.getValue().getZExtValue()));
    return Expr(static_cast<int32_t>(i.getInt()));
  }
  return Expr();
}

} // namespace

mlir::FailureOr<Expr> eval_region(mlir::Region &region, const std::vector<Expr> &args,
                                  Expr score_dim, const TableLookup &lookup) {
  mlir::Block &block = region.front();
  llvm::DenseMap<mlir::Value, Expr> values;
  for (auto [arg, expr] : llvm::zip(block.getArguments(), args))
    values[arg] = expr;
  auto in = [&](mlir::Value v) { return values.lookup(v); };
  for (mlir::Operation &op : block) {
    if (auto yield = llvm::dyn_cast<mlir::attn::YieldOp>(op))
      return in(yield.value());
    Expr result =
        llvm::TypeSwitch<mlir::Operation *, Expr>(&op)
            .Case<arith::ConstantOp>([](auto c) { return constant(c.getValue()); })
            .Case<mlir::attn::ScoreDimOp>([&](auto) { return score_dim; })
            .Case<mlir::attn::LookupOp>([&](auto o) {
              std::vector<Expr> indices;
              for (mlir::Value index : o.indices())
                indices.push_back(in(index));
              return lookup ? lookup(static_cast<int64_t>(o.table()), indices) : Expr();
            })
            .Case<arith::AddFOp, arith::AddIOp>(
                [&](auto o) { return in(o.getLhs()) + in(o.getRhs()); })
            .Case<arith::SubFOp, arith::SubIOp>(
                [&](auto o) { return in(o.getLhs()) - in(o.getRhs()); })
            .Case<arith::MulFOp, arith::MulIOp>(
                [&](auto o) { return in(o.getLhs()) * in(o.getRhs()); })
            // Halide's integer division rounds down, as arith.floordivsi.
            .Case<arith::DivFOp, arith::DivSIOp, arith::FloorDivSIOp>(
                [&](auto o) { return in(o.getLhs()) / in(o.getRhs()); })
            .Case<arith::RemSIOp>([&](auto o) { return in(o.getLhs()) % in(o.getRhs()); })
            .Case<arith::MaxFOp, arith::MaxSIOp>(
                [&](auto o) { return Halide::max(in(o.getLhs()), in(o.getRhs())); })
            .Case<arith::MinFOp, arith::MinSIOp>(
                [&](auto o) { return Halide::min(in(o.getLhs()), in(o.getRhs())); })
            .Case<arith::NegFOp>([&](auto o) { return -in(o.getOperand()); })
            .Case<arith::AndIOp>([&](auto o) { return in(o.getLhs()) && in(o.getRhs()); })
            .Case<arith::OrIOp>([&](auto o) { return in(o.getLhs()) || in(o.getRhs()); })
            .Case<arith::XOrIOp>([&](auto o) { return in(o.getLhs()) != in(o.getRhs()); })
            .Case<arith::CmpIOp>(
                [&](auto o) { return cmp_i(o.getPredicate(), in(o.getLhs()), in(o.getRhs())); })
            .Case<arith::CmpFOp>(
                [&](auto o) { return cmp_f(o.getPredicate(), in(o.getLhs()), in(o.getRhs())); })
            .Case<mlir::SelectOp>([&](auto o) {
              return Halide::select(in(o.getCondition()), in(o.getTrueValue()),
                                    in(o.getFalseValue()));
            })
            .Case<arith::IndexCastOp>([&](auto o) { return Halide::cast<int32_t>(in(o.getIn())); })
            .Case<arith::SIToFPOp>([&](auto o) { return Halide::cast<float>(in(o.getIn())); })
            .Case<math::SqrtOp>([&](auto o) { return Halide::sqrt(in(o.getOperand())); })
            .Case<math::RsqrtOp>([&](auto o) { return 1.0f / Halide::sqrt(in(o.getOperand())); })
            .Case<math::ExpOp>([&](auto o) { return Halide::exp(in(o.getOperand())); })
            .Case<math::LogOp>([&](auto o) { return Halide::log(in(o.getOperand())); })
            .Case<math::TanhOp>([&](auto o) { return tanh_f32(in(o.getOperand())); })
            .Case<math::AbsOp>([&](auto o) { return Halide::abs(in(o.getOperand())); })
            .Case<math::PowFOp>([&](auto o) { return Halide::pow(in(o.getLhs()), in(o.getRhs())); })
            .Default([](mlir::Operation *) { return Expr(); });
    if (!result.defined()) {
      op.emitError() << "'" << op.getName() << "' cannot be lowered inside an attention region";
      return mlir::failure();
    }
    values[op.getResult(0)] = result;
  }
  region.getParentOp()->emitError() << "attention region has no attn.yield";
  return mlir::failure();
}

} // namespace attn::compiler::lowering
