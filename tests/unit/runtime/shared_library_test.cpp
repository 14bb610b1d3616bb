#include "attn/shared_library.h"

#include <gtest/gtest.h>

#include "test_kernels.h"
#include "test_util.h"

namespace attn {
namespace {

using testing_util::f32_tensor;
using testing_util::unary_manifest;
using testing_util::values_of;

TEST(SharedLibrary, LoadsKernelsAndRuntimeEntryPoints) {
  StatusOr<KernelLibrary> lib = load_shared_kernels(ATTN_TEST_KERNELS_SO, {"triple", "refuse"});
  ASSERT_TRUE(lib.ok()) << lib.status().to_string();
  EXPECT_NE(lib->set_error_handler, nullptr);
  EXPECT_NE(lib->copy_to_host, nullptr);
  EXPECT_NE(lib->device_free, nullptr);
  ASSERT_NE(lib->find("triple"), nullptr);

  StatusOr<Model> m = Model::create(unary_manifest("triple"), *lib);
  ASSERT_TRUE(m.ok()) << m.status().to_string();
  StatusOr<std::vector<Tensor>> out = m->run({{"x", f32_tensor({3}, {1, 2, 3})}});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(values_of((*out)[0]), (std::vector<float>{3, 6, 9}));
}

TEST(SharedLibrary, ErrorsGoThroughTheLibrarysHandler) {
  StatusOr<KernelLibrary> lib = load_shared_kernels(ATTN_TEST_KERNELS_SO, {"refuse"});
  ASSERT_TRUE(lib.ok()) << lib.status().to_string();
  StatusOr<Model> m = Model::create(unary_manifest("refuse"), std::move(lib).value());
  ASSERT_TRUE(m.ok());
  StatusOr<std::vector<Tensor>> out = m->run({{"x", f32_tensor({1}, {1})}});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(),
            "kernel 'refuse' (unary.attn:2:7) failed: Halide error -1: refuse: this kernel "
            "always fails");
}

TEST(SharedLibrary, MissingKernelSymbolIsNamed) {
  StatusOr<KernelLibrary> lib =
      load_shared_kernels(ATTN_TEST_KERNELS_SO, {"triple", "Model_k7_softmax"});
  ASSERT_FALSE(lib.ok());
  EXPECT_EQ(lib.status().code(), StatusCode::Internal);
  EXPECT_EQ(lib.status().message(), std::string("kernel library ") + ATTN_TEST_KERNELS_SO +
                                        " lacks symbol Model_k7_softmax_argv");
}

TEST(SharedLibrary, MissingFileIsNamed) {
  StatusOr<KernelLibrary> lib = load_shared_kernels("/nonexistent/libmodel.so", {"k"});
  ASSERT_FALSE(lib.ok());
  EXPECT_NE(lib.status().message().find("cannot load kernel library /nonexistent/libmodel.so"),
            std::string::npos)
      << lib.status().message();
}

} // namespace
} // namespace attn
