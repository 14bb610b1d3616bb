// The compiler driver behind every attnc command: one Session holds the sources, the
// diagnostics and the MLIR context, and walks a model through the stages — front end, IR,
// pass pipeline, Halide lowering — stopping at the first stage that reports an error.
#pragma once

#include "Verify.h"

#include "attn/compiler/Lowering.h"
#include "attn/dsl/AST.h"
#include "attn/dsl/Diagnostics.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/SourceMgr.h"

#include <map>
#include <memory>
#include <optional>
#include <string>

namespace attn::driver {

/// Exit statuses of attnc (DESIGN.md §4).
enum ExitCode { kOk = 0, kBadInput = 1, kInternal = 2 };

struct ModelOptions {
  std::string file;
  std::string model;                          // empty: the file's only model
  std::map<std::string, std::string> defines; // -D name=value
  bool attention_maps = false;                // also return every attention's weights
};

class Session {
public:
  Session();
  ~Session();

  /// Parses `-D k=v` strings into options.defines; reports malformed ones.
  bool parse_defines(const std::vector<std::string> &defines, ModelOptions &options);

  /// Front end only: load, parse and check the file and its imports.
  const dsl::Program *front_end(const ModelOptions &options);
  /// Front end and IR construction (MLIRGen).
  mlir::ModuleOp build_ir(const ModelOptions &options);
  /// ... and the pass pipeline (verify, shape inference, canonicalize), run once per session.
  mlir::ModuleOp optimise(const ModelOptions &options);
  /// `attnc check`: with --model or -D, optimise(): the model must build. Without either, a
  /// library check: the front end over the whole file, then the IR and shapes of each of its
  /// models whose hyperparameters all have defaults; the others are named on stderr with what
  /// they need (not while verifying). True when nothing was reported.
  bool check(const ModelOptions &options);
  /// The forward function of the optimised module.
  mlir::FuncOp forward() const;
  /// ... and the Halide lowering for `target`.
  std::optional<compiler::LoweredModel> lower(const ModelOptions &options,
                                              const compiler::TargetChoice &target);

  /// Reports an error with no source location ("attnc: error: ...").
  void error(const std::string &message);

  /// From now on diagnostics are collected rather than printed (`attnc check --verify`).
  void enable_verify();
  /// Compares the collected diagnostics with the sources' expectations; prints mismatches.
  bool verify_diagnostics();
  /// The exit status for the errors reported so far: 1 for the user's input.
  int failure_code() const { return internal_failure_ ? kInternal : kBadInput; }
  void mark_internal() { internal_failure_ = true; }

  mlir::MLIRContext &context() { return *context_; }
  llvm::SourceMgr &source_mgr() { return source_mgr_; }

private:
  llvm::SourceMgr source_mgr_;
  std::unique_ptr<mlir::MLIRContext> context_;
  std::unique_ptr<dsl::DiagnosticEngine> diag_;
  std::unique_ptr<mlir::SourceMgrDiagnosticHandler> mlir_handler_;
  std::unique_ptr<DiagnosticVerifier> verifier_;
  std::unique_ptr<dsl::Program> program_;
  mlir::OwningOpRef<mlir::ModuleOp> module_;
  bool optimised_ = false; // the pipeline ran on module_ (shape inference is not re-runnable)
  bool internal_failure_ = false;
};

/// Parses --target; reports an unknown one.
std::optional<compiler::TargetChoice> parse_target_or_report(Session &session,
                                                             const std::string &name);

} // namespace attn::driver
