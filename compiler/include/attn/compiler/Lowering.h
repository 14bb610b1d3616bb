// Lowering from the attn dialect to Halide. A model's forward function is partitioned into
// kernels (one Halide pipeline per fused group: a materialised op such as a matmul or an
// attention, with the cheap elementwise and layout ops around it inlined into it), and each
// kernel gets its algorithm from the op-family definitions and its schedule from the target's
// schedule set. The result is everything emission needs: the pipelines, the buffers between
// them, and the manifest that tells the runtime how to run them (docs/internals.md).
#pragma once

#include "attn/compiler/SymShape.h"

#include "Halide.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LogicalResult.h"

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace attn::compiler {

/// Where generated code runs. `host` is the CPU; `host-cuda` adds CUDA kernels (PTX);
/// `host-opencl` adds OpenCL kernels (run on PoCL in tests). GPU targets use the GPU schedules.
struct TargetChoice {
  std::string name; // as given on the command line: host, host-cuda, host-opencl, ...
  Halide::Target target;
  bool gpu = false;
  std::string device_name() const {
    return gpu ? (target.has_feature(Halide::Target::CUDA) ? "cuda" : "opencl") : "cpu";
  }
};

/// Parses `host`, `host-cuda` (CUDA capability 80), `host-cuda-86`, `host-opencl`, or a full
/// Halide target string. Returns nullopt and sets `error` for anything else.
std::optional<TargetChoice> parse_target(const std::string &text, std::string *error);

struct TensorSpec {
  std::string name;
  std::string dtype = "f32";
  SymShape shape;
  std::optional<double> default_value; // an optional input's fill value
};

struct KernelPlan {
  std::string name;              // C symbol: <Model>_k<N>_<op>
  std::string op;                // the materialised op, e.g. attn.attention
  std::string loc;               // file:line:col of that op in the source
  std::vector<std::string> args; // value references (input:/weight:/buffer:), inputs then outputs
  int num_outputs = 1;
  Halide::Pipeline pipeline;
  std::vector<Halide::Argument> arguments; // in the order of `args`, minus the outputs
  /// What the kernel computes (KernelSignature.h): kernels with equal signatures share the
  /// code of the first, whose `name` they take.
  std::string signature;
  bool shares_code = false; // a later kernel that calls an earlier one's code
};

struct OutputSpec {
  TensorSpec spec;
  std::string value; // input:/weight:/buffer: reference
  /// Set on the weights of an attention that the forward returns only for attention maps
  /// (PipelineOptions::expose_attention_weights): the map's name and the attention's location.
  std::string attention_map, loc;
};

struct PlanStep;

/// An `attn.scan` as the runtime runs it: `length` steps (from the last position down when
/// `reverse`); before each, the position is written to `position`; after each, every output's
/// `step` value is copied to row `t` of its `stacked` buffer, then every carry's `next` value
/// to its `value` buffer (which the body reads, and which holds the result at the end; it
/// starts as a copy of `init`).
struct ScanPlan {
  struct Carry {
    std::string value, init, next; // value references
  };
  struct Output {
    std::string stacked, step;
  };
  std::string loc;
  SymDim length;
  bool reverse = false;
  std::string position;
  std::vector<Carry> carries;
  std::vector<Output> outputs;
  std::vector<PlanStep> body;
};

/// One step of the execution plan: a kernel (an index into LoweredModel::kernels) or a scan.
struct PlanStep {
  int kernel = -1;
  std::shared_ptr<ScanPlan> scan;
};

struct LoweredModel {
  std::string model;
  std::string source;
  nlohmann::json hyperparameters = nlohmann::json::object();
  std::vector<TensorSpec> inputs;
  std::vector<OutputSpec> outputs;
  std::vector<TensorSpec> weights;
  std::vector<TensorSpec> buffers;
  std::vector<KernelPlan> kernels; // every kernel, each compiled once
  std::vector<PlanStep> steps;     // the order they run in
};

/// How many kernels have code of their own (the others share an earlier kernel's).
inline size_t compiled_kernel_count(const LoweredModel &model) {
  size_t n = 0;
  for (const KernelPlan &k : model.kernels)
    n += !k.shares_code;
  return n;
}

/// Lowers the (shape-inferred, canonicalised) forward function to Halide pipelines.
/// Errors, including Halide's, are reported as MLIR diagnostics at the op's source location.
mlir::FailureOr<LoweredModel> lower_to_halide(mlir::FuncOp func, const TargetChoice &target);

/// Whether ops named `op_name` can be part of a kernel. Ops that never are — parameters
/// (kernel inputs), region terminators, shape assertions erased by shape inference, the
/// function's return — are not listed.
bool has_halide_lowering(llvm::StringRef op_name);

/// The manifest (docs/internals.md) for a lowered model.
nlohmann::json make_manifest(const LoweredModel &model, const TargetChoice &target);

} // namespace attn::compiler
