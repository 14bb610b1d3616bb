// Executing a compiled model: a manifest plus a table of kernels.
//
// `attnc compile` produces, per model and target, kernels (one Halide pipeline each, reached
// through `int <kernel>_argv(void **)`) and a manifest (JSON) that is the whole execution plan:
// inputs, outputs, weights, intermediate buffers with symbolic shapes, and the kernel calls in
// order (docs/internals.md). A Model pairs the two. It checks weights against the manifest,
// checks inputs and binds the symbolic dims from them, allocates buffers, calls the kernels and
// returns the outputs, turning every failure, including a kernel's, into a Status.
//
// The KernelLibrary table is filled either by the generated model header (from the statically
// linked library) or by load_shared_kernels (shared_library.h). Its Halide runtime entry points
// are typed over void * so that no Halide type appears in this header.
#ifndef ATTN_MODEL_H_
#define ATTN_MODEL_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "attn/dim_expr.h"
#include "attn/status.h"
#include "attn/tensor.h"
#include "attn/weights.h"

namespace attn {

// Halide's error handler type, halide_error_handler_t: (user_context, message).
using HalideErrorHandler = void (*)(void *user_context, const char *message);
// A kernel entry point: args[i] is a halide_buffer_t * for each manifest arg, in order.
using KernelFn = int (*)(void **args);

struct KernelEntry {
  std::string name; // as in the manifest, without the "_argv" suffix
  KernelFn fn = nullptr;
};

// The entry points of one compiled model library and of the Halide runtime linked into it.
struct KernelLibrary {
  std::vector<KernelEntry> kernels;
  // halide_set_error_handler; returns the previous handler. Null: kernel errors are reported
  // by code only, and Halide's default handler (which may abort) stays in place.
  HalideErrorHandler (*set_error_handler)(HalideErrorHandler handler) = nullptr;
  // halide_copy_to_host(user_context, halide_buffer_t *). Null for a CPU-only library.
  int (*copy_to_host)(void *user_context, void *buffer) = nullptr;
  // halide_device_free(user_context, halide_buffer_t *). Null for a CPU-only library.
  int (*device_free)(void *user_context, void *buffer) = nullptr;
  // Whatever must outlive the function pointers (a dlopen handle); may be null.
  std::shared_ptr<void> keep_alive;

  const KernelEntry *find(const std::string &name) const;
};

// An input, output or weight as the manifest declares it.
struct TensorSpec {
  std::string name;
  DType dtype = DType::F32;
  std::vector<DimExpr> shape;

  // "f32[B, Sq, 40]".
  std::string type_string() const;
};

class Model {
public:
  // Parses and validates the manifest and resolves every kernel in `lib`. A malformed manifest
  // is an Internal error (the compiler wrote it); a kernel missing from the library is an
  // Internal error naming it.
  static StatusOr<Model> create(const std::string &manifest_json, KernelLibrary lib);

  Model(Model &&) noexcept;
  Model &operator=(Model &&) noexcept;
  ~Model(); // frees device copies of the weights

  // Checks `weights` against the manifest: every missing, extra, misshaped or mistyped tensor
  // is reported (InvalidInput, one per line, each naming the tensor). On success the model
  // keeps views of the tensors (and so the mapping) alive; `weights` itself may go away.
  Status bind_weights(const Weights &weights);

  // Runs the model. Inputs are matched by name (order does not matter); each must have the
  // declared dtype, rank and dims, and binds the symbols of its shape. Returns the outputs in
  // the manifest's order, as owned tensors. Not reentrant: one run at a time per Model.
  StatusOr<std::vector<Tensor>> run(const std::vector<std::pair<std::string, Tensor>> &inputs);

  // The symbol bindings of the last successful run's inputs (e.g. {"B": 2, "S": 7}).
  const SymbolTable &last_symbols() const;

  const std::vector<TensorSpec> &inputs() const;
  const std::vector<TensorSpec> &outputs() const;
  const std::vector<TensorSpec> &weights() const;
  const std::string &model_name() const;
  const std::string &target() const;
  const std::string &device() const; // "cpu", "cuda", ...
  size_t num_kernels() const;
  bool weights_bound() const;

private:
  struct Impl;
  explicit Model(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

} // namespace attn

#endif // ATTN_MODEL_H_
