// The Halide lowering on hand-written IR: every op of the dialect has a lowering, kernels are
// grouped as the fusion rules say, the manifest and header describe them, and both the CPU and
// the GPU schedules compile.
#include "attn/compiler/Dialect/AttnDialect.h"
#include "attn/compiler/Emit.h"
#include "attn/compiler/Lowering.h"
#include "attn/compiler/Passes.h"

#include "pipeline_fixture.h"

#include <gtest/gtest.h>

#include <set>

using namespace attn::compiler;

namespace {

using Lowering = PipelineFixture;

TEST(LoweringCoverage, EveryKernelOpOfTheDialectHasALowering) {
  mlir::MLIRContext context;
  context.getOrLoadDialect<mlir::attn::AttnDialect>();
  // Ops that never become part of a kernel: weights are kernel inputs, a scan is a loop of
  // kernels run by the runtime, the ops of attention regions are lowered with the attention
  // (RegionEval), the rest is structure.
  const std::set<std::string> structural = {"attn.param",      "attn.yield",       "attn.score_dim",
                                            "attn.lookup",     "attn.return",      "attn.scan",
                                            "attn.scan_yield", "attn.assert_shape"};
  int checked = 0;
  for (mlir::RegisteredOperationName op : context.getRegisteredOperations()) {
    std::string name = op.getStringRef().str();
    if (name.rfind("attn.", 0) != 0 || structural.count(name))
      continue;
    EXPECT_TRUE(has_halide_lowering(name)) << name << " has no Halide lowering";
    ++checked;
  }
  EXPECT_GT(checked, 15);
}

TEST(ParseTarget, KnowsTheTargetNames) {
  std::string error;
  auto host = parse_target("host", &error);
  ASSERT_TRUE(host);
  EXPECT_FALSE(host->gpu);
  EXPECT_EQ(host->device_name(), "cpu");
  auto cuda = parse_target("host-cuda", &error);
  ASSERT_TRUE(cuda);
  EXPECT_TRUE(cuda->gpu);
  EXPECT_TRUE(cuda->target.has_feature(Halide::Target::CUDACapability80));
  EXPECT_EQ(cuda->device_name(), "cuda");
  auto cuda86 = parse_target("host-cuda-86", &error);
  ASSERT_TRUE(cuda86);
  EXPECT_TRUE(cuda86->target.has_feature(Halide::Target::CUDACapability86));
  EXPECT_EQ(parse_target("host-opencl", &error)->device_name(), "opencl");
  EXPECT_FALSE(parse_target("gpu-please", &error));
  EXPECT_NE(error.find("unknown target 'gpu-please'"), std::string::npos);
}

TEST_F(Lowering, MultiHeadAttentionIsFourLinearsAndOneAttention) {
  mlir::FuncOp func = load("multi_head_attention.mlir");
  ASSERT_TRUE(func);
  std::string error;
  auto target = parse_target("host", &error);
  auto model = lower_to_halide(func, *target);
  ASSERT_TRUE(succeeded(model));
  std::vector<std::string> names;
  std::vector<bool> shared;
  for (const auto &k : model->kernels) {
    names.push_back(k.name);
    shared.push_back(k.shares_code);
  }
  // The query, key and value projections compute the same thing on different weights and
  // inputs: the key's and the value's call the query's code (KernelSignature.h).
  EXPECT_EQ(names, (std::vector<std::string>{
                       "MultiHeadAttention_k0_matmul", "MultiHeadAttention_k0_matmul",
                       "MultiHeadAttention_k0_matmul", "MultiHeadAttention_k3_attention",
                       "MultiHeadAttention_k4_matmul"}));
  EXPECT_EQ(shared, (std::vector<bool>{false, true, true, false, false}));
  EXPECT_EQ(compiled_kernel_count(*model), 3u);
  // The bias add is each linear's epilogue: the linear reads its input, weight and bias.
  EXPECT_EQ(model->kernels[0].args, (std::vector<std::string>{"input:query", "weight:query.weight",
                                                              "weight:query.bias", "buffer:t0"}));
  EXPECT_EQ(model->kernels[3].args,
            (std::vector<std::string>{"buffer:t0", "buffer:t1", "buffer:t2", "buffer:t3"}));

  nlohmann::json manifest = make_manifest(*model, *target);
  EXPECT_EQ(manifest["model"], "MultiHeadAttention");
  EXPECT_EQ(manifest["device"], "cpu");
  EXPECT_EQ(manifest["inputs"][0]["shape"], nlohmann::json::parse(R"(["B", "Sq", 40])"));
  EXPECT_EQ(manifest["buffers"][3]["shape"], nlohmann::json::parse(R"(["B", 5, "Sq", 8])"));
  EXPECT_EQ(manifest["outputs"][0]["value"], "buffer:t4");
  EXPECT_EQ(manifest["weights"].size(), 8u);
  EXPECT_EQ(manifest["hyperparameters"]["num_heads"], 5);

  std::string header = generate_header(*model, *target, manifest.dump());
  EXPECT_NE(header.find("class MultiHeadAttention {"), std::string::npos);
  EXPECT_NE(header.find("forward(const attn::Tensor &query, const attn::Tensor &key, "
                        "const attn::Tensor &value)"),
            std::string::npos);
  EXPECT_NE(header.find("int MultiHeadAttention_k3_attention_argv(void **args);"),
            std::string::npos);
}

TEST_F(Lowering, AttentionMapsAddAWeightsKernelAndANamedOutput) {
  PipelineOptions options;
  options.expose_attention_weights = true;
  mlir::FuncOp func = load("multi_head_attention.mlir", options);
  ASSERT_TRUE(func);
  for (const char *name : {"host", "host-cuda"}) {
    std::string error;
    auto target = parse_target(name, &error);
    auto model = lower_to_halide(func, *target);
    ASSERT_TRUE(succeeded(model)) << name;
    // One kernel more, right after the attention: its weights, computed from the same query
    // and key buffers as the attention reads.
    ASSERT_EQ(model->kernels.size(), 6u) << name;
    EXPECT_EQ(model->kernels[4].op, "attn.attention_weights") << name;
    EXPECT_EQ(model->kernels[4].name, "MultiHeadAttention_k4_attention_weights") << name;
    EXPECT_EQ(model->kernels[4].args,
              (std::vector<std::string>{"buffer:t0", "buffer:t1", "buffer:t4"}));
    EXPECT_EQ(model->kernels[3].args[0], "buffer:t0");
    EXPECT_EQ(model->kernels[3].args[1], "buffer:t1");
    nlohmann::json manifest = make_manifest(*model, *target);
    ASSERT_EQ(manifest["outputs"].size(), 2u);
    EXPECT_FALSE(manifest["outputs"][0].contains("attention_map"));
    // query.* and key.* share no module path: the map is named by its index.
    EXPECT_EQ(manifest["outputs"][1]["attention_map"], "attention0");
    EXPECT_EQ(manifest["outputs"][1]["value"], "buffer:t4");
    EXPECT_EQ(manifest["outputs"][1]["shape"], nlohmann::json::parse(R"(["B", 5, "Sq", "Sk"])"));
    std::string text;
    EXPECT_TRUE(emit_text(*model, *target, TextKind::Stmt, &text, &error)) << name << error;
    EXPECT_NE(text.find("attention_weights"), std::string::npos) << name;
  }
}

TEST_F(Lowering, CpuAndGpuSchedulesCompile) {
  mlir::FuncOp func = load("softmax_attention.mlir");
  ASSERT_TRUE(func);
  expect_cpu_and_gpu_schedules_compile(func, "produce");
}

} // namespace
