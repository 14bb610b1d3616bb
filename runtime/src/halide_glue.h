// The runtime's only contact with Halide's ABI: wrapping tensors as halide_buffer_t and turning
// Halide's error reports into Status. Private to the runtime (HalideRuntime.h is a private
// include), so no Halide type reaches the public headers.
#ifndef ATTN_RUNTIME_HALIDE_GLUE_H_
#define ATTN_RUNTIME_HALIDE_GLUE_H_

#include <HalideRuntime.h>

#include <string>
#include <vector>

#include "attn/model.h"
#include "attn/status.h"
#include "attn/tensor.h"

namespace attn {
namespace internal {

// The halide_type_t of a dtype; bool is Halide's UInt(1), stored in one byte.
halide_type_t halide_type_of(DType dtype);

// A halide_buffer_t over a tensor's memory (docs/internals.md: dim[i] is the tensor's axis
// n-1-i). It holds the tensor so the memory outlives the buffer, and owns the dim array the
// buffer points to, hence it never moves (keep it behind a unique_ptr).
class HalideBuffer {
public:
  // What the host memory holds. `Data` (an input, a weight) is marked host-dirty: a GPU
  // kernel copies a buffer to its device only when that flag is set, so without it the kernel
  // would read an uninitialised device allocation. `Unwritten` (a buffer a kernel will write)
  // is not, which spares copying garbage to the device.
  enum class Host { Data, Unwritten };

  // `what` names the value in errors, e.g. "buffer 't3'". Fails (InvalidInput) if an extent or
  // stride exceeds Halide's 32-bit limit.
  static Status wrap(const Tensor &tensor, const std::string &what, Host host, HalideBuffer *out);

  HalideBuffer() = default;
  HalideBuffer(const HalideBuffer &) = delete;
  HalideBuffer &operator=(const HalideBuffer &) = delete;

  halide_buffer_t *raw() { return &buf_; }
  const Tensor &tensor() const { return tensor_; }
  bool has_device() const { return buf_.device != 0; }
  bool device_dirty() const { return (buf_.flags & halide_buffer_flag_device_dirty) != 0; }

  // Brings device-written data back to host memory; a no-op for host data.
  Status copy_to_host(const KernelLibrary &lib, const std::string &what);
  // Records that the host memory was written outside any kernel (the runtime's copies): a GPU
  // kernel reads it from the host next, not from a stale device copy.
  void wrote_host() {
    buf_.flags = (buf_.flags & ~uint64_t(halide_buffer_flag_device_dirty)) |
                 uint64_t(halide_buffer_flag_host_dirty);
  }
  // Releases any device allocation Halide made for this buffer.
  void free_device(const KernelLibrary &lib);

private:
  Tensor tensor_;
  halide_buffer_t buf_{};
  std::vector<halide_dimension_t> dims_;
};

// The error handler the runtime installs: appends Halide's message to the capture active on
// the calling thread, or (for Halide's worker threads) to a process-wide mailbox.
void capture_halide_error(void *user_context, const char *message);

// Collects the Halide error messages reported while it is alive on this thread.
class ErrorCapture {
public:
  ErrorCapture();
  ~ErrorCapture();
  ErrorCapture(const ErrorCapture &) = delete;
  ErrorCapture &operator=(const ErrorCapture &) = delete;

  // The messages so far (including any from worker threads), trailing whitespace trimmed.
  std::string take();

private:
  std::string messages_;
  std::string *previous_;
};

// The Status for a kernel that returned `code` with Halide's `message`: Device if it looks like
// a missing or failing GPU, driver or device API, else Internal (the runtime checked the
// inputs, so any other kernel failure is a compiler or runtime bug).
Status kernel_failure(const std::string &kernel, const std::string &loc, int code,
                      const std::string &message);

} // namespace internal
} // namespace attn

#endif // ATTN_RUNTIME_HALIDE_GLUE_H_
