#include "attn/status.h"

namespace attn {

const char *status_code_name(StatusCode code) {
  switch (code) {
  case StatusCode::Ok:
    return "ok";
  case StatusCode::InvalidInput:
    return "invalid input";
  case StatusCode::Internal:
    return "internal error";
  case StatusCode::Device:
    return "device error";
  }
  return "unknown";
}

std::string Status::to_string() const {
  if (ok())
    return "ok";
  return std::string(status_code_name(code_)) + ": " + message_;
}

int Status::exit_code() const {
  switch (code_) {
  case StatusCode::Ok:
    return 0;
  case StatusCode::InvalidInput:
  case StatusCode::Device:
    // A missing GPU or driver is the user's setup, not a compiler bug.
    return 1;
  default:
    return 2;
  }
}

} // namespace attn
