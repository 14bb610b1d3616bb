// The convolution-network built-ins in the bridge to the IR: windows given as ints become pairs,
// max_pool2d's stride defaults to its kernel, flatten's axes are normalised and keep the element
// type, and the stdlib Conv2d, MaxPool2d and Flatten elaborate to those ops with PyTorch's
// parameter names.
#include "built_ir.h"

#include "attn/compiler/Dialect/AttnDialect.h"
#include "attn/compiler/MLIRGen.h"

#include "mlir/IR/Verifier.h"

#include <gtest/gtest.h>

namespace attn::dsl {
namespace {

namespace ir = ::mlir::attn;
using testing::build;
using testing::compile;

std::vector<int64_t> values(mlir::ArrayAttr array) {
  std::vector<int64_t> out;
  for (mlir::Attribute a : array)
    out.push_back(a.cast<mlir::IntegerAttr>().getInt());
  return out;
}

using Pair = std::vector<int64_t>;

TEST(ConvBuiltins, WindowsBecomePairsWithPyTorchDefaults) {
  auto b = build("module M {\n"
                 "  param w: f32[4, 3, 3, 2]\n"
                 "  param bias: f32[4]\n"
                 "  forward(x: f32[N, 3, H, W]) {\n"
                 "    return conv2d(x, w), conv2d(x, w, bias, 2, [1, 0]), max_pool2d(x, 3),\n"
                 "           max_pool2d(x, [2, 3], stride=1, padding=[1, 0])\n"
                 "  }\n"
                 "}");
  ASSERT_TRUE(b->module);
  EXPECT_TRUE(succeeded(mlir::verify(*b->module)));
  auto convs = b->ops<ir::Conv2dOp>();
  ASSERT_EQ(convs.size(), 2u);
  EXPECT_FALSE(convs[0].bias());
  EXPECT_EQ(values(convs[0].stride()), (Pair{1, 1}));
  EXPECT_EQ(values(convs[0].padding()), (Pair{0, 0}));
  EXPECT_TRUE(convs[1].bias());
  EXPECT_EQ(values(convs[1].stride()), (Pair{2, 2}));
  EXPECT_EQ(values(convs[1].padding()), (Pair{1, 0}));
  auto pools = b->ops<ir::MaxPool2dOp>();
  ASSERT_EQ(pools.size(), 2u);
  EXPECT_EQ(values(pools[0].kernel_size()), (Pair{3, 3}));
  EXPECT_EQ(values(pools[0].stride()), (Pair{3, 3})); // the kernel size, as in PyTorch
  EXPECT_EQ(values(pools[0].padding()), (Pair{0, 0}));
  EXPECT_EQ(values(pools[1].kernel_size()), (Pair{2, 3}));
  EXPECT_EQ(values(pools[1].stride()), (Pair{1, 1}));
  EXPECT_EQ(values(pools[1].padding()), (Pair{1, 0}));
}

TEST(ConvBuiltins, FlattenNormalisesItsAxesAndKeepsTheElementType) {
  auto b = build("module M {\n"
                 "  forward(x: f32[A, B, C, D], ids: i64[A, B, C]) {\n"
                 "    return flatten(x), flatten(x, 0, -2), flatten(ids, start_dim=-2)\n"
                 "  }\n"
                 "}");
  ASSERT_TRUE(b->module);
  auto flats = b->ops<ir::FlattenOp>();
  ASSERT_EQ(flats.size(), 3u);
  EXPECT_EQ(flats[0].start_dim(), 1u);
  EXPECT_EQ(flats[0].end_dim(), 3u);
  EXPECT_EQ(flats[1].start_dim(), 0u);
  EXPECT_EQ(flats[1].end_dim(), 2u);
  EXPECT_EQ(flats[2].start_dim(), 1u);
  EXPECT_EQ(flats[2].end_dim(), 2u);
  auto element = [](mlir::Value v) {
    return v.getType().cast<mlir::ShapedType>().getElementType();
  };
  EXPECT_TRUE(element(flats[2].result()).isInteger(64));
  EXPECT_TRUE(b->ops<ir::CastOp>().empty());
}

TEST(ConvBuiltins, StdlibModulesElaborateWithPyTorchNames) {
  auto b = build("import \"nn\"\n"
                 "module M {\n"
                 "  param conv = Conv2d(3, 8, 5, stride=2, padding=2)\n"
                 "  param pool = MaxPool2d(2)\n"
                 "  param flat = Flatten()\n"
                 "  forward(x: f32[N, 3, H, W]) {\n"
                 "    return self.flat(self.pool(relu(self.conv(x))))\n"
                 "  }\n"
                 "}");
  ASSERT_TRUE(b->module);
  std::vector<std::string> params;
  for (ir::ParamOp p : b->ops<ir::ParamOp>())
    params.push_back(p.name().str());
  EXPECT_EQ(params, (std::vector<std::string>{"conv.weight", "conv.bias"}));
  auto convs = b->ops<ir::Conv2dOp>();
  ASSERT_EQ(convs.size(), 1u);
  EXPECT_EQ(values(convs[0].stride()), (Pair{2, 2}));
  EXPECT_EQ(values(convs[0].padding()), (Pair{2, 2}));
  auto pools = b->ops<ir::MaxPool2dOp>();
  ASSERT_EQ(pools.size(), 1u);
  EXPECT_EQ(values(pools[0].stride()), (Pair{2, 2}));
  auto flats = b->ops<ir::FlattenOp>();
  ASSERT_EQ(flats.size(), 1u);
  EXPECT_EQ(flats[0].start_dim(), 1u);
  EXPECT_EQ(flats[0].end_dim(), 3u);
}

} // namespace
} // namespace attn::dsl
