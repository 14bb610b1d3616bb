// Model::run end to end with hand-written kernels: the plan executes, symbols bind, and every
// input mistake is reported by name, axis and value.
#include "attn/model.h"

#include <gtest/gtest.h>

#include "test_kernels.h"
#include "test_util.h"

namespace attn {
namespace {

using namespace testing_util; // NOLINT: test fixtures

Weights tiny_weights() {
  StatusOr<Weights> w = Weights::from_bytes(
      safetensors_bytes({{"proj.weight", "F32", {3, 4}, f32_bytes(iota(12, -2))},
                         {"proj.bias", "F32", {3}, f32_bytes({0.25f, -1, 3})}}),
      "tiny.safetensors");
  EXPECT_TRUE(w.ok()) << w.status().to_string();
  return std::move(w).value();
}

Model tiny_model() {
  StatusOr<Model> m = Model::create(kTinyManifest, tiny_library());
  EXPECT_TRUE(m.ok()) << m.status().to_string();
  Model model = std::move(m).value();
  Status s = model.bind_weights(tiny_weights());
  EXPECT_TRUE(s.ok()) << s.to_string();
  return model;
}

// The expected error message of a run with these inputs.
std::string run_error(Model &model, const std::vector<std::pair<std::string, Tensor>> &inputs) {
  StatusOr<std::vector<Tensor>> out = model.run(inputs);
  EXPECT_FALSE(out.ok());
  if (out.ok())
    return "";
  EXPECT_EQ(out.status().code(), StatusCode::InvalidInput);
  return out.status().message();
}

TEST(Model, ExposesTheManifest) {
  Model m = tiny_model();
  EXPECT_EQ(m.model_name(), "Tiny");
  EXPECT_EQ(m.target(), "x86-64-linux");
  EXPECT_EQ(m.device(), "cpu");
  EXPECT_EQ(m.num_kernels(), 3u);
  EXPECT_TRUE(m.weights_bound());
  ASSERT_EQ(m.inputs().size(), 2u);
  EXPECT_EQ(m.inputs()[0].name, "x");
  EXPECT_EQ(m.inputs()[1].type_string(), "f32[B, S, 4]");
  ASSERT_EQ(m.outputs().size(), 2u);
  EXPECT_EQ(m.outputs()[0].type_string(), "f32[B*S, 3]");
  EXPECT_EQ(m.outputs()[1].type_string(), "f32[B, S/2, 4]");
  ASSERT_EQ(m.weights().size(), 2u);
  EXPECT_EQ(m.weights()[0].name, "proj.weight");
}

TEST(Model, RunsThePlanAndReturnsOutputsInOrder) {
  Model m = tiny_model();
  const int64_t B = 2, S = 6, D = 4;
  Tensor x = f32_tensor({B, S, D}, iota(B * S * D, 1));
  Tensor y = f32_tensor({B, S, D}, iota(B * S * D, -3));
  // Inputs are matched by name, not position.
  StatusOr<std::vector<Tensor>> out = m.run({{"y", y}, {"x", x}});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  ASSERT_EQ(out->size(), 2u);
  EXPECT_EQ(m.last_symbols(), (SymbolTable{{"B", 2}, {"S", 6}}));

  const Tensor &out0 = (*out)[0];
  ASSERT_EQ(out0.shape(), (std::vector<int64_t>{B * S, 3}));
  std::vector<float> w = iota(12, -2), bias = {0.25f, -1, 3};
  for (int64_t r = 0; r < B * S; ++r) {
    for (int64_t o = 0; o < 3; ++o) {
      float want = bias[o];
      for (int64_t i = 0; i < D; ++i) {
        want += (x.data<float>()[r * D + i] + y.data<float>()[r * D + i]) * w[o * D + i];
      }
      EXPECT_FLOAT_EQ(out0.data<float>()[r * 3 + o], want) << "row " << r << " col " << o;
    }
  }
  const Tensor &out1 = (*out)[1];
  ASSERT_EQ(out1.shape(), (std::vector<int64_t>{B, S / 2, D}));
  for (int64_t b = 0; b < B; ++b)
    for (int64_t j = 0; j < S / 2; ++j)
      for (int64_t d = 0; d < D; ++d) {
        const float *xp = x.data<float>() + b * S * D;
        EXPECT_FLOAT_EQ(out1.data<float>()[(b * S / 2 + j) * D + d],
                        (xp[2 * j * D + d] + xp[(2 * j + 1) * D + d]) / 2);
      }
}

TEST(Model, OutputsAreOwnedCopies) {
  Model m = tiny_model();
  Tensor x = f32_tensor({1, 2, 4}, iota(8, 0));
  StatusOr<std::vector<Tensor>> a = m.run({{"x", x}, {"y", x}});
  ASSERT_TRUE(a.ok());
  EXPECT_FALSE((*a)[0].is_view());
  float first = (*a)[0].data<float>()[0];
  StatusOr<std::vector<Tensor>> b = m.run({{"x", f32_tensor({1, 2, 4}, iota(8, 100))}, {"y", x}});
  ASSERT_TRUE(b.ok());
  EXPECT_EQ((*a)[0].data<float>()[0], first);
  EXPECT_NE((*b)[0].data<float>()[0], first);
}

TEST(Model, OutputsNeverAliasEachOtherOrTheInputs) {
  const char manifest[] = R"({"format": "attn-manifest", "version": 1, "model": "Alias",
    "inputs": [{"name": "x", "dtype": "f32", "shape": ["N"]}], "weights": [],
    "buffers": [{"name": "t0", "dtype": "f32", "shape": ["N"]}],
    "outputs": [{"name": "a", "dtype": "f32", "shape": ["N"], "value": "buffer:t0"},
                {"name": "b", "dtype": "f32", "shape": ["N"], "value": "buffer:t0"},
                {"name": "c", "dtype": "f32", "shape": ["N"], "value": "input:x"}],
    "kernels": [{"name": "double_on_device", "args": ["input:x", "buffer:t0"],
                 "num_outputs": 1}]})";
  StatusOr<Model> m = Model::create(manifest, unary_library());
  ASSERT_TRUE(m.ok()) << m.status().to_string();
  Tensor x = f32_tensor({2}, {1, 2});
  StatusOr<std::vector<Tensor>> out = m->run({{"x", x}});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  ASSERT_EQ(out->size(), 3u);
  EXPECT_EQ(values_of((*out)[0]), (std::vector<float>{2, 4}));
  EXPECT_EQ(values_of((*out)[1]), (std::vector<float>{2, 4}));
  EXPECT_EQ(values_of((*out)[2]), (std::vector<float>{1, 2}));
  EXPECT_NE((*out)[0].raw_data(), (*out)[1].raw_data());
  EXPECT_NE((*out)[2].raw_data(), x.raw_data());
}

TEST(Model, SymbolsRebindOnEveryRun) {
  Model m = tiny_model();
  for (int64_t S : {2, 8, 4}) {
    Tensor x = f32_tensor({3, S, 4}, iota(3 * S * 4, 0));
    StatusOr<std::vector<Tensor>> out = m.run({{"x", x}, {"y", x}});
    ASSERT_TRUE(out.ok()) << out.status().to_string();
    EXPECT_EQ((*out)[0].shape(), (std::vector<int64_t>{3 * S, 3}));
    EXPECT_EQ((*out)[1].shape(), (std::vector<int64_t>{3, S / 2, 4}));
  }
}

TEST(Model, MismatchedSymbolNamesWhereItWasBound) {
  Model m = tiny_model();
  std::string msg = run_error(m, {{"x", Tensor::empty(DType::F32, {2, 4, 4})},
                                  {"y", Tensor::empty(DType::F32, {2, 6, 4})}});
  EXPECT_EQ(msg, "the inputs do not match model 'Tiny':\n"
                 "  input 'y' axis 1: expected S = 4 (bound by input 'x' axis 1), found 6");
}

TEST(Model, MismatchedConstantDim) {
  Model m = tiny_model();
  std::string msg = run_error(m, {{"x", Tensor::empty(DType::F32, {2, 4, 3})},
                                  {"y", Tensor::empty(DType::F32, {2, 4, 4})}});
  EXPECT_EQ(msg, "the inputs do not match model 'Tiny':\n"
                 "  input 'x' axis 2: expected 4, found 3 (x is f32[B, S, 4])");
}

TEST(Model, WrongDtypeAndRank) {
  Model m = tiny_model();
  std::string msg = run_error(
      m, {{"x", Tensor::empty(DType::I64, {2, 4, 4})}, {"y", Tensor::empty(DType::F32, {8, 4})}});
  EXPECT_EQ(msg, "the inputs do not match model 'Tiny':\n"
                 "  input 'x': expected dtype f32, found i64\n"
                 "  input 'y': expected rank 3 (f32[B, S, 4]), found rank 2 with shape [8, 4]");
}

TEST(Model, MissingUnknownAndRepeatedInputs) {
  Model m = tiny_model();
  Tensor x = Tensor::empty(DType::F32, {1, 2, 4});
  std::string msg = run_error(m, {{"x", x}, {"z", x}, {"x", x}});
  EXPECT_EQ(msg, "the inputs do not match model 'Tiny':\n"
                 "  unknown input 'z' (the model's inputs: x, y)\n"
                 "  input 'x' is given twice\n"
                 "  missing input 'y' (expected f32[B, S, 4])");
}

TEST(Model, InexactDivisionNamesTheBuffer) {
  Model m = tiny_model();
  Tensor x = Tensor::empty(DType::F32, {1, 3, 4});
  EXPECT_EQ(run_error(m, {{"x", x}, {"y", x}}),
            "the inputs do not fit buffer 't2' axis 1: dim expression 'S/2' is not exact with "
            "S = 3: 3 is not divisible by 2");
}

TEST(Model, RunWithoutWeightsIsAnError) {
  StatusOr<Model> m = Model::create(kTinyManifest, tiny_library());
  ASSERT_TRUE(m.ok());
  EXPECT_FALSE(m->weights_bound());
  Tensor x = Tensor::empty(DType::F32, {1, 2, 4});
  EXPECT_EQ(run_error(*m, {{"x", x}, {"y", x}}),
            "model 'Tiny' needs its weights: bind_weights was not called or failed");
}

TEST(Model, AcceptsInt64TokenIds) {
  StatusOr<Model> m = Model::create(kEmbedManifest, embed_library());
  ASSERT_TRUE(m.ok()) << m.status().to_string();
  StatusOr<Weights> w = Weights::from_bytes(
      safetensors_bytes(
          {{"table", "F32", {5, 2}, f32_bytes({0, 1, 10, 11, 20, 21, 30, 31, 40, 41})}}),
      "embed.safetensors");
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(m->bind_weights(*w).ok());
  StatusOr<std::vector<Tensor>> out = m->run({{"ids", i64_tensor({1, 3}, {4, 0, 2})}});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ((*out)[0].shape(), (std::vector<int64_t>{1, 3, 2}));
  EXPECT_EQ(values_of((*out)[0]), (std::vector<float>{40, 41, 0, 1, 20, 21}));
  EXPECT_EQ(run_error(*m, {{"ids", f32_tensor({1, 1}, {1})}}),
            "the inputs do not match model 'Embed':\n"
            "  input 'ids': expected dtype i64, found f32");
}

} // namespace
} // namespace attn
