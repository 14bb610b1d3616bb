// Hand-written kernels with the kernel ABI (`int f(void **args)` over halide_buffer_t *), a fake
// Halide runtime (error handler, device copies), and the manifests that use them. They let the
// tests drive Model::run end to end without the compiler.
#ifndef ATTN_TESTS_UNIT_RUNTIME_TEST_KERNELS_H_
#define ATTN_TESTS_UNIT_RUNTIME_TEST_KERNELS_H_

#include <string>

#include "attn/model.h"

namespace attn {
namespace testing_util {

// "Tiny": inputs x, y: f32[B, S, 4]; weights proj.weight f32[3, 4], proj.bias f32[3];
//   t0 = x + y                       f32[B, S, 4]      (kernel Tiny_k0_add)
//   out0 = t0 @ proj.weight^T + bias f32[B*S, 3]       (kernel Tiny_k1_linear)
//   out1 = mean of pairs of x rows   f32[B, S/2, 4]    (kernel Tiny_k2_pool)
extern const char kTinyManifest[];
// The three kernels above, with the fake runtime's error handler.
KernelLibrary tiny_library();

// A manifest with a single kernel `name` taking input x: f32[N] and writing out0: f32[N].
std::string unary_manifest(const std::string &kernel_name);
// Kernels for unary_manifest, all in one table with the fake runtime:
//   fail_with_message   reports a bounds error through the handler, returns -4
//   fail_without_cuda   reports that CUDA is missing, returns -1
//   fail_on_worker      reports from another thread, returns -1
//   fail_silently       returns -22 without a message
//   fail_no_libcuda     reports what Halide's CUDA runtime says without libcuda.so
//   fail_verbosely      reports 20 lines
//   double_on_device    writes 2*x into a fake device allocation and marks it device-dirty
KernelLibrary unary_library();

// "Embed": input ids: i64[B, S]; weight table f32[5, 2]; out0 = table[ids] f32[B, S, 2].
extern const char kEmbedManifest[];
KernelLibrary embed_library();

// Counters of the fake runtime's device entry points.
int fake_copy_to_host_calls();
int fake_device_free_calls();
void reset_fake_device_counters();

} // namespace testing_util
} // namespace attn

#endif // ATTN_TESTS_UNIT_RUNTIME_TEST_KERNELS_H_
