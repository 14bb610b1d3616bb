// The compiler's pipeline over the attn dialect: the one place that says which steps run on the
// front end's IR, in which order, before the Halide lowering. Each step is named; the IR can be
// printed after any of them (`attnc emit --ir-opt`, debugging) and the pipeline can stop after
// one. The steps also run in `attn-opt` as `-attn-pipeline`, and one at a time by their passes'
// names.
#include "attn/compiler/Passes.h"

#include "attn/compiler/Dialect/AttnDialect.h"

#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <mutex>

using namespace mlir;

namespace attn::compiler {

namespace {

/// Runs named steps in order until one fails or the options say to stop, printing the IR
/// after the steps the options name.
class StepRunner {
public:
  StepRunner(ModuleOp module, const PipelineOptions &options) : module_(module), options_(options) {
    if (!options.stop_after.empty() &&
        !llvm::is_contained(pipeline_step_names(), options.stop_after)) {
      module.emitError() << "there is no pipeline step named '" << options.stop_after << "'";
      failed_ = true;
    }
  }

  /// Checks every op's own invariants (ODS constraints and the dialect's verifiers).
  void verify(StringRef name) {
    step(name, [&] { return mlir::verify(module_); });
  }

  void run_pass(StringRef name, std::unique_ptr<Pass> pass) {
    step(name, [&] {
      // Verifies after the pass too, so a pass that breaks the IR is caught where it ran.
      PassManager pm(module_.getContext());
      pm.addPass(std::move(pass));
      return pm.run(module_);
    });
  }

  LogicalResult result() const { return failure(failed_); }

private:
  template <typename Body> void step(StringRef name, Body &&body) {
    assert(llvm::is_contained(pipeline_step_names(), name) && "step missing from the list");
    if (failed_ || stopped_)
      return;
    if (failed(body())) {
      failed_ = true;
      return;
    }
    print_after(name);
    stopped_ = name == options_.stop_after;
  }

  void print_after(StringRef name) {
    llvm::raw_ostream *os = options_.print_stream;
    if (!os ||
        (!options_.print_after.empty() && !llvm::is_contained(options_.print_after, name.str())))
      return;
    OpPrintingFlags flags;
    if (options_.print_locations)
      flags.enableDebugInfo();
    *os << "// ----- IR after " << name << " ----- //\n";
    module_.print(*os, flags);
    *os << "\n";
  }

  ModuleOp module_;
  const PipelineOptions &options_;
  bool failed_ = false;
  bool stopped_ = false;
};

} // namespace

const std::vector<std::string> &pipeline_step_names() {
  static const std::vector<std::string> names = {
      "shape-inference",          "verify-input", "simplify", "fuse-attention", "canonicalize",
      "expose-attention-weights", "verify-output"};
  return names;
}

LogicalResult run_pipeline(ModuleOp module, const PipelineOptions &options) {
  StepRunner steps(module, options);
  // Ranked types and attn.dims on every value; declared shapes checked and their asserts erased.
  // It runs first so that a shape error in the source is reported by its shape rule, in the
  // source's terms (symbols, every independent mismatch), rather than by an op's verifier.
  steps.run_pass("shape-inference", create_shape_inference_pass());
  // The later passes rely on the ops' contracts.
  steps.verify("verify-input");
  // The canonicalizer before fusion: masks a call left out (attn.fill) fold away, so that the
  // attention chains fusion matches are the ones the model computes.
  steps.run_pass("simplify", create_canonicalize_pass());
  // matmul(Q, Kᵀ) → scale → softmax → matmul(·, V), as models spell it, into attn.attention, so
  // the lowering builds one tiled kernel instead of two matmuls around an S² softmax.
  steps.run_pass("fuse-attention", create_fuse_attention_pass());
  // Folds that static sizes allow (score_dim, transposes, scaling by one), then dead code.
  steps.run_pass("canonicalize", create_canonicalize_pass());
  // Attention maps: the weights of every attention as extra results, after fusion, so that the
  // model's own kernels are the ones it runs without maps.
  if (options.expose_attention_weights)
    steps.run_pass("expose-attention-weights", create_expose_attention_weights_pass());
  // What goes to the lowering must be valid IR; a failure here is a compiler bug.
  steps.verify("verify-output");
  return steps.result();
}

void register_attn_passes() {
  // attn-opt and tests may both ask; MLIR's registries reject a second registration.
  static std::once_flag once;
  std::call_once(once, [] {
    registerPass([] { return create_shape_inference_pass(); });
    registerPass([] { return create_fuse_attention_pass(); });
    registerPass([] { return create_canonicalize_pass(); });
    registerPass([] { return create_expose_attention_weights_pass(); });
    PassPipelineRegistration<>(
        "attn-pipeline", "The passes of run_pipeline, in its order (the pass manager verifies)",
        [](OpPassManager &pm) {
          pm.addPass(create_shape_inference_pass());
          pm.addPass(create_canonicalize_pass());
          pm.addPass(create_fuse_attention_pass());
          pm.addPass(create_canonicalize_pass());
        });
  });
}

} // namespace attn::compiler
