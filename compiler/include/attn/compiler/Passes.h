// The passes over the attn dialect, and the pipeline that runs them in order between the front
// end's IR and the Halide lowering. Each pass is one file pair in lib/Transforms/ with one entry
// point below, is named for `attn-opt` by its kebab-case argument, and has a lit test named after
// it in tests/lit/. run_pipeline() is the one place that says which passes run, in which order.
#pragma once

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Support/LogicalResult.h"

#include <memory>
#include <string>
#include <vector>

namespace llvm {
class raw_ostream;
} // namespace llvm

namespace mlir {
class RewritePatternSet;
} // namespace mlir

namespace attn::compiler {

/// `attn-shape-inference`: gives every tensor value of every function its symbolic shape
/// (`attn.dims`) and a ranked type, checks and erases `attn.assert_shape`, and sets the
/// functions' result types.
std::unique_ptr<mlir::Pass> create_shape_inference_pass();

/// `attn-fuse-attention`: turns `matmul(Q, Kᵀ)`, elementwise scaling by constants, `softmax`
/// over the last axis and `matmul(·, V)`, however they are spelled, into one `attn.attention`.
std::unique_ptr<mlir::Pass> create_fuse_attention_pass();

/// `attn-canonicalize`: MLIR's canonicalization (folds, dead code) with the attn dialect's own
/// simplifications; constants used by attention regions are kept inside them.
std::unique_ptr<mlir::Pass> create_canonicalize_pass();

/// `attn-expose-attention-weights`: appends the weights of every attention (an
/// `attn.attention_weights` beside each `attn.attention`, or an unfused attention's softmax) to
/// the forward's results and names them in its `attn.attention_maps` attribute. Run only when
/// attention maps are asked for (PipelineOptions::expose_attention_weights).
std::unique_ptr<mlir::Pass> create_expose_attention_weights_pass();

/// The attn dialect's simplification patterns, for any greedy rewrite that wants them.
void populate_attn_canonicalization_patterns(mlir::RewritePatternSet &patterns);

/// Folds of tensors that hold one number everywhere (left-out optional inputs and what is
/// computed from them) where they meet a tensor of the result's shape (FoldUniform.cpp); part
/// of the attn canonicalization patterns.
void populate_uniform_folding_patterns(mlir::RewritePatternSet &patterns);

/// Copies constants defined outside an attention op into the regions that use them. MLIR's
/// greedy rewrite driver hoists constants out of regions that are not isolated from above, and
/// the lowering compiles each region on its own, so a pass that runs the driver calls this after.
void sink_constants_into_attention_regions(mlir::ModuleOp module);

struct PipelineOptions {
  /// Where the IR is printed after steps, each time under a header naming the step; nothing is
  /// printed when null.
  llvm::raw_ostream *print_stream = nullptr;
  /// The steps after which the IR is printed; empty means after every step.
  std::vector<std::string> print_after;
  /// When non-empty, the pipeline stops, successfully, after the step of this name.
  std::string stop_after;
  /// Print source locations with the IR.
  bool print_locations = false;
  /// Also return every attention's weights (`attnc run --dump-attention`).
  bool expose_attention_weights = false;
};

/// The pipeline's step names, in order (for `--stop-after`-style options and their checks).
const std::vector<std::string> &pipeline_step_names();

/// Runs the compiler's passes on `module`: verify, shape inference, attention fusion,
/// canonicalize, (when asked) exposing the attention weights, verify.
/// Errors are reported through the context's diagnostic handler; failure means at least one
/// was reported.
mlir::LogicalResult run_pipeline(mlir::ModuleOp module, const PipelineOptions &options = {});

/// Registers every pass above by its argument, and the whole pipeline as `attn-pipeline`, for
/// `attn-opt`.
void register_attn_passes();

} // namespace attn::compiler
