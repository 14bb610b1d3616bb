// The lowering of convolution networks: a convolution takes its ReLU as an epilogue, a pooling
// is a kernel of its own, flatten and transpose inline into their reader; buffers have floor
// sizes on symbolic images; and the CPU and GPU schedules compile.
#include "attn/compiler/Dialect/AttnDialect.h"
#include "attn/compiler/Emit.h"
#include "attn/compiler/Lowering.h"
#include "attn/compiler/Passes.h"

#include "pipeline_fixture.h"

#include <gtest/gtest.h>

using namespace attn::compiler;

namespace {

class ConvLowering : public LoadedPipeline {
protected:
  ConvLowering() : LoadedPipeline("cnn.mlir") {}
};

TEST_F(ConvLowering, ConvolutionsTakeTheirReluAndPoolingsAreKernels) {
  std::string error;
  auto target = parse_target("host", &error);
  auto model = lower_to_halide(func_, *target);
  ASSERT_TRUE(succeeded(model));
  std::vector<std::string> names, ops;
  for (const auto &k : model->kernels) {
    names.push_back(k.name);
    ops.push_back(k.op);
  }
  // conv+relu, pool, conv+relu, pool, the flattened grid transposed (returned), the patches.
  EXPECT_EQ(names,
            (std::vector<std::string>{"Cnn_k0_conv2d", "Cnn_k1_max_pool2d", "Cnn_k2_conv2d",
                                      "Cnn_k3_max_pool2d", "Cnn_k4_pointwise", "Cnn_k5_conv2d"}));
  EXPECT_EQ(ops[0], "attn.relu");
  EXPECT_EQ(ops[4], "attn.transpose");
  EXPECT_EQ(model->kernels[0].args, (std::vector<std::string>{"input:images", "weight:cnn.0.weight",
                                                              "weight:cnn.0.bias", "buffer:t0"}));
  EXPECT_EQ(model->kernels[5].args,
            (std::vector<std::string>{"input:patches", "weight:proj.weight", "buffer:t5"}));
  // Buffer sizes on the symbolic image are floors; pooling twice by 2 is one floor by 4.
  ASSERT_EQ(model->buffers.size(), 6u);
  EXPECT_EQ(to_string(model->buffers[1].shape), "[B, 8, floor(H/2), floor(W/2)]");
  EXPECT_EQ(to_string(model->buffers[3].shape), "[B, 12, floor(H/4), floor(W/4)]");
  EXPECT_EQ(to_string(model->buffers[4].shape), "[B, floor(H/4)*floor(W/4), 12]");
  EXPECT_EQ(to_string(model->buffers[5].shape), "[B, 40, 5, 5]");

  // The accumulation runs inside the parallel loop over output rows (its closure, printed before
  // the kernel's body), and the image is staged once, in the body.
  std::string stmt;
  ASSERT_TRUE(emit_text(*model, *target, TextKind::Stmt, &stmt, &error)) << error;
  size_t kernel = stmt.find("module name=Cnn_k2_conv2d");
  ASSERT_NE(kernel, std::string::npos);
  size_t rows = stmt.find("external func Cnn_k2_conv2d_par_for_k2_relu", kernel);
  size_t prod = stmt.find("produce k2_conv2d_0_prod", kernel);
  size_t padded = stmt.find("produce k2_conv2d_0_padded", kernel);
  ASSERT_NE(rows, std::string::npos);
  ASSERT_NE(padded, std::string::npos);
  EXPECT_LT(rows, prod);
  EXPECT_LT(prod, padded);
}

TEST_F(ConvLowering, CpuAndGpuSchedulesCompile) {
  expect_schedules_compile("produce k0_conv2d_0_prod");
}

} // namespace
