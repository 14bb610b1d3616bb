// Tensors over the query rows that an attention reads beside its query, key and value: a
// variant's lets (`let p(q, k) = len(k) * sigmoid(dot(v_p, tanh(matmul(W_p, q))))`, a number
// per query row, [..., Sq, 1]) and the tables of rows at relative positions (`dot(q, k +
// a[j - i])`: q aᵀ, [..., Sq, n]), with the tensor forms of arithmetic and math built-ins they
// share with the parts of dots (FeatureGen.cpp).
#include "MLIRGenImpl.h"

#include "attn/dsl/Sema.h"

namespace attn::mlirgen {

using dsl::Builtin;

TensorValue Generator::let_value(const dsl::Expr &e, const TensorValue &query,
                                 const TensorValue &key, const dsl::HyperparameterValues &values,
                                 Frame &frame) {
  auto sub = [&](const dsl::Expr &x) { return let_value(x, query, key, values, frame); };
  mlir::Location at = loc(e.range());
  mlir::Type type = unranked();
  switch (e.kind()) {
  case dsl::Expr::Kind::Number: {
    const auto &n = llvm::cast<dsl::NumberExpr>(e);
    return constant(n.is_int ? double(n.int_value) : n.float_value, at);
  }
  case dsl::Expr::Kind::Name:
    if (const dsl::ConstValue *value = values.find(llvm::cast<dsl::NameExpr>(e).name))
      return constant(value->as_double(), at);
    break;
  case dsl::Expr::Kind::Unary:
    return make_unary<ir::NegOp>(builder_, at, type, sub(*llvm::cast<dsl::UnaryExpr>(e).operand));
  case dsl::Expr::Kind::Binary: {
    const auto &b = llvm::cast<dsl::BinaryExpr>(e);
    TensorValue l = sub(*b.lhs), r = sub(*b.rhs); // in this order: the IR's
    if (TensorValue x = arithmetic(b.op, l, r, loc(b.op_range)))
      return x;
    break;
  }
  case dsl::Expr::Kind::Call: {
    const auto &call = llvm::cast<dsl::CallExpr>(e);
    switch (call.builtin) {
    case Builtin::Dot:
      return one_sided_dot(call, query, key, frame);
    case Builtin::Len: {
      // The number of keys: the last position along the key's sequence axis, plus 1.
      mlir::Type i64 = builder_.getIntegerType(64);
      TensorValue positions{builder_.create<ir::ArangeOp>(
                                at, mlir::UnrankedTensorType::get(i64), key.value,
                                builder_.getI64IntegerAttr(key.rank - 2), mlir::IntegerAttr()),
                            1};
      // promote_to_f32 casts the positions (an operand of the reduction) to f32.
      TensorValue last = promote_to_f32(TensorValue{
          builder_.create<ir::ReduceMaxOp>(at, type, positions.value, builder_.getI64IntegerAttr(0),
                                           builder_.getBoolAttr(false)),
          0});
      return make_binary<ir::AddOp>(builder_, at, type, last, constant(1, at));
    }
    case Builtin::Max:
    case Builtin::Min: {
      TensorValue x = sub(*call.args[0]), y = sub(*call.args[1]); // in this order
      return call.builtin == Builtin::Max ? make_binary<ir::MaxOp>(builder_, at, type, x, y)
                                          : make_binary<ir::MinOp>(builder_, at, type, x, y);
    }
    case Builtin::Exp:
    case Builtin::Log:
    case Builtin::Sqrt:
    case Builtin::Tanh:
    case Builtin::Sigmoid:
    case Builtin::Relu:
    case Builtin::Abs:
      return elementwise(call.builtin, sub(*call.args[0]), at);
    default:
      break;
    }
    break;
  }
  default:
    break;
  }
  report(e.range(), "a let computes with numbers, its variant's parameters, + - * /, exp, log, "
                    "sqrt, tanh, sigmoid, relu, abs, min, max, dots of the query and len(k)");
  return {};
}

TensorValue Generator::arithmetic(dsl::BinaryOp op, const TensorValue &l, const TensorValue &r,
                                  mlir::Location at) {
  mlir::Type type = unranked();
  switch (op) {
  case dsl::BinaryOp::Add:
    return make_binary<ir::AddOp>(builder_, at, type, l, r);
  case dsl::BinaryOp::Sub:
    return make_binary<ir::SubOp>(builder_, at, type, l, r);
  case dsl::BinaryOp::Mul:
    return make_binary<ir::MulOp>(builder_, at, type, l, r);
  case dsl::BinaryOp::Div:
    return make_binary<ir::DivOp>(builder_, at, type, l, r);
  default:
    return {};
  }
}

TensorValue Generator::elementwise(dsl::Builtin fn, const TensorValue &x, mlir::Location at) {
  mlir::Type type = unranked();
  switch (fn) {
  case Builtin::Exp:
    return make_unary<ir::ExpOp>(builder_, at, type, x);
  case Builtin::Log:
    return make_unary<ir::LogOp>(builder_, at, type, x);
  case Builtin::Sqrt:
    return make_unary<ir::SqrtOp>(builder_, at, type, x);
  case Builtin::Tanh:
    return make_unary<ir::TanhOp>(builder_, at, type, x);
  case Builtin::Sigmoid:
    return make_unary<ir::SigmoidOp>(builder_, at, type, x);
  case Builtin::Relu:
    return make_unary<ir::ReluOp>(builder_, at, type, x);
  default:
    return make_unary<ir::AbsOp>(builder_, at, type, x);
  }
}

TensorValue Generator::relative_table(const dsl::CallExpr &dot, const TensorValue &query,
                                      const TensorValue &key, Frame &frame) {
  size_t arg = 0;
  const dsl::IndexExpr *row = relative_row_of(dot, &arg);
  const auto &base = llvm::cast<dsl::NameExpr>(*row->base);
  TensorValue x = dot_part(*dot.args[1 - arg], query, key, frame);
  TensorValue table = member_param(base.name, {}, base.range(), frame);
  if (!x || !table)
    return {};
  // Every query row against every row of the table: x a^T, [..., Sq, rows].
  mlir::Location at = loc(row->range());
  TensorValue rows{builder_.create<ir::TransposeOp>(at, unranked(), table.value,
                                                    builder_.getI64ArrayAttr({1, 0})),
                   2};
  return make_binary<ir::MatmulOp>(builder_, at, unranked(), x, rows);
}

} // namespace attn::mlirgen
