// See LowerConv.h.
#include "LowerConv.h"

#include "attn/compiler/Dialect/AttnDialect.h"

namespace attn::compiler::lowering {

namespace ad = mlir::attn;

namespace {

void read_pair(mlir::ArrayAttr attr, int out[2]) {
  for (int a = 0; a < 2; ++a)
    out[a] = static_cast<int>(attr[a].cast<mlir::IntegerAttr>().getValue().getSExtValue());
}

} // namespace

ConvFuncs lower_conv2d(mlir::Operation *op, const std::vector<HTensor> &operands,
                       const std::string &name) {
  auto conv = llvm::cast<ad::Conv2dOp>(op);
  ConvWindow window;
  auto weight = conv.weight().getType().cast<mlir::RankedTensorType>().getShape();
  window.kernel[0] = static_cast<int>(weight[2]);
  window.kernel[1] = static_cast<int>(weight[3]);
  window.out_channels = static_cast<int>(weight[0]);
  read_pair(conv.stride(), window.stride);
  read_pair(conv.padding(), window.padding);
  const HTensor *bias = operands.size() > 2 ? &operands[2] : nullptr;
  return define_conv2d(name, operands[0], operands[1], bias, window);
}

HTensor lower_max_pool2d(mlir::Operation *op, const std::vector<HTensor> &operands,
                         const std::string &name) {
  auto pool = llvm::cast<ad::MaxPool2dOp>(op);
  ConvWindow window;
  read_pair(pool.kernel_size(), window.kernel);
  read_pair(pool.stride(), window.stride);
  read_pair(pool.padding(), window.padding);
  return define_max_pool2d(name, operands[0], window);
}

HTensor lower_flatten(mlir::Operation *op, const std::vector<HTensor> &operands,
                      const std::string &name) {
  auto flatten = llvm::cast<ad::FlattenOp>(op);
  return define_flatten(name, operands[0],
                        static_cast<int>(flatten.start_dimAttr().getValue().getSExtValue()),
                        static_cast<int>(flatten.end_dimAttr().getValue().getSExtValue()));
}

} // namespace attn::compiler::lowering
