// How a Model reports what is wrong: a bad manifest, a kernel missing from the library, weights
// that do not match, and kernels that fail (through the error handler, never an abort).
#include <gtest/gtest.h>

#include "attn/model.h"
#include "test_kernels.h"
#include "test_util.h"

namespace attn {
namespace {

using namespace testing_util; // NOLINT: test fixtures

bool mentions(const Status &s, const std::string &text) {
  return s.message().find(text) != std::string::npos;
}

Status create_error(const std::string &manifest, KernelLibrary lib = tiny_library()) {
  StatusOr<Model> m = Model::create(manifest, std::move(lib));
  EXPECT_FALSE(m.ok());
  return m.ok() ? Status() : m.status();
}

// kTinyManifest with `from` replaced by `to`.
std::string tiny_with(const std::string &from, const std::string &to) {
  std::string s = kTinyManifest;
  size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return at == std::string::npos ? s : s.replace(at, from.size(), to);
}

TEST(ModelManifest, NotJson) {
  Status s = create_error("{\"format\": ");
  EXPECT_EQ(s.code(), StatusCode::Internal);
  EXPECT_EQ(s.message(), "manifest: not valid JSON");
}

TEST(ModelManifest, WrongFormatOrVersion) {
  Status s = create_error(tiny_with("\"version\": 1", "\"version\": 3"));
  EXPECT_TRUE(mentions(s, "\"version\" is not 1 or 2")) << s.message();
  s = create_error(tiny_with("\"attn-manifest\"", "\"onnx\""));
  EXPECT_TRUE(mentions(s, "\"format\" is not \"attn-manifest\""));
  s = create_error(tiny_with("\"model\": \"Tiny\"", "\"model\": 7"));
  EXPECT_TRUE(mentions(s, "lacks a string \"model\""));
}

TEST(ModelManifest, MissingKernelIsNamed) {
  KernelLibrary lib = tiny_library();
  lib.kernels.pop_back();
  Status s = create_error(kTinyManifest, std::move(lib));
  EXPECT_EQ(s.code(), StatusCode::Internal);
  EXPECT_EQ(s.message(), "the kernel library of model 'Tiny' lacks kernel:\n  Tiny_k2_pool");
}

TEST(ModelManifest, BadReferencesAndOrder) {
  Status s = create_error(tiny_with("\"input:y\"", "\"input:w\""));
  EXPECT_TRUE(mentions(s, "kernel 'Tiny_k0_add': 'input:w' names no declared input"))
      << s.message();
  s = create_error(tiny_with("\"input:y\"", "\"tensor:y\""));
  EXPECT_TRUE(mentions(s, "'tensor:y' is not input:NAME, weight:NAME or buffer:NAME"));
  s = create_error(tiny_with("[\"input:x\", \"input:y\", \"buffer:t0\"]",
                             "[\"input:x\", \"buffer:t1\", \"buffer:t0\"]"));
  EXPECT_TRUE(mentions(s, "kernel 'Tiny_k0_add' reads buffer:t1 before anything writes it"))
      << s.message();
  s = create_error(
      tiny_with("\"buffer:t2\"], \"num_outputs\": 1", "\"input:y\"], \"num_outputs\": 1"));
  EXPECT_TRUE(mentions(s, "kernel 'Tiny_k2_pool' writes input:y; kernels may only write buffers"));
  s = create_error(tiny_with("\"num_outputs\": 1}\n  ]", "\"num_outputs\": 3}\n  ]"));
  EXPECT_TRUE(mentions(s, "kernel 'Tiny_k2_pool' has num_outputs 3 with 2 args")) << s.message();
}

TEST(ModelManifest, ShapeRules) {
  Status s = create_error(tiny_with("[\"B\", \"S/2\", 4]}]", "[\"B\", \"T/2\", 4]}]"));
  EXPECT_TRUE(mentions(s, "buffer 't2' uses symbol 'T', which no input binds")) << s.message();
  s = create_error(tiny_with("\"shape\": [\"B\", \"S\", 4]}", "\"shape\": [\"B\", \"2*S\", 4]}"));
  EXPECT_TRUE(mentions(s, "input 'x' has dim '2*S'; input dims must be symbols or integers"));
  s = create_error(tiny_with("\"shape\": [3]", "\"shape\": [\"B\"]"));
  EXPECT_TRUE(mentions(s, "weight 'proj.bias' has symbolic dim 'B'"));
  s = create_error(tiny_with("\"shape\": [3]", "\"shape\": [\"3+\"]"));
  EXPECT_TRUE(mentions(s, "weights 'proj.bias': bad dim expression '3+'")) << s.message();
  s = create_error(
      tiny_with("\"dtype\": \"f32\", \"shape\": [3]", "\"dtype\": \"f64\", \"shape\": [3]"));
  EXPECT_TRUE(mentions(s, "weights 'proj.bias' has an unknown dtype \"f64\"")) << s.message();
}

TEST(ModelManifest, OutputMustBeWrittenAndTyped) {
  Status s = create_error(tiny_with("\"value\": \"buffer:t2\"", "\"value\": \"buffer:t9\""));
  EXPECT_TRUE(mentions(s, "output 'out1': 'buffer:t9' names no declared buffer")) << s.message();
  s = create_error(tiny_with("\"name\": \"out1\", \"dtype\": \"f32\"",
                             "\"name\": \"out1\", \"dtype\": \"i32\""));
  EXPECT_TRUE(mentions(s, "output 'out1' is i32 but buffer:t2 is f32")) << s.message();
}

// --- Weights against the manifest ------------------------------------------------------------

const char kThreeWeights[] = R"({"format": "attn-manifest", "version": 1, "model": "W",
  "inputs": [], "outputs": [], "buffers": [], "kernels": [],
  "weights": [{"name": "a", "dtype": "f32", "shape": [2, 2]},
              {"name": "b", "dtype": "f32", "shape": [3]},
              {"name": "c", "dtype": "i64", "shape": [4]}]})";

TEST(ModelWeights, ReportsEveryMismatchByName) {
  StatusOr<Model> m = Model::create(kThreeWeights, KernelLibrary());
  ASSERT_TRUE(m.ok()) << m.status().to_string();
  StatusOr<Weights> w = Weights::from_bytes(
      safetensors_bytes({{"a", "F32", {2, 3}, std::string(24, '\0')}, // misshaped
                         {"b", "F16", {3}, std::string(6, '\0')},     // mistyped
                         {"d", "F32", {1}, std::string(4, '\0')}}),   // extra; c missing
      "w.safetensors");
  ASSERT_TRUE(w.ok());
  Status s = m->bind_weights(*w);
  EXPECT_EQ(s.code(), StatusCode::InvalidInput);
  EXPECT_EQ(s.message(), "weights w.safetensors do not match model 'W':\n"
                         "  tensor 'a': expected shape [2, 2], found [2, 3]\n"
                         "  tensor 'b': expected dtype f32, found f16\n"
                         "  missing tensor 'c' (expected i64[4])\n"
                         "  unexpected tensor 'd' (f32[1]), which the model does not use");
  EXPECT_FALSE(m->weights_bound());
}

TEST(ModelWeights, AModelWithoutWeightsRunsWithoutBinding) {
  StatusOr<Model> m = Model::create(unary_manifest("double_on_device"), unary_library());
  ASSERT_TRUE(m.ok());
  StatusOr<std::vector<Tensor>> out = m->run({{"x", f32_tensor({2}, {1, 2})}});
  EXPECT_TRUE(out.ok()) << out.status().to_string();
}

// --- Kernel failures -------------------------------------------------------------------------

Status run_unary(const std::string &kernel) {
  StatusOr<Model> m = Model::create(unary_manifest(kernel), unary_library());
  EXPECT_TRUE(m.ok()) << m.status().to_string();
  if (!m.ok())
    return m.status();
  StatusOr<std::vector<Tensor>> out = m->run({{"x", f32_tensor({3}, {1, 2, 3})}});
  EXPECT_FALSE(out.ok());
  return out.ok() ? Status() : out.status();
}

TEST(ModelKernels, HandlerMessageBecomesAnInternalStatus) {
  Status s = run_unary("fail_with_message");
  EXPECT_EQ(s.code(), StatusCode::Internal);
  EXPECT_EQ(s.message(),
            "kernel 'fail_with_message' (unary.attn:2:7) failed: Halide error -4 (access out of "
            "bounds): Input buffer x is accessed at 7, which is beyond the max (3) in dimension 0");
}

TEST(ModelKernels, MissingCudaBecomesADeviceStatus) {
  Status s = run_unary("fail_without_cuda");
  EXPECT_EQ(s.code(), StatusCode::Device);
  EXPECT_TRUE(mentions(s, "kernel 'fail_without_cuda' (unary.attn:2:7) could not run on the "
                          "device; is a GPU with a working driver present?"))
      << s.message();
  EXPECT_TRUE(mentions(s, "CUDA_ERROR_NO_DEVICE cuInit failed"));
}

TEST(ModelKernels, MissingCudaDriverIsOneClearLine) {
  Status s = run_unary("fail_no_libcuda");
  EXPECT_EQ(s.code(), StatusCode::Device);
  EXPECT_EQ(s.message(),
            "kernel 'fail_no_libcuda' (unary.attn:2:7) needs a CUDA GPU, but the CUDA driver "
            "library (libcuda.so) could not be loaded on this machine");
}

TEST(ModelKernels, LongMessagesAreCondensed) {
  Status s = run_unary("fail_verbosely");
  EXPECT_EQ(s.message(),
            "kernel 'fail_verbosely' (unary.attn:2:7) failed: Halide error -1: line 0\nline 1\n"
            "line 2\n... (15 more lines)\nline 18\nline 19");
}

TEST(ModelKernels, MessagesFromWorkerThreadsAreCaptured) {
  Status s = run_unary("fail_on_worker");
  EXPECT_EQ(s.code(), StatusCode::Internal);
  EXPECT_TRUE(mentions(s, "Error in parallel task: out of scratch memory")) << s.message();
}

TEST(ModelKernels, SilentFailureReportsTheCode) {
  Status s = run_unary("fail_silently");
  EXPECT_EQ(s.message(), "kernel 'fail_silently' (unary.attn:2:7) failed: Halide error -22");
}

TEST(ModelKernels, DeviceOutputsAreCopiedBackAndFreed) {
  reset_fake_device_counters();
  StatusOr<Model> m = Model::create(unary_manifest("double_on_device"), unary_library());
  ASSERT_TRUE(m.ok());
  StatusOr<std::vector<Tensor>> out = m->run({{"x", f32_tensor({3}, {1, 2, 3})}});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(values_of((*out)[0]), (std::vector<float>{2, 4, 6}));
  EXPECT_EQ(fake_copy_to_host_calls(), 1);
  EXPECT_EQ(fake_device_free_calls(), 1);
}

TEST(ModelKernels, DeviceOutputWithoutCopyToHostIsAnError) {
  KernelLibrary lib = unary_library();
  lib.copy_to_host = nullptr;
  StatusOr<Model> m = Model::create(unary_manifest("double_on_device"), std::move(lib));
  ASSERT_TRUE(m.ok());
  StatusOr<std::vector<Tensor>> out = m->run({{"x", f32_tensor({1}, {1})}});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::Internal);
  EXPECT_TRUE(mentions(out.status(), "output 'out0' was written on a device"));
}

} // namespace
} // namespace attn
