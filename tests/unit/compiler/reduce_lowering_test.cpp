// The lowering of the reductions: a LayerNorm is one kernel whose reductions run per row, a
// value that computes reductions is materialised before an anchor reads it, and the CPU and GPU
// schedules of every reduction placement compile.
#include "attn/compiler/Dialect/AttnDialect.h"
#include "attn/compiler/Emit.h"
#include "attn/compiler/Lowering.h"
#include "attn/compiler/Passes.h"

#include "pipeline_fixture.h"

#include <gtest/gtest.h>

using namespace attn::compiler;

namespace {

class ReduceLowering : public LoadedPipeline {
protected:
  ReduceLowering() : LoadedPipeline("layer_norm.mlir") {}
};

TEST_F(ReduceLowering, LayerNormIsOneKernelBeforeTheLinear) {
  std::string error;
  auto target = parse_target("host", &error);
  auto model = lower_to_halide(func_, *target);
  ASSERT_TRUE(succeeded(model));
  std::vector<std::string> names;
  for (const auto &k : model->kernels)
    names.push_back(k.name);
  // k0: the LayerNorm and GELU, materialised for the linear (k1); k2..k4: the other outputs.
  EXPECT_EQ(names, (std::vector<std::string>{"Norm_k0_reduce", "Norm_k1_matmul", "Norm_k2_reduce",
                                             "Norm_k3_reduce", "Norm_k4_log_softmax"}));
  EXPECT_EQ(model->kernels[0].args, (std::vector<std::string>{"input:x", "weight:norm.weight",
                                                              "weight:norm.bias", "buffer:t0"}));
  EXPECT_EQ(model->kernels[1].args,
            (std::vector<std::string>{"buffer:t0", "weight:fc.weight", "buffer:t1"}));

  // Both means are computed inside the parallel loop over rows, not before it.
  std::string stmt;
  ASSERT_TRUE(emit_text(*model, *target, TextKind::Stmt, &stmt, &error)) << error;
  size_t kernel = stmt.find("Norm_k0_reduce");
  size_t parallel = stmt.find("par_for", kernel);
  size_t mean = stmt.find("produce k0_reduce_mean", kernel);
  ASSERT_NE(parallel, std::string::npos);
  ASSERT_NE(mean, std::string::npos);
  EXPECT_LT(parallel, mean);
}

TEST_F(ReduceLowering, CpuAndGpuSchedulesCompile) { expect_schedules_compile("produce"); }

} // namespace
