// Status and StatusOr: how every fallible runtime call reports failure.
//
// The runtime never throws and never aborts on bad input. A call returns a Status (or a
// StatusOr<T> carrying either a value or a Status) whose code says whose fault the failure is:
// `InvalidInput` for the caller's data (weights, tensors, shapes; the CLI exits with 1),
// `Device` when a GPU or its driver is missing or fails (also 1), `Internal` for everything
// that points at a bug in the compiler or the runtime (the CLI exits with 2). The message is
// complete and meant for a person: it names the file, tensor, axis or kernel involved.
#ifndef ATTN_STATUS_H_
#define ATTN_STATUS_H_

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace attn {

enum class StatusCode { Ok, InvalidInput, Internal, Device };

// "ok", "invalid input", "internal error", "device error".
const char *status_code_name(StatusCode code);

class Status {
public:
  Status() = default; // ok
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status invalid_input(std::string message) {
    return Status(StatusCode::InvalidInput, std::move(message));
  }
  static Status internal(std::string message) {
    return Status(StatusCode::Internal, std::move(message));
  }
  static Status device(std::string message) {
    return Status(StatusCode::Device, std::move(message));
  }

  bool ok() const { return code_ == StatusCode::Ok; }
  StatusCode code() const { return code_; }
  const std::string &message() const { return message_; }

  // "invalid input: <message>", or "ok".
  std::string to_string() const;

  // The process exit status the CLI uses for this status: 0 ok, 1 invalid input or a device
  // problem (no GPU, no driver), 2 otherwise.
  int exit_code() const;

private:
  StatusCode code_ = StatusCode::Ok;
  std::string message_;
};

// Either a value or a non-ok Status. Accessing the value of an error is a programming bug
// (asserted), so callers check ok() first or use ATTN_ASSIGN_OR_RETURN.
template <typename T> class StatusOr {
public:
  StatusOr(const T &value) : value_(value) {}            // NOLINT: implicit by design, like absl
  StatusOr(T &&value) : value_(std::move(value)) {}      // NOLINT
  StatusOr(Status status) : status_(std::move(status)) { // NOLINT
    // An ok status without a value would be a lie; turn it into an internal error.
    if (status_.ok())
      status_ = Status::internal("StatusOr constructed from an ok Status");
  }

  bool ok() const { return status_.ok(); }
  const Status &status() const { return status_; }

  T &value() & {
    assert(ok());
    return *value_;
  }
  const T &value() const & {
    assert(ok());
    return *value_;
  }
  T &&value() && {
    assert(ok());
    return std::move(*value_);
  }
  T &operator*() & { return value(); }
  const T &operator*() const & { return value(); }
  T &&operator*() && { return std::move(*this).value(); }
  T *operator->() { return &value(); }
  const T *operator->() const { return &value(); }

private:
  Status status_;
  std::optional<T> value_;
};

} // namespace attn

#define ATTN_STATUS_CONCAT_INNER_(a, b) a##b
#define ATTN_STATUS_CONCAT_(a, b) ATTN_STATUS_CONCAT_INNER_(a, b)

// Returns from the enclosing function if `expr` (a Status) is an error.
#define ATTN_RETURN_IF_ERROR(expr)                                                                 \
  do {                                                                                             \
    ::attn::Status attn_status_ = (expr);                                                          \
    if (!attn_status_.ok())                                                                        \
      return attn_status_;                                                                         \
  } while (0)

// `ATTN_ASSIGN_OR_RETURN(auto x, f());` declares x from f()'s value or returns its error.
#define ATTN_ASSIGN_OR_RETURN(lhs, expr)                                                           \
  ATTN_ASSIGN_OR_RETURN_IMPL_(ATTN_STATUS_CONCAT_(attn_statusor_, __LINE__), lhs, expr)
#define ATTN_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr)                                                \
  auto tmp = (expr);                                                                               \
  if (!tmp.ok())                                                                                   \
    return tmp.status();                                                                           \
  lhs = std::move(tmp).value()

#endif // ATTN_STATUS_H_
