// Loading a model's kernels from a shared object, for `attnc run` and `attnc bench`.
//
// The compiler builds a shared object from the same kernel objects it puts in the static
// library (plus their Halide runtime) and the runtime reaches them with dlopen/dlsym: each
// kernel as `<name>_argv`, and the runtime's `halide_set_error_handler`, `halide_copy_to_host`
// and `halide_device_free`. RTLD_LOCAL keeps that Halide runtime private to the object, so
// several models (or libHalide in the compiler process) do not interfere.
#ifndef ATTN_SHARED_LIBRARY_H_
#define ATTN_SHARED_LIBRARY_H_

#include <string>
#include <vector>

#include "attn/model.h"
#include "attn/status.h"

namespace attn {

// The returned table keeps the object loaded (KernelLibrary::keep_alive). Errors (Internal)
// name the file and the missing symbol. halide_set_error_handler is required;
// halide_copy_to_host and halide_device_free are optional (null when absent).
StatusOr<KernelLibrary> load_shared_kernels(const std::string &so_path,
                                            const std::vector<std::string> &kernel_names);

} // namespace attn

#endif // ATTN_SHARED_LIBRARY_H_
