#include "halide_glue.h"

#include <cstring>
#include <limits>
#include <mutex>

namespace attn {
namespace internal {

namespace {

constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();

// Messages from threads without an ErrorCapture: Halide reports errors raised inside parallel
// loops on its worker threads. The kernel's caller picks them up when the kernel fails.
std::mutex g_mailbox_mutex;
std::string g_mailbox;
constexpr size_t kMailboxLimit = 1 << 16; // a runaway kernel must not grow it without bound

thread_local std::string *t_sink = nullptr;

void rtrim(std::string *s) {
  while (!s->empty() && (s->back() == '\n' || s->back() == ' ' || s->back() == '\r')) {
    s->pop_back();
  }
}

bool contains(const std::string &s, const char *needle) {
  return s.find(needle) != std::string::npos;
}

const char *halide_error_name(int code) {
  switch (code) {
  case halide_error_code_copy_to_host_failed:
    return "copy to host failed";
  case halide_error_code_copy_to_device_failed:
    return "copy to device failed";
  case halide_error_code_device_malloc_failed:
    return "device malloc failed";
  case halide_error_code_device_sync_failed:
    return "device sync failed";
  case halide_error_code_device_free_failed:
    return "device free failed";
  case halide_error_code_no_device_interface:
    return "no device interface";
  case halide_error_code_device_run_failed:
    return "device run failed";
  case halide_error_code_device_interface_no_device:
    return "device interface has no device";
  case halide_error_code_device_buffer_copy_failed:
    return "device buffer copy failed";
  case halide_error_code_incompatible_device_interface:
    return "incompatible device interface";
  case halide_error_code_buffer_allocation_too_large:
    return "buffer allocation too large";
  case halide_error_code_buffer_extents_too_large:
    return "buffer extents too large";
  case halide_error_code_out_of_memory:
    return "out of memory";
  case halide_error_code_bad_type:
    return "bad buffer type";
  case halide_error_code_bad_dimensions:
    return "bad buffer dimensions";
  case halide_error_code_access_out_of_bounds:
    return "access out of bounds";
  case halide_error_code_buffer_argument_is_null:
    return "buffer argument is null";
  default:
    return nullptr;
  }
}

bool is_device_code(int code) {
  switch (code) {
  case halide_error_code_copy_to_host_failed:
  case halide_error_code_copy_to_device_failed:
  case halide_error_code_device_malloc_failed:
  case halide_error_code_device_sync_failed:
  case halide_error_code_device_free_failed:
  case halide_error_code_no_device_interface:
  case halide_error_code_device_run_failed:
  case halide_error_code_device_wrap_native_failed:
  case halide_error_code_device_detach_native_failed:
  case halide_error_code_device_interface_no_device:
  case halide_error_code_device_buffer_copy_failed:
  case halide_error_code_incompatible_device_interface:
    return true;
  default:
    return false;
  }
}

// Halide's CUDA and OpenCL runtimes report a missing library, driver or device through the
// generic error code with messages like "CUDA: cuInit failed: CUDA_ERROR_NO_DEVICE" or
// "Could not find cuda system libraries"; the text is the only reliable signal.
bool mentions_device(const std::string &m) {
  static const char *const kWords[] = {"CUDA",     "cuda",      "cuInit",    "cuCtx",
                                       "cuModule", "libcuda",   "OpenCL",    "opencl",
                                       "clGet",    "No device", "no device", "GPU"};
  for (const char *w : kWords) {
    if (contains(m, w))
      return true;
  }
  return false;
}

// Halide reports some failures one line per symbol (the CUDA runtime lists every driver entry
// point it could not find); keep the head and the tail, which say what happened.
std::string condense(const std::string &message) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= message.size()) {
    size_t end = message.find('\n', start);
    if (end == std::string::npos)
      end = message.size();
    lines.push_back(message.substr(start, end - start));
    start = end + 1;
  }
  constexpr size_t kHead = 3, kTail = 2;
  if (lines.size() <= kHead + kTail + 1)
    return message;
  std::string out;
  for (size_t i = 0; i < kHead; ++i)
    out += lines[i] + "\n";
  out += "... (" + std::to_string(lines.size() - kHead - kTail) + " more lines)";
  for (size_t i = lines.size() - kTail; i < lines.size(); ++i)
    out += "\n" + lines[i];
  return out;
}

} // namespace

halide_type_t halide_type_of(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return halide_type_t(halide_type_float, 32);
  case DType::F16:
  case DType::BF16:
    // Kernels hold 16-bit floats as their bit patterns and convert them themselves
    // (compiler/lib/Lowering/Algorithms.h, HalfKind), on every target alike.
    return halide_type_t(halide_type_uint, 16);
  case DType::I64:
    return halide_type_t(halide_type_int, 64);
  case DType::I32:
    return halide_type_t(halide_type_int, 32);
  case DType::Bool:
    return halide_type_t(halide_type_uint, 1);
  }
  return halide_type_t(halide_type_float, 32);
}

Status HalideBuffer::wrap(const Tensor &tensor, const std::string &what, Host host,
                          HalideBuffer *out) {
  const int rank = tensor.rank();
  out->dims_.assign(rank, halide_dimension_t());
  int64_t stride = 1;
  for (int i = 0; i < rank; ++i) {
    int64_t extent = tensor.dim(rank - 1 - i);
    // Halide 14 keeps extents and strides in int32; past that it would silently wrap.
    if (extent > kInt32Max || (extent > 1 && stride > kInt32Max)) {
      return Status::invalid_input(what + " of shape " + shape_to_string(tensor.shape()) +
                                   " exceeds the 2^31 - 1 elements per axis the kernels support");
    }
    halide_dimension_t &d = out->dims_[i];
    d.min = 0;
    d.extent = static_cast<int32_t>(extent);
    d.stride = static_cast<int32_t>(stride > kInt32Max ? kInt32Max : stride);
    d.flags = 0;
    stride *= extent > 0 ? extent : 1;
  }
  out->tensor_ = tensor;
  out->buf_ = halide_buffer_t();
  // Kernels never write their inputs, so a read-only view is safe to hand over non-const.
  out->buf_.host = static_cast<uint8_t *>(const_cast<void *>(tensor.raw_data()));
  out->buf_.type = halide_type_of(tensor.dtype());
  out->buf_.dimensions = rank;
  out->buf_.dim = rank ? out->dims_.data() : nullptr;
  if (host == Host::Data)
    out->buf_.flags = halide_buffer_flag_host_dirty;
  return Status();
}

Status HalideBuffer::copy_to_host(const KernelLibrary &lib, const std::string &what) {
  if (!device_dirty())
    return Status();
  if (lib.copy_to_host == nullptr) {
    return Status::internal(what + " was written on a device, but the kernel library has no "
                                   "halide_copy_to_host");
  }
  ErrorCapture capture;
  int rc = lib.copy_to_host(nullptr, &buf_);
  if (rc != 0) {
    std::string msg = capture.take();
    return Status::device("copying " + what + " from the device failed (Halide error " +
                          std::to_string(rc) + ")" + (msg.empty() ? "" : ": " + msg));
  }
  return Status();
}

void HalideBuffer::free_device(const KernelLibrary &lib) {
  if (has_device() && lib.device_free != nullptr) {
    ErrorCapture capture; // a failure here has nowhere useful to go; keep it off stderr
    lib.device_free(nullptr, &buf_);
  }
}

void capture_halide_error(void * /*user_context*/, const char *message) {
  if (message == nullptr)
    return;
  if (t_sink != nullptr) {
    t_sink->append(message);
    return;
  }
  std::lock_guard<std::mutex> lock(g_mailbox_mutex);
  if (g_mailbox.size() < kMailboxLimit)
    g_mailbox.append(message);
}

ErrorCapture::ErrorCapture() : previous_(t_sink) { t_sink = &messages_; }

ErrorCapture::~ErrorCapture() { t_sink = previous_; }

std::string ErrorCapture::take() {
  {
    std::lock_guard<std::mutex> lock(g_mailbox_mutex);
    messages_ += g_mailbox;
    g_mailbox.clear();
  }
  std::string out;
  out.swap(messages_);
  rtrim(&out);
  return out;
}

Status kernel_failure(const std::string &kernel, const std::string &loc, int code,
                      const std::string &message) {
  std::string head = "kernel '" + kernel + "'" + (loc.empty() ? "" : " (" + loc + ")");
  std::string detail = "Halide error " + std::to_string(code);
  if (const char *name = halide_error_name(code))
    detail += std::string(" (") + name + ")";
  if (!message.empty())
    detail += ": " + condense(message);
  if (code == halide_error_code_buffer_allocation_too_large ||
      code == halide_error_code_buffer_extents_too_large) {
    // Sizes come from the inputs, so this is the caller's data being too big for the kernels.
    return Status::invalid_input(head + ": the inputs are too large for the kernels: " + detail);
  }
  if (contains(message, "Could not find cuda system libraries") ||
      contains(message, "CUDA API not found")) {
    return Status::device(head + " needs a CUDA GPU, but the CUDA driver library (libcuda.so) "
                                 "could not be loaded on this machine");
  }
  if (is_device_code(code) || mentions_device(message)) {
    return Status::device(head +
                          " could not run on the device; is a GPU with a working driver "
                          "present? " +
                          detail);
  }
  return Status::internal(head + " failed: " + detail);
}

} // namespace internal
} // namespace attn
