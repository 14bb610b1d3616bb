// A stand-in for the shared object `attnc run` builds: kernels with the kernel ABI plus the
// three Halide runtime entry points the runtime looks up. Loaded by shared_library_test.cpp.
#include <HalideRuntime.h>

#include <cstdio>

namespace {

void print_error(void *, const char *message) { std::fprintf(stderr, "%s", message); }
halide_error_handler_t g_handler = print_error;

} // namespace

extern "C" {

halide_error_handler_t halide_set_error_handler(halide_error_handler_t handler) {
  halide_error_handler_t previous = g_handler;
  g_handler = handler ? handler : print_error;
  return previous;
}

int halide_copy_to_host(void *, halide_buffer_t *) { return 0; }

int halide_device_free(void *, halide_buffer_t *buf) {
  buf->device = 0;
  return 0;
}

// out = 3 * x over a 1-D f32 buffer.
int triple_argv(void **args) {
  auto *x = static_cast<halide_buffer_t *>(args[0]);
  auto *out = static_cast<halide_buffer_t *>(args[1]);
  const float *in = reinterpret_cast<const float *>(x->host);
  float *o = reinterpret_cast<float *>(out->host);
  for (int i = 0; i < out->dim[0].extent; ++i)
    o[i] = 3 * in[i];
  return 0;
}

int refuse_argv(void **) {
  g_handler(nullptr, "refuse: this kernel always fails\n");
  return -1;
}

} // extern "C"
