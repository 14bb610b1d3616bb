// The checks of the convolution-network ops (see Verifiers.cpp for the conventions): window
// attributes that make sense on their own (two positive strides and kernel sizes, paddings of 0
// or more), and, once types are ranked, the ranks, the channels and the static output sizes.
#include "attn/compiler/Dialect/AttnDialect.h"

using namespace mlir;
using namespace mlir::attn;

namespace {

RankedTensorType ranked(Value value) { return value.getType().dyn_cast<RankedTensorType>(); }

SmallVector<int64_t> int_values(ArrayAttr array) {
  SmallVector<int64_t> values;
  for (Attribute a : array)
    values.push_back(a.cast<IntegerAttr>().getValue().getSExtValue());
  return values;
}

LogicalResult verify_pair(Operation *op, ArrayAttr attr, const char *name, int64_t minimum) {
  auto values = int_values(attr);
  if (values.size() != 2)
    return op->emitOpError() << name << " " << attr << " needs 2 entries, one per axis";
  if (values[0] < minimum || values[1] < minimum)
    return op->emitOpError() << name << " " << attr
                             << (minimum > 0 ? " must be positive" : " must not be negative");
  return success();
}

/// Checks `result`'s last two sizes against the window's on `input`.
LogicalResult verify_window(Operation *op, RankedTensorType input, RankedTensorType result,
                            ArrayRef<int64_t> kernel, ArrayRef<int64_t> stride,
                            ArrayRef<int64_t> padding) {
  if (!input)
    return success();
  int64_t rank = input.getRank();
  for (int64_t a = 0; a < 2; ++a) {
    int64_t in = input.getDimSize(rank - 2 + a);
    if (ShapedType::isDynamic(in))
      continue;
    int64_t span = in + 2 * padding[a] - kernel[a];
    if (span < 0)
      return op->emitOpError() << "kernel " << kernel[0] << "x" << kernel[1]
                               << " is larger than the padded input " << input;
    int64_t expected = span / stride[a] + 1;
    if (!result || ShapedType::isDynamic(result.getDimSize(rank - 2 + a)))
      continue;
    if (result.getDimSize(rank - 2 + a) != expected)
      return op->emitOpError() << "result " << result << " should have " << expected << " at axis "
                               << rank - 2 + a << " for input " << input;
  }
  return success();
}

} // namespace

namespace mlir::attn {

LogicalResult verify_op(Conv2dOp op) {
  if (failed(verify_pair(op, op.stride(), "stride", 1)) ||
      failed(verify_pair(op, op.padding(), "padding", 0)))
    return failure();
  auto input = ranked(op.input()), weight = ranked(op.weight()), result = ranked(op.result());
  for (auto [type, name] :
       {std::pair(input, "an input"), std::pair(weight, "a weight"), std::pair(result, "a result")})
    if (type && type.getRank() != 4)
      return op.emitOpError() << "needs " << name << " of rank 4, got " << type;
  if (weight && !weight.hasStaticShape())
    return op.emitOpError() << "needs a weight of static shape, got " << weight;
  if (!weight)
    return success();
  if (input && !ShapedType::isDynamic(input.getDimSize(1)) &&
      input.getDimSize(1) != weight.getDimSize(1))
    return op.emitOpError() << "input " << input << " has " << input.getDimSize(1)
                            << " channels but weight " << weight << " expects "
                            << weight.getDimSize(1);
  if (auto bias = op.bias() ? ranked(op.bias()) : RankedTensorType())
    if (bias.getRank() != 1 ||
        (!ShapedType::isDynamic(bias.getDimSize(0)) && bias.getDimSize(0) != weight.getDimSize(0)))
      return op.emitOpError() << "bias " << bias << " does not match the " << weight.getDimSize(0)
                              << " output channels of weight " << weight;
  if (result && !ShapedType::isDynamic(result.getDimSize(1)) &&
      result.getDimSize(1) != weight.getDimSize(0))
    return op.emitOpError() << "result " << result << " should have the " << weight.getDimSize(0)
                            << " output channels of weight " << weight;
  int64_t kernel[2] = {weight.getDimSize(2), weight.getDimSize(3)};
  return verify_window(op, input, result, kernel, int_values(op.stride()),
                       int_values(op.padding()));
}

LogicalResult verify_op(MaxPool2dOp op) {
  if (failed(verify_pair(op, op.kernel_size(), "kernel_size", 1)) ||
      failed(verify_pair(op, op.stride(), "stride", 1)) ||
      failed(verify_pair(op, op.padding(), "padding", 0)))
    return failure();
  auto kernel = int_values(op.kernel_size()), padding = int_values(op.padding());
  if (2 * padding[0] > kernel[0] || 2 * padding[1] > kernel[1])
    return op.emitOpError() << "padding " << op.padding() << " is more than half the kernel "
                            << op.kernel_size();
  auto input = ranked(op.input()), result = ranked(op.result());
  for (auto [type, name] : {std::pair(input, "an input"), std::pair(result, "a result")})
    if (type && type.getRank() != 3 && type.getRank() != 4)
      return op.emitOpError() << "needs " << name << " of rank 3 or 4, got " << type;
  if (input && result && input.getRank() != result.getRank())
    return op.emitOpError() << "result " << result << " should have the rank of the input "
                            << input;
  return verify_window(op, input, result, kernel, int_values(op.stride()), padding);
}

LogicalResult verify_op(FlattenOp op) {
  int64_t start = op.start_dimAttr().getValue().getSExtValue();
  int64_t end = op.end_dimAttr().getValue().getSExtValue();
  if (start < 0 || start > end)
    return op.emitOpError() << "start " << start << " and end " << end
                            << " must satisfy 0 <= start <= end";
  auto input = ranked(op.input()), result = ranked(op.result());
  if (input && end >= input.getRank())
    return op.emitOpError() << "end " << end << " is out of range for " << input << " (rank "
                            << input.getRank() << ")";
  if (input && result && result.getRank() != input.getRank() - (end - start))
    return op.emitOpError() << "result " << result << " should have rank "
                            << input.getRank() - (end - start) << " (axes " << start << " to "
                            << end << " of " << input << " merged)";
  return success();
}

} // namespace mlir::attn
