// Reductions, activations, comparisons and where in the bridge to the IR: axes are normalised,
// keepdim and the constants of the activations become attributes, comparisons build masks, and
// the stdlib layers (LayerNorm) elaborate to those ops.
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

TEST(NNBuiltins, ReductionsNormaliseTheAxisAndKeepTheirDims) {
  auto b =
      build("module M { forward(x: f32[B, S, 8]) {\n"
            "  return sum(x, -1), mean(x, dim=1, keepdim=true), amax(x, 0, true), amin(x, dim=-2)\n"
            "} }");
  ASSERT_TRUE(b->module) << b->errors();
  EXPECT_TRUE(succeeded(mlir::verify(*b->module)));
  auto sum = b->ops<ir::ReduceSumOp>();
  auto mean = b->ops<ir::ReduceMeanOp>();
  auto max = b->ops<ir::ReduceMaxOp>();
  auto min = b->ops<ir::ReduceMinOp>();
  ASSERT_EQ(sum.size(), 1u);
  ASSERT_EQ(mean.size(), 1u);
  ASSERT_EQ(max.size(), 1u);
  ASSERT_EQ(min.size(), 1u);
  EXPECT_EQ(sum[0].axis(), 2u);
  EXPECT_FALSE(sum[0].keepdim());
  EXPECT_EQ(mean[0].axis(), 1u);
  EXPECT_TRUE(mean[0].keepdim());
  EXPECT_EQ(max[0].axis(), 0u);
  EXPECT_TRUE(max[0].keepdim());
  EXPECT_EQ(min[0].axis(), 1u);
}

TEST(NNBuiltins, ActivationsCarryTheirConstants) {
  auto b = build("module M(a: float = 0.5) { forward(x: f32[B, 8]) {\n"
                 "  return elu(x, a), elu(x), leaky_relu(x, negative_slope=0.2), leaky_relu(x),\n"
                 "    pow(x, 3), gelu(x), rsqrt(x), square(x), abs(x), log_softmax(x)\n"
                 "} }");
  ASSERT_TRUE(b->module) << b->errors();
  auto elu = b->ops<ir::EluOp>();
  ASSERT_EQ(elu.size(), 2u);
  EXPECT_FLOAT_EQ(elu[0].alpha().convertToFloat(), 0.5f);
  EXPECT_FLOAT_EQ(elu[1].alpha().convertToFloat(), 1.0f); // PyTorch's default
  auto leaky = b->ops<ir::LeakyReluOp>();
  ASSERT_EQ(leaky.size(), 2u);
  EXPECT_FLOAT_EQ(leaky[0].negative_slope().convertToFloat(), 0.2f);
  EXPECT_FLOAT_EQ(leaky[1].negative_slope().convertToFloat(), 0.01f);
  ASSERT_EQ(b->ops<ir::PowOp>().size(), 1u);
  EXPECT_FLOAT_EQ(b->ops<ir::PowOp>()[0].exponent().convertToFloat(), 3.0f);
  EXPECT_EQ(b->ops<ir::GeluOp>().size(), 1u);
  EXPECT_EQ(b->ops<ir::RsqrtOp>().size(), 1u);
  EXPECT_EQ(b->ops<ir::MulOp>().size(), 1u); // square(x) is x * x
  EXPECT_EQ(b->ops<ir::AbsOp>().size(), 1u);
  ASSERT_EQ(b->ops<ir::LogSoftmaxOp>().size(), 1u);
  EXPECT_EQ(b->ops<ir::LogSoftmaxOp>()[0].axis(), 1u);
}

TEST(NNBuiltins, ComparisonsAndWhere) {
  auto b = build("module M { forward(x: f32[B, 8], y: f32[8]) {\n"
                 "  return where(x > y, x, 0), x <= 1, x == y, x != y, x < y, x >= y\n"
                 "} }");
  ASSERT_TRUE(b->module) << b->errors();
  EXPECT_EQ(b->ops<ir::WhereOp>().size(), 1u);
  EXPECT_EQ(b->ops<ir::GtOp>().size(), 1u);
  EXPECT_EQ(b->ops<ir::LeOp>().size(), 1u);
  EXPECT_EQ(b->ops<ir::EqOp>().size(), 1u);
  EXPECT_EQ(b->ops<ir::NeOp>().size(), 1u);
  EXPECT_EQ(b->ops<ir::LtOp>().size(), 1u);
  EXPECT_EQ(b->ops<ir::GeOp>().size(), 1u);
}

TEST(NNBuiltins, AxisOutOfRangeIsReportedAtTheAxis) {
  auto b = build("module M { forward(x: f32[B, 4]) { return mean(x, dim=2, keepdim=true) } }");
  EXPECT_FALSE(b->module);
  EXPECT_NE(b->errors().find("1:55: error: axis 2 of mean is out of range for a tensor of rank 2"),
            std::string::npos)
      << b->errors();
}

TEST(NNBuiltins, LayerNormFromTheStdlib) {
  auto b = build("import \"nn\"\n"
                 "module M {\n"
                 "  param norm = LayerNorm(8)\n"
                 "  forward(x: f32[B, S, 8]) { return self.norm(x) }\n"
                 "}");
  ASSERT_TRUE(b->module) << b->errors();
  auto mean = b->ops<ir::ReduceMeanOp>();
  ASSERT_EQ(mean.size(), 2u);
  for (ir::ReduceMeanOp m : mean) {
    EXPECT_EQ(m.axis(), 2u); // dim=-1 of the caller's rank-3 input
    EXPECT_TRUE(m.keepdim());
  }
  EXPECT_EQ(b->ops<ir::RsqrtOp>().size(), 1u);
  std::vector<std::string> params;
  for (ir::ParamOp p : b->ops<ir::ParamOp>())
    params.push_back(p.name().str());
  EXPECT_EQ(params, (std::vector<std::string>{"norm.weight", "norm.bias"}));
}

} // namespace
} // namespace attn::dsl
