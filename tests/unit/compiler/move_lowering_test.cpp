// The lowering of the data-movement ops: integer kernel inputs and buffers reach the manifest
// with their dtypes, sizes along concatenated and sliced axes are dim expressions, a
// materialised lookup or concatenation names its kernel, and the CPU and GPU schedules compile.
#include "attn/compiler/Dialect/AttnDialect.h"
#include "attn/compiler/Emit.h"
#include "attn/compiler/Lowering.h"
#include "attn/compiler/Passes.h"

#include "pipeline_fixture.h"

#include <gtest/gtest.h>

using namespace attn::compiler;

namespace {

class MoveLowering : public LoadedPipeline {
protected:
  MoveLowering() : LoadedPipeline("movement.mlir") {}
};

TEST_F(MoveLowering, ManifestCarriesDtypesAndDimExpressions) {
  std::string error;
  auto target = parse_target("host", &error);
  auto model = lower_to_halide(func_, *target);
  ASSERT_TRUE(succeeded(model));
  nlohmann::json m = make_manifest(*model, *target);
  EXPECT_EQ(m["inputs"][0], nlohmann::json::parse(R"({"name": "ids", "dtype": "i64",
                                                      "shape": ["B", "S"]})"));
  auto output = [&](int i) {
    return std::make_pair(m["outputs"][i]["dtype"], m["outputs"][i]["shape"]);
  };
  EXPECT_EQ(output(0),
            std::make_pair(nlohmann::json("f32"), nlohmann::json::parse(R"(["B", "S-1", 8])")));
  EXPECT_EQ(output(1), std::make_pair(nlohmann::json("i64"), nlohmann::json::parse(R"(["S"])")));
  EXPECT_EQ(output(2),
            std::make_pair(nlohmann::json("f32"), nlohmann::json::parse(R"(["B", "2*S-1", 8])")));
  EXPECT_EQ(output(3), std::make_pair(nlohmann::json("f32"), nlohmann::json::parse(R"(["B", 8])")));
  EXPECT_EQ(output(4),
            std::make_pair(nlohmann::json("f32"), nlohmann::json::parse(R"(["B", "S-1"])")));
  std::vector<std::string> names;
  for (const auto &k : model->kernels)
    names.push_back(k.name);
  EXPECT_EQ(names, (std::vector<std::string>{"Movement_k0_gather", "Movement_k1_arange",
                                             "Movement_k2_concat", "Movement_k3_select",
                                             "Movement_k4_cast"}));
  // The lookup reads the ids and the table; the slice of the ids is inlined into it.
  EXPECT_EQ(model->kernels[0].args,
            (std::vector<std::string>{"weight:embed.weight", "input:ids", "buffer:t0"}));
}

TEST_F(MoveLowering, CpuAndGpuSchedulesCompile) { expect_schedules_compile("produce"); }

} // namespace
