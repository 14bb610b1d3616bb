// The built-ins of neural-network layers: reductions along one axis, log_softmax, the
// activations that take a constant (elu, leaky_relu, pow), gelu, square, rsqrt and where.
// Axes are normalised here, where the input's rank is known; shapes are the pass's business.
#include "MLIRGenImpl.h"

#include "mlir/IR/BuiltinTypes.h"

namespace attn::mlirgen {

using dsl::Builtin;

namespace {

/// A constant argument of a built-in as a float attribute value; `fallback` when absent.
std::optional<float> float_argument(Generator &gen, const dsl::CallExpr &call, size_t position,
                                    float fallback, Frame &frame) {
  const dsl::Expr *expr = builtin_argument(call, position);
  if (!expr)
    return fallback;
  auto v = gen.gen_scalar(*expr, frame);
  if (!v)
    return std::nullopt;
  return static_cast<float>(v->as_double());
}

} // namespace

TensorValue Generator::gen_nn_builtin(const dsl::CallExpr &call, Frame &frame) {
  mlir::Location at = loc(call.range());
  mlir::Type type = unranked();
  const char *name = dsl::builtin_info(call.builtin).name;
  TensorValue x = gen_tensor(*builtin_argument(call, 0), frame);

  // The axis argument (`dim`, position 1): -1 when absent (log_softmax), normalised to x's rank.
  auto axis_attr = [&]() -> std::optional<mlir::IntegerAttr> {
    const dsl::Expr *axis_expr = builtin_argument(call, 1);
    int64_t axis = -1;
    if (axis_expr) {
      auto v = gen_int(*axis_expr, frame);
      if (!v)
        return std::nullopt;
      axis = *v;
    }
    auto normalized = normalize_axis(axis_expr ? *axis_expr : call, axis, x.rank, name);
    if (!normalized)
      return std::nullopt;
    return builder_.getI64IntegerAttr(*normalized);
  };

  switch (call.builtin) {
  case Builtin::Sum:
  case Builtin::Mean:
  case Builtin::Amax:
  case Builtin::Amin: {
    if (!x)
      return {};
    auto axis = axis_attr();
    bool keepdim = false;
    if (const dsl::Expr *keep_expr = builtin_argument(call, 2)) {
      auto v = gen_scalar(*keep_expr, frame);
      if (!v)
        return {};
      keepdim = v->bool_value;
    }
    if (!axis)
      return {};
    mlir::BoolAttr keep = builder_.getBoolAttr(keepdim);
    mlir::Value input = x.value;
    int rank = x.rank < 0 ? -1 : (keepdim ? x.rank : x.rank - 1);
    mlir::Operation *op = nullptr;
    if (call.builtin == Builtin::Sum)
      op = builder_.create<ir::ReduceSumOp>(at, type, input, *axis, keep);
    else if (call.builtin == Builtin::Mean)
      op = builder_.create<ir::ReduceMeanOp>(at, type, input, *axis, keep);
    else if (call.builtin == Builtin::Amax)
      op = builder_.create<ir::ReduceMaxOp>(at, type, input, *axis, keep);
    else
      op = builder_.create<ir::ReduceMinOp>(at, type, input, *axis, keep);
    return TensorValue{op->getResult(0), rank};
  }
  case Builtin::LogSoftmax: {
    if (!x)
      return {};
    auto axis = axis_attr();
    if (!axis)
      return {};
    return TensorValue{builder_.create<ir::LogSoftmaxOp>(at, type, x.value, *axis), x.rank};
  }
  case Builtin::Elu:
  case Builtin::LeakyRelu:
  case Builtin::Pow: {
    // PyTorch's defaults: elu alpha 1.0, leaky_relu negative_slope 0.01; pow needs its exponent.
    float fallback = call.builtin == Builtin::Elu ? 1.0f : 0.01f;
    auto value = float_argument(*this, call, 1, fallback, frame);
    if (!x || !value)
      return {};
    mlir::FloatAttr attr = builder_.getF32FloatAttr(*value);
    mlir::Operation *op = nullptr;
    if (call.builtin == Builtin::Elu)
      op = builder_.create<ir::EluOp>(at, type, x.value, attr);
    else if (call.builtin == Builtin::LeakyRelu)
      op = builder_.create<ir::LeakyReluOp>(at, type, x.value, attr);
    else
      op = builder_.create<ir::PowOp>(at, type, x.value, attr);
    return TensorValue{op->getResult(0), x.rank};
  }
  case Builtin::Gelu:
    if (!x)
      return {};
    return TensorValue{builder_.create<ir::GeluOp>(at, type, x.value), x.rank};
  case Builtin::Rsqrt:
    if (!x)
      return {};
    return TensorValue{builder_.create<ir::RsqrtOp>(at, type, x.value), x.rank};
  case Builtin::Square:
    if (!x)
      return {};
    return TensorValue{builder_.create<ir::MulOp>(at, type, x.value, x.value), x.rank};
  case Builtin::Where: {
    TensorValue on_true = gen_tensor(*builtin_argument(call, 1), frame);
    TensorValue on_false = gen_tensor(*builtin_argument(call, 2), frame);
    if (!x || !on_true || !on_false)
      return {};
    // Two bool values give a bool, as torch.where does; the condition is read as a number.
    auto is_bool = [](const TensorValue &v) {
      return v.value.getType().cast<mlir::ShapedType>().getElementType().isInteger(1);
    };
    bool bools = is_bool(on_true) && is_bool(on_false);
    mlir::Value condition = bools ? convert(x, builder_.getF32Type(), at).value : x.value;
    auto op = builder_.create<ir::WhereOp>(at, bools ? unranked_bool() : type, condition,
                                           on_true.value, on_false.value);
    bool known = x.rank >= 0 && on_true.rank >= 0 && on_false.rank >= 0;
    return TensorValue{op, known ? std::max({x.rank, on_true.rank, on_false.rank}) : -1};
  }
  default:
    report(call.range(), "internal error: '" + call.callee.name + "' is not a layer built-in");
    return {};
  }
}

} // namespace attn::mlirgen
