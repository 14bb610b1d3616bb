// The shape rules of the convolution-network ops (conv2d, max_pool2d, flatten). A window's
// output size `(n + 2p - k) / s + 1` rounds down, so on a symbolic axis it is a floor
// (`floor((H+1)/2)` for a stride-2, kernel-3, padding-1 convolution); on a static axis an image
// smaller than the kernel is reported here, with the shapes involved.
#include "attn/compiler/Dialect/AttnDialect.h"

using namespace mlir;
using namespace mlir::attn;
using ::attn::compiler::SymDim;
using ::attn::compiler::SymShape;
using ::attn::compiler::to_string;

namespace {

/// Reports the diagnostic (on destruction) and fails the shape rule.
FailureOr<SymShape> fail(const InFlightDiagnostic &) { return failure(); }

SmallVector<int64_t> int_values(ArrayAttr array) {
  SmallVector<int64_t> values;
  for (Attribute a : array)
    values.push_back(a.cast<IntegerAttr>().getValue().getSExtValue());
  return values;
}

std::string pair_str(ArrayRef<int64_t> pair) {
  return std::to_string(pair[0]) + "x" + std::to_string(pair[1]);
}

/// Checks the window attributes (`kernel` may be empty: a convolution's comes from its weight).
LogicalResult check_window(Operation *op, ArrayRef<int64_t> stride, ArrayRef<int64_t> padding) {
  auto name = op->getName().stripDialect();
  if (stride.size() != 2 || padding.size() != 2)
    return op->emitError() << name << " needs a stride and a padding for each of the 2 axes";
  if (stride[0] <= 0 || stride[1] <= 0)
    return op->emitError() << name << " needs a positive stride, got " << pair_str(stride);
  if (padding[0] < 0 || padding[1] < 0)
    return op->emitError() << name << " needs a padding of 0 or more, got " << pair_str(padding);
  return success();
}

/// The output sizes of a window `kernel` sliding over the last two axes of `in`, or an error
/// naming `what` (the input and the kernel's origin) when a static image is too small.
FailureOr<SymShape> window_shape(Operation *op, const SymShape &in, ArrayRef<int64_t> kernel,
                                 ArrayRef<int64_t> stride, ArrayRef<int64_t> padding,
                                 const std::string &what) {
  SymShape out = in;
  size_t h = in.size() - 2;
  for (size_t a = 0; a < 2; ++a) {
    SymDim span = in[h + a] + SymDim::constant(2 * padding[a] - kernel[a]);
    if (in[h + a].is_static() && span.value() < 0)
      return fail(op->emitError() << op->getName().stripDialect() << " kernel " << pair_str(kernel)
                                  << " is larger than the padded input " << what << " (padding "
                                  << pair_str(padding) << ")");
    out[h + a] = span.floor_divide(stride[a]) + SymDim::constant(1);
  }
  return out;
}

} // namespace

FailureOr<SymShape> Conv2dOp::inferSymShape(ArrayRef<SymShape> operands) {
  const SymShape &in = operands[0], &w = operands[1];
  auto stride_v = int_values(stride()), padding_v = int_values(padding());
  if (failed(check_window(*this, stride_v, padding_v)))
    return failure();
  if (in.size() != 4)
    return fail(emitError() << "conv2d needs an input of rank 4 [N, C, H, W], got "
                            << to_string(in));
  if (w.size() != 4)
    return fail(emitError() << "conv2d needs a weight of rank 4 [out_channels, in_channels, "
                               "kh, kw], got "
                            << to_string(w));
  for (const SymDim &d : w)
    if (!d.is_static())
      return fail(emitError() << "conv2d needs a weight of static shape, got " << to_string(w));
  if (in[1] != w[1])
    return fail(emitError() << "conv2d of input " << to_string(in) << " with weight "
                            << to_string(w) << ": the input has " << in[1].str()
                            << " channels, the weight expects " << w[1].str());
  if (bias()) {
    const SymShape &b = operands[2];
    if (b.size() != 1 || b[0] != w[0])
      return fail(emitError() << "conv2d bias " << to_string(b) << " does not match the "
                              << w[0].str() << " output channels of weight " << to_string(w));
  }
  int64_t kernel[2] = {w[2].value(), w[3].value()};
  auto out = window_shape(*this, in, kernel, stride_v, padding_v,
                          to_string(in) + " of weight " + to_string(w));
  if (failed(out))
    return failure();
  (*out)[1] = w[0];
  return out;
}

FailureOr<SymShape> MaxPool2dOp::inferSymShape(ArrayRef<SymShape> operands) {
  const SymShape &in = operands[0];
  auto kernel = int_values(kernel_size()), stride_v = int_values(stride());
  auto padding_v = int_values(padding());
  if (failed(check_window(*this, stride_v, padding_v)))
    return failure();
  if (kernel.size() != 2 || kernel[0] <= 0 || kernel[1] <= 0)
    return fail(emitError() << "max_pool2d needs a positive kernel size for each of the 2 axes");
  if (2 * padding_v[0] > kernel[0] || 2 * padding_v[1] > kernel[1])
    return fail(emitError() << "max_pool2d padding " << pair_str(padding_v)
                            << " is more than half the kernel " << pair_str(kernel));
  if (in.size() != 3 && in.size() != 4)
    return fail(emitError() << "max_pool2d needs an input of rank 3 [C, H, W] or 4 [N, C, H, W], "
                               "got "
                            << to_string(in));
  return window_shape(*this, in, kernel, stride_v, padding_v, to_string(in));
}

FailureOr<SymShape> FlattenOp::inferSymShape(ArrayRef<SymShape> operands) {
  const SymShape &in = operands[0];
  int64_t start = start_dimAttr().getValue().getSExtValue();
  int64_t end = end_dimAttr().getValue().getSExtValue(), rank = static_cast<int64_t>(in.size());
  if (start < 0 || end >= rank || start > end)
    return fail(emitError() << "flatten of axes " << start << " to " << end
                            << " is out of range for " << to_string(in));
  SymShape out(in.begin(), in.begin() + start);
  SymDim merged = SymDim::constant(1);
  for (int64_t a = start; a <= end; ++a)
    merged = merged * in[a];
  out.push_back(merged);
  out.insert(out.end(), in.begin() + end + 1, in.end());
  return out;
}
