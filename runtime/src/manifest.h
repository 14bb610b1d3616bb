// The manifest as the runtime executes it: parsed, validated, with every value reference
// resolved to an index, and buffer lifetimes worked out so a run can free intermediates early.
// Private to the runtime; the public view is Model's accessors.
#ifndef ATTN_RUNTIME_MANIFEST_H_
#define ATTN_RUNTIME_MANIFEST_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "attn/model.h"
#include "attn/status.h"

namespace attn {
namespace internal {

enum class ValueKind { Input, Weight, Buffer };

// "input:NAME", "weight:NAME" or "buffer:NAME", resolved to an index into that list.
struct ValueRef {
  ValueKind kind = ValueKind::Buffer;
  int index = 0;
};

struct KernelCall {
  std::string name;
  std::string op;
  std::string loc;
  std::vector<ValueRef> args; // inputs first, then the num_outputs outputs
  int num_outputs = 0;
};

struct ScanStep;

// One step of the plan: a kernel (an index into Manifest::kernels) or a scan.
struct Step {
  int kernel = -1;
  std::shared_ptr<const ScanStep> scan;
};

// A loop over `length` positions (docs/internals.md "Scans"): before each step the position
// goes to `position`; after it each output's `step` value is copied to its row of `stacked`,
// then each carry's `next` value to `value` (which starts as a copy of `init`).
struct ScanStep {
  struct Carry {
    ValueRef value, init, next;
  };
  struct Output {
    ValueRef stacked, step;
  };
  std::string loc;
  DimExpr length = DimExpr::constant(0);
  bool reverse = false;
  ValueRef position;
  std::vector<Carry> carries;
  std::vector<Output> outputs;
  std::vector<Step> steps;
};

struct Manifest {
  std::string model;
  std::string source;
  std::string target;
  std::string device;
  std::vector<TensorSpec> inputs;
  // Per input: the value an optional input is filled with when a run leaves it out.
  std::vector<std::optional<double>> input_defaults;
  std::vector<TensorSpec> outputs;
  std::vector<ValueRef> output_values; // what holds each output
  std::vector<TensorSpec> weights;
  std::vector<TensorSpec> buffers;
  std::vector<KernelCall> kernels;
  std::vector<Step> steps; // the order kernels run in ("steps", or every kernel in order)
  // Per buffer: the last top-level step that touches it (-1 if none), and whether an output is
  // it. Buffers that are not outputs are released after their last step.
  std::vector<int> buffer_last_use;
  std::vector<bool> buffer_is_output;

  const std::vector<TensorSpec> &spec_list(ValueKind kind) const;
  const TensorSpec &spec(ValueRef ref) const;
  std::string ref_string(ValueRef ref) const; // "buffer:t3"
};

// Errors are Internal and start with "manifest: ".
StatusOr<Manifest> parse_manifest(const std::string &json_text);

} // namespace internal
} // namespace attn

#endif // ATTN_RUNTIME_MANIFEST_H_
