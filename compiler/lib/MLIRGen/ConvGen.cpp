// The built-ins of convolution networks: conv2d, max_pool2d and flatten. Windows (kernel size,
// stride, padding) are compile-time ints or [rows, columns] pairs, checked here where their
// source is known; whether they fit the image is the shape rules' business.
#include "MLIRGenImpl.h"

#include "mlir/IR/BuiltinTypes.h"

#include <array>

namespace attn::mlirgen {

using dsl::Builtin;

namespace {

using Pair = std::array<int64_t, 2>;

/// A window argument at `position`: an int (both axes) or a list of two; `fallback` when absent.
/// Reports an entry below `minimum`, naming `what`.
std::optional<Pair> pair_argument(Generator &gen, const dsl::CallExpr &call, size_t position,
                                  Pair fallback, int64_t minimum, const char *what, Frame &frame) {
  const dsl::Expr *expr = builtin_argument(call, position);
  if (!expr)
    return fallback;
  Pair pair;
  if (auto *list = llvm::dyn_cast<dsl::ListExpr>(expr)) {
    for (size_t a = 0; a < 2; ++a) {
      auto v = gen.gen_int(*list->elements[a], frame);
      if (!v)
        return std::nullopt;
      pair[a] = *v;
    }
  } else {
    auto v = gen.gen_int(*expr, frame);
    if (!v)
      return std::nullopt;
    pair = {*v, *v};
  }
  for (int64_t v : pair)
    if (v < minimum) {
      gen.report(expr->range(), llvm::Twine(dsl::builtin_info(call.builtin).name) + " needs " +
                                    what + (minimum > 0 ? ", got " : " of 0 or more, got ") +
                                    llvm::Twine(v));
      return std::nullopt;
    }
  return pair;
}

} // namespace

TensorValue Generator::gen_conv_builtin(const dsl::CallExpr &call, Frame &frame) {
  mlir::Location at = loc(call.range());
  TensorValue x = gen_tensor(*builtin_argument(call, 0), frame);
  auto pair_attr = [&](const Pair &p) { return builder_.getI64ArrayAttr({p[0], p[1]}); };

  switch (call.builtin) {
  case Builtin::Conv2d: {
    TensorValue weight = gen_tensor(*builtin_argument(call, 1), frame);
    TensorValue bias;
    if (const dsl::Expr *bias_expr = builtin_argument(call, 2))
      if (!(bias = gen_tensor(*bias_expr, frame)))
        return {};
    auto stride = pair_argument(*this, call, 3, {1, 1}, 1, "a positive stride", frame);
    auto padding = pair_argument(*this, call, 4, {0, 0}, 0, "a padding", frame);
    if (!x || !weight || !stride || !padding)
      return {};
    auto op = builder_.create<ir::Conv2dOp>(at, unranked(), x.value, weight.value,
                                            bias ? bias.value : mlir::Value(), pair_attr(*stride),
                                            pair_attr(*padding));
    return TensorValue{op, 4};
  }
  case Builtin::MaxPool2d: {
    auto kernel = pair_argument(*this, call, 1, {1, 1}, 1, "a positive kernel size", frame);
    if (!kernel)
      return {};
    // PyTorch's default stride is the kernel size.
    auto stride = pair_argument(*this, call, 2, *kernel, 1, "a positive stride", frame);
    auto padding = pair_argument(*this, call, 3, {0, 0}, 0, "a padding", frame);
    if (!x || !stride || !padding)
      return {};
    auto op = builder_.create<ir::MaxPool2dOp>(at, unranked(), x.value, pair_attr(*kernel),
                                               pair_attr(*stride), pair_attr(*padding));
    return TensorValue{op, x.rank};
  }
  case Builtin::Flatten: {
    // PyTorch's defaults: from axis 1 (the batch stays) to the last.
    int64_t ends[2] = {1, -1};
    const dsl::Expr *exprs[2] = {builtin_argument(call, 1), builtin_argument(call, 2)};
    for (int e = 0; e < 2; ++e)
      if (exprs[e]) {
        auto v = gen_int(*exprs[e], frame);
        if (!v)
          return {};
        ends[e] = *v;
      }
    if (!x)
      return {};
    auto start = normalize_axis(exprs[0] ? *exprs[0] : call, ends[0], x.rank, "flatten");
    auto end = normalize_axis(exprs[1] ? *exprs[1] : call, ends[1], x.rank, "flatten");
    if (!start || !end)
      return {};
    if (*start > *end) {
      report(call.range(), "flatten's start_dim " + llvm::Twine(ends[0]) +
                               " comes after its end_dim " + llvm::Twine(ends[1]) +
                               " (axes of a tensor of rank " + llvm::Twine(x.rank) + ")");
      return {};
    }
    auto keep =
        mlir::UnrankedTensorType::get(x.value.getType().cast<mlir::ShapedType>().getElementType());
    auto op = builder_.create<ir::FlattenOp>(at, keep, x.value, builder_.getI64IntegerAttr(*start),
                                             builder_.getI64IntegerAttr(*end));
    return TensorValue{op, x.rank < 0 ? -1 : x.rank - static_cast<int>(*end - *start)};
  }
  default:
    report(call.range(),
           "internal error: '" + call.callee.name + "' is not a convolution built-in");
    return {};
  }
}

} // namespace attn::mlirgen
