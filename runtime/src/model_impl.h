// Model's private state, shared by model.cpp (creation, weights) and model_run.cpp (execution).
#ifndef ATTN_RUNTIME_MODEL_IMPL_H_
#define ATTN_RUNTIME_MODEL_IMPL_H_

#include <memory>
#include <string>
#include <vector>

#include "attn/model.h"
#include "halide_glue.h"
#include "manifest.h"

namespace attn {

struct Model::Impl {
  internal::Manifest manifest;
  KernelLibrary lib;
  std::vector<KernelFn> kernel_fns; // parallel to manifest.kernels
  // One halide_buffer_t per weight, kept across runs so that a GPU target copies each weight to
  // the device once, not once per run.
  std::vector<std::unique_ptr<internal::HalideBuffer>> weight_buffers;
  bool weights_bound = false;
  SymbolTable last_symbols;

  ~Impl() { free_weight_buffers(); }
  void free_weight_buffers() {
    for (auto &b : weight_buffers)
      b->free_device(lib);
    weight_buffers.clear();
  }
  void install_error_handler() {
    if (lib.set_error_handler != nullptr)
      lib.set_error_handler(&internal::capture_halide_error);
  }
};

// "model 'Name'", for messages.
inline std::string model_label(const internal::Manifest &manifest) {
  return "model '" + manifest.model + "'";
}

} // namespace attn

#endif // ATTN_RUNTIME_MODEL_IMPL_H_
