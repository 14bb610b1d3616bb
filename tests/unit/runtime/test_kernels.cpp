#include "test_kernels.h"

#include <HalideRuntime.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

namespace attn {
namespace testing_util {

namespace {

// --- A fake Halide runtime -------------------------------------------------------------------

void default_handler(void *, const char *message) { std::fprintf(stderr, "%s", message); }
HalideErrorHandler g_handler = default_handler;
int g_copy_to_host_calls = 0;
int g_device_free_calls = 0;

HalideErrorHandler fake_set_error_handler(HalideErrorHandler handler) {
  HalideErrorHandler previous = g_handler;
  g_handler = handler ? handler : default_handler;
  return previous;
}

int report(const std::string &message, int code) {
  g_handler(nullptr, message.c_str());
  return code;
}

// The "device" allocation is a heap copy of the host data; buf->device points at it.
int fake_copy_to_host(void *, void *buffer) {
  auto *b = static_cast<halide_buffer_t *>(buffer);
  ++g_copy_to_host_calls;
  if (b->device == 0)
    return report("copy_to_host without a device allocation\n", -14);
  const auto *d = reinterpret_cast<const std::string *>(b->device);
  std::memcpy(b->host, d->data(), d->size());
  b->flags &= ~uint64_t(halide_buffer_flag_device_dirty);
  return 0;
}

int fake_device_free(void *, void *buffer) {
  auto *b = static_cast<halide_buffer_t *>(buffer);
  ++g_device_free_calls;
  delete reinterpret_cast<std::string *>(b->device);
  b->device = 0;
  return 0;
}

// --- Buffer access through the halide_buffer_t fields, as generated code does ---------------

// Checks the layout contract: dim[i] is row-major axis n-1-i, dense, min 0, f32 unless told.
bool layout_ok(const halide_buffer_t *b, const char *what,
               halide_type_code_t code = halide_type_float, int bits = 32) {
  std::string problem;
  if (b == nullptr || b->host == nullptr)
    problem = "null buffer";
  else if (b->type.code != code || b->type.bits != bits || b->type.lanes != 1)
    problem = "type";
  int64_t stride = 1;
  for (int i = 0; problem.empty() && i < b->dimensions; ++i) {
    if (b->dim[i].min != 0 || b->dim[i].stride != stride)
      problem = "dim " + std::to_string(i);
    stride *= b->dim[i].extent;
  }
  if (problem.empty())
    return true;
  report(std::string("layout contract violated for ") + what + ": " + problem + "\n", -1);
  return false;
}

// Element at a row-major index: dim[rank-1-axis] describes axis `axis`.
float &at(halide_buffer_t *b, std::initializer_list<int64_t> index) {
  int64_t offset = 0;
  int axis = 0;
  for (int64_t i : index)
    offset += i * b->dim[b->dimensions - 1 - axis++].stride;
  return reinterpret_cast<float *>(b->host)[offset];
}
int64_t extent(const halide_buffer_t *b, int axis) {
  return b->dim[b->dimensions - 1 - axis].extent;
}

// --- Tiny ------------------------------------------------------------------------------------

int tiny_add(void **args) {
  auto *x = static_cast<halide_buffer_t *>(args[0]);
  auto *y = static_cast<halide_buffer_t *>(args[1]);
  auto *out = static_cast<halide_buffer_t *>(args[2]);
  if (!layout_ok(x, "x") || !layout_ok(y, "y") || !layout_ok(out, "t0"))
    return -1;
  for (int64_t b = 0; b < extent(out, 0); ++b)
    for (int64_t s = 0; s < extent(out, 1); ++s)
      for (int64_t d = 0; d < extent(out, 2); ++d)
        at(out, {b, s, d}) = at(x, {b, s, d}) + at(y, {b, s, d});
  return 0;
}

int tiny_linear(void **args) {
  auto *in = static_cast<halide_buffer_t *>(args[0]);
  auto *w = static_cast<halide_buffer_t *>(args[1]);
  auto *bias = static_cast<halide_buffer_t *>(args[2]);
  auto *out = static_cast<halide_buffer_t *>(args[3]);
  if (!layout_ok(in, "t0") || !layout_ok(w, "proj.weight") || !layout_ok(bias, "proj.bias") ||
      !layout_ok(out, "t1")) {
    return -1;
  }
  const int64_t rows = extent(in, 0) * extent(in, 1), in_dim = extent(in, 2);
  if (extent(out, 0) != rows || extent(out, 1) != extent(w, 0) || extent(w, 1) != in_dim) {
    return report("linear: shapes do not agree\n", -1);
  }
  const float *flat = reinterpret_cast<const float *>(in->host);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t o = 0; o < extent(w, 0); ++o) {
      float acc = at(bias, {o});
      for (int64_t i = 0; i < in_dim; ++i)
        acc += flat[r * in_dim + i] * at(w, {o, i});
      at(out, {r, o}) = acc;
    }
  }
  return 0;
}

int tiny_pool(void **args) {
  auto *x = static_cast<halide_buffer_t *>(args[0]);
  auto *out = static_cast<halide_buffer_t *>(args[1]);
  if (!layout_ok(x, "x") || !layout_ok(out, "t2"))
    return -1;
  for (int64_t b = 0; b < extent(out, 0); ++b)
    for (int64_t j = 0; j < extent(out, 1); ++j)
      for (int64_t d = 0; d < extent(out, 2); ++d)
        at(out, {b, j, d}) = (at(x, {b, 2 * j, d}) + at(x, {b, 2 * j + 1, d})) / 2;
  return 0;
}

// --- Unary -----------------------------------------------------------------------------------

int fail_with_message(void **) {
  return report("Input buffer x is accessed at 7, which is beyond the max (3) in dimension 0\n",
                halide_error_code_access_out_of_bounds);
}
int fail_without_cuda(void **) {
  return report("CUDA error: CUDA_ERROR_NO_DEVICE cuInit failed\n",
                halide_error_code_generic_error);
}
int fail_on_worker(void **) {
  std::thread worker([] { report("Error in parallel task: out of scratch memory\n", 0); });
  worker.join();
  return halide_error_code_generic_error;
}
int fail_silently(void **) { return halide_error_code_internal_error; }
// What Halide's CUDA runtime reports on a machine without the driver library.
int fail_no_libcuda(void **) {
  for (const char *fn : {"cuInit", "cuDeviceGetCount", "cuDeviceGet", "cuCtxCreate_v2"}) {
    report(std::string("CUDA API not found: ") + fn + "\n", 0);
  }
  return report("Could not find cuda system libraries\n", 301);
}
int fail_verbosely(void **) {
  for (int i = 0; i < 20; ++i)
    report("line " + std::to_string(i) + "\n", 0);
  return -1;
}

int double_on_device(void **args) {
  auto *x = static_cast<halide_buffer_t *>(args[0]);
  auto *out = static_cast<halide_buffer_t *>(args[1]);
  if (!layout_ok(x, "x") || !layout_ok(out, "out"))
    return -1;
  // Halide's GPU code copies an input to the device only when it is marked host-dirty; without
  // the flag a real kernel would read an uninitialised device allocation.
  if (x->device == 0 && !(x->flags & halide_buffer_flag_host_dirty))
    return report("x holds host data but is not marked host-dirty\n", -1);
  if (out->flags & halide_buffer_flag_host_dirty)
    return report("out0 is unwritten but marked host-dirty\n", -1);
  auto *device = new std::string(extent(out, 0) * sizeof(float), '\0');
  auto *d = reinterpret_cast<float *>(&(*device)[0]);
  for (int64_t i = 0; i < extent(out, 0); ++i)
    d[i] = 2 * at(x, {i});
  out->device = reinterpret_cast<uint64_t>(device);
  out->flags |= halide_buffer_flag_device_dirty;
  return 0;
}

// --- Embed -----------------------------------------------------------------------------------

int embed_gather(void **args) {
  auto *ids = static_cast<halide_buffer_t *>(args[0]);
  auto *table = static_cast<halide_buffer_t *>(args[1]);
  auto *out = static_cast<halide_buffer_t *>(args[2]);
  if (!layout_ok(ids, "ids", halide_type_int, 64) || !layout_ok(table, "table") ||
      !layout_ok(out, "out0")) {
    return -1;
  }
  const auto *id = reinterpret_cast<const int64_t *>(ids->host);
  for (int64_t b = 0; b < extent(out, 0); ++b) {
    for (int64_t s = 0; s < extent(out, 1); ++s) {
      int64_t row = id[b * ids->dim[1].stride + s];
      if (row < 0 || row >= extent(table, 0)) {
        return report("token id " + std::to_string(row) + " out of range\n", -1);
      }
      for (int64_t d = 0; d < extent(out, 2); ++d)
        at(out, {b, s, d}) = at(table, {row, d});
    }
  }
  return 0;
}

KernelLibrary with_fake_runtime(std::vector<KernelEntry> kernels) {
  KernelLibrary lib;
  lib.kernels = std::move(kernels);
  lib.set_error_handler = fake_set_error_handler;
  lib.copy_to_host = fake_copy_to_host;
  lib.device_free = fake_device_free;
  return lib;
}

} // namespace

const char kTinyManifest[] = R"({
  "format": "attn-manifest", "version": 1, "model": "Tiny", "source": "tiny.attn",
  "target": "x86-64-linux", "device": "cpu", "hyperparameters": {},
  "inputs": [{"name": "x", "dtype": "f32", "shape": ["B", "S", 4]},
             {"name": "y", "dtype": "f32", "shape": ["B", "S", 4]}],
  "outputs": [{"name": "out0", "dtype": "f32", "shape": ["B*S", 3], "value": "buffer:t1"},
              {"name": "out1", "dtype": "f32", "shape": ["B", "S/2", 4], "value": "buffer:t2"}],
  "weights": [{"name": "proj.weight", "dtype": "f32", "shape": [3, 4]},
              {"name": "proj.bias", "dtype": "f32", "shape": [3]}],
  "buffers": [{"name": "t0", "dtype": "f32", "shape": ["B", "S", 4]},
              {"name": "t1", "dtype": "f32", "shape": ["B*S", 3]},
              {"name": "t2", "dtype": "f32", "shape": ["B", "S/2", 4]}],
  "kernels": [
    {"name": "Tiny_k0_add", "op": "attn.add", "loc": "tiny.attn:3:11",
     "args": ["input:x", "input:y", "buffer:t0"], "num_outputs": 1},
    {"name": "Tiny_k1_linear", "op": "attn.linear", "loc": "tiny.attn:4:11",
     "args": ["buffer:t0", "weight:proj.weight", "weight:proj.bias", "buffer:t1"],
     "num_outputs": 1},
    {"name": "Tiny_k2_pool", "op": "attn.pool", "loc": "tiny.attn:5:11",
     "args": ["input:x", "buffer:t2"], "num_outputs": 1}
  ]
})";

KernelLibrary tiny_library() {
  return with_fake_runtime(
      {{"Tiny_k0_add", tiny_add}, {"Tiny_k1_linear", tiny_linear}, {"Tiny_k2_pool", tiny_pool}});
}

std::string unary_manifest(const std::string &kernel_name) {
  return R"({"format": "attn-manifest", "version": 1, "model": "Unary", "target": "host-cuda",
    "device": "cuda",
    "inputs": [{"name": "x", "dtype": "f32", "shape": ["N"]}],
    "outputs": [{"name": "out0", "dtype": "f32", "shape": ["N"], "value": "buffer:t0"}],
    "weights": [], "buffers": [{"name": "t0", "dtype": "f32", "shape": ["N"]}],
    "kernels": [{"name": ")" +
         kernel_name + R"(", "op": "attn.unary", "loc": "unary.attn:2:7",
                     "args": ["input:x", "buffer:t0"], "num_outputs": 1}]})";
}

KernelLibrary unary_library() {
  return with_fake_runtime({{"fail_with_message", fail_with_message},
                            {"fail_without_cuda", fail_without_cuda},
                            {"fail_on_worker", fail_on_worker},
                            {"fail_silently", fail_silently},
                            {"fail_no_libcuda", fail_no_libcuda},
                            {"fail_verbosely", fail_verbosely},
                            {"double_on_device", double_on_device}});
}

const char kEmbedManifest[] = R"({
  "format": "attn-manifest", "version": 1, "model": "Embed", "target": "host", "device": "cpu",
  "inputs": [{"name": "ids", "dtype": "i64", "shape": ["B", "S"]}],
  "outputs": [{"name": "out0", "dtype": "f32", "shape": ["B", "S", 2], "value": "buffer:e"}],
  "weights": [{"name": "table", "dtype": "f32", "shape": [5, 2]}],
  "buffers": [{"name": "e", "dtype": "f32", "shape": ["B", "S", 2]}],
  "kernels": [{"name": "Embed_k0_gather", "op": "attn.embedding", "loc": "embed.attn:1:1",
               "args": ["input:ids", "weight:table", "buffer:e"], "num_outputs": 1}]
})";

KernelLibrary embed_library() { return with_fake_runtime({{"Embed_k0_gather", embed_gather}}); }

int fake_copy_to_host_calls() { return g_copy_to_host_calls; }
int fake_device_free_calls() { return g_device_free_calls; }
void reset_fake_device_counters() { g_copy_to_host_calls = g_device_free_calls = 0; }

} // namespace testing_util
} // namespace attn
