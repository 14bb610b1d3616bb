// The runtime against kernels Halide really generated (see halide_abi_generator.cpp), loaded
// the way `attnc run` loads them.
#include <gtest/gtest.h>

#include "attn/model.h"
#include "attn/shared_library.h"
#include "test_util.h"

namespace attn {
namespace {

using testing_util::f32_tensor;
using testing_util::i64_tensor;
using testing_util::values_of;

// A manifest running `kernel` over `inputs` into one buffer output.
std::string manifest(const std::string &kernel, const std::string &inputs,
                     const std::string &weights, const std::string &args,
                     const std::string &out_shape) {
  return R"({"format": "attn-manifest", "version": 1, "model": "Abi", "inputs": [)" + inputs +
         R"(], "weights": [)" + weights +
         R"(], "buffers": [{"name": "t0", "dtype": "f32", "shape": )" + out_shape +
         R"(}], "outputs": [{"name": "out0", "dtype": "f32", "shape": )" + out_shape +
         R"(, "value": "buffer:t0"}], "kernels": [{"name": ")" + kernel +
         R"(", "loc": "abi.attn:1:1", "args": [)" + args + R"(, "buffer:t0"], "num_outputs": 1}]})";
}

StatusOr<std::vector<Tensor>> run(const std::string &kernel, const std::string &manifest_json,
                                  const std::vector<std::pair<std::string, Tensor>> &inputs,
                                  const Weights *weights = nullptr) {
  ATTN_ASSIGN_OR_RETURN(KernelLibrary lib, load_shared_kernels(ATTN_HALIDE_ABI_SO, {kernel}));
  ATTN_ASSIGN_OR_RETURN(Model model, Model::create(manifest_json, std::move(lib)));
  if (weights != nullptr)
    ATTN_RETURN_IF_ERROR(model.bind_weights(*weights));
  return model.run(inputs);
}

std::vector<float> ramp(size_t n) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i)
    v[i] = static_cast<float>(i) - 7.5f;
  return v;
}

TEST(HalideAbi, VectorizedParallelKernelSeesRowMajorTensors) {
  const int64_t B = 3, S = 5, D = 11; // D is not a multiple of the vector width
  Tensor x = f32_tensor({B, S, D}, ramp(B * S * D));
  Tensor y = f32_tensor({B, S, D}, std::vector<float>(B * S * D, 0.25f));
  auto out = run("Abi_k0_axpy",
                 manifest("Abi_k0_axpy",
                          R"({"name": "x", "dtype": "f32", "shape": ["B", "S", 11]},
                             {"name": "y", "dtype": "f32", "shape": ["B", "S", 11]})",
                          "", R"("input:x", "input:y")", R"(["B", "S", 11])"),
                 {{"x", x}, {"y", y}});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  std::vector<float> got = values_of((*out)[0]), in = ramp(B * S * D);
  for (size_t i = 0; i < got.size(); ++i)
    ASSERT_EQ(got[i], 2 * in[i] + 0.25f) << i;
}

TEST(HalideAbi, Int64IdsAndWeights) {
  StatusOr<Weights> w =
      Weights::from_bytes(testing_util::safetensors_bytes(
                              {{"table", "F32", {4, 3}, testing_util::f32_bytes(ramp(12))}}),
                          "abi.safetensors");
  ASSERT_TRUE(w.ok());
  auto out =
      run("Abi_k1_gather",
          manifest("Abi_k1_gather", R"({"name": "ids", "dtype": "i64", "shape": ["B", "S"]})",
                   R"({"name": "table", "dtype": "f32", "shape": [4, 3]})",
                   R"("input:ids", "weight:table")", R"(["B", "S", 3])"),
          {{"ids", i64_tensor({1, 2}, {3, 1})}}, &*w);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  std::vector<float> t = ramp(12);
  EXPECT_EQ(values_of((*out)[0]), (std::vector<float>{t[9], t[10], t[11], t[3], t[4], t[5]}));
}

TEST(HalideAbi, BoolIsHalidesUInt1) {
  Tensor mask = Tensor::empty(DType::Bool, {2, 2});
  mask.data<uint8_t>()[0] = mask.data<uint8_t>()[3] = 1;
  auto out = run("Abi_k2_mask",
                 manifest("Abi_k2_mask",
                          R"({"name": "mask", "dtype": "bool", "shape": ["S", 2]},
                             {"name": "x", "dtype": "f32", "shape": ["S", 2]})",
                          "", R"("input:mask", "input:x")", R"(["S", 2])"),
                 {{"mask", mask}, {"x", f32_tensor({2, 2}, {1, 2, 3, 4})}});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(values_of((*out)[0]), (std::vector<float>{1, -1, -1, 4}));
}

const char kUnary[] = R"({"name": "x", "dtype": "f32", "shape": ["N"]})";

TEST(HalideAbi, HalideErrorsBecomeStatuses) {
  auto out =
      run("Abi_k3_require", manifest("Abi_k3_require", kUnary, "", R"("input:x")", R"(["N"])"),
          {{"x", f32_tensor({2}, {-1, 1})}});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::Internal);
  EXPECT_EQ(out.status().message(),
            "kernel 'Abi_k3_require' (abi.attn:1:1) failed: Halide error -27: Requirement "
            "Failed: (false) -1.000000 x[0] must be positive");
}

TEST(HalideAbi, CudaKernelRunsOrReportsTheMissingDevice) {
  auto out = run("Abi_k4_cuda", manifest("Abi_k4_cuda", kUnary, "", R"("input:x")", R"(["N"])"),
                 {{"x", f32_tensor({40}, ramp(40))}});
  if (out.ok()) { // a machine with a GPU
    std::vector<float> got = values_of((*out)[0]), in = ramp(40);
    for (size_t i = 0; i < got.size(); ++i)
      EXPECT_EQ(got[i], 3 * in[i]);
  } else {
    EXPECT_EQ(out.status().code(), StatusCode::Device) << out.status().message();
    EXPECT_NE(out.status().message().find("kernel 'Abi_k4_cuda' (abi.attn:1:1)"),
              std::string::npos);
  }
}

} // namespace
} // namespace attn
