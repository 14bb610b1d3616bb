#include "Driver.h"

#include "attn/compiler/Dialect/AttnDialect.h"
#include "attn/compiler/MLIRGen.h"
#include "attn/compiler/Passes.h"
#include "attn/dsl/Frontend.h"

#include "mlir/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/raw_ostream.h"

namespace attn::driver {

Session::Session() : context_(std::make_unique<mlir::MLIRContext>()) {
  // Errors speak of the source, not of the IR built from it.
  context_->printOpOnDiagnostic(false);
  context_->getOrLoadDialect<mlir::attn::AttnDialect>();
  context_->getOrLoadDialect<mlir::arith::ArithmeticDialect>();
  context_->getOrLoadDialect<mlir::math::MathDialect>();
  diag_ = std::make_unique<dsl::DiagnosticEngine>(source_mgr_, llvm::errs());
  // MLIR's diagnostics (verifier, shape inference, lowering) print like the front end's:
  // file:line:col, the source line and a caret, from the same SourceMgr.
  mlir_handler_ =
      std::make_unique<mlir::SourceMgrDiagnosticHandler>(source_mgr_, context_.get(), llvm::errs());
}

Session::~Session() = default;

void Session::error(const std::string &message) {
  if (verifier_)
    verifier_->add_unlocated(llvm::SourceMgr::DK_Error, message);
  else
    llvm::errs() << "attnc: error: " << message << "\n";
}

void Session::enable_verify() {
  verifier_ = std::make_unique<DiagnosticVerifier>(source_mgr_, *context_, *diag_);
}

bool Session::verify_diagnostics() { return verifier_->verify(llvm::errs()); }

bool Session::parse_defines(const std::vector<std::string> &defines, ModelOptions &options) {
  bool ok = true;
  for (const auto &d : defines) {
    auto eq = d.find('=');
    if (eq == std::string::npos || eq == 0) {
      error("-D expects name=value, got '" + d + "'");
      ok = false;
      continue;
    }
    options.defines[d.substr(0, eq)] = d.substr(eq + 1);
  }
  return ok;
}

const dsl::Program *Session::front_end(const ModelOptions &options) {
  if (!program_) {
    // A file that cannot be read is reported by the front end itself.
    program_ = dsl::load_program(source_mgr_, options.file, *diag_);
    if (!program_)
      return nullptr;
  }
  return diag_->error_count() == 0 ? program_.get() : nullptr;
}

mlir::ModuleOp Session::build_ir(const ModelOptions &options) {
  if (module_)
    return *module_;
  if (llvm::StringRef(options.file).endswith(".mlir")) {
    // attn IR written by hand or by `attnc emit --ir`, compiled from the IR on.
    std::string error;
    auto buffer = mlir::openInputFile(options.file, &error);
    if (!buffer) {
      this->error("cannot read '" + options.file + "': " + error);
      return nullptr;
    }
    source_mgr_.AddNewSourceBuffer(std::move(buffer), llvm::SMLoc());
    module_ = mlir::parseSourceFile(source_mgr_, context_.get());
    return module_ ? *module_ : nullptr;
  }
  const dsl::Program *program = front_end(options);
  if (!program)
    return nullptr;
  module_ = attn::mlir_gen(*context_, *program, options.model, options.defines, *diag_);
  if (!module_ || diag_->error_count() > 0) {
    module_ = nullptr;
    return nullptr;
  }
  return *module_;
}

mlir::ModuleOp Session::optimise(const ModelOptions &options) {
  mlir::ModuleOp module = build_ir(options);
  if (!module)
    return nullptr;
  if (optimised_)
    return module;
  compiler::PipelineOptions pipeline;
  pipeline.expose_attention_weights = options.attention_maps;
  if (failed(compiler::run_pipeline(module, pipeline)))
    return nullptr;
  optimised_ = true;
  return module;
}

bool Session::check(const ModelOptions &options) {
  if (!options.model.empty() || !options.defines.empty() ||
      llvm::StringRef(options.file).endswith(".mlir"))
    return optimise(options) != nullptr;
  const dsl::Program *program = front_end(options);
  if (!program)
    return false;
  if (program->root().modules.empty() && program->root().attentions.empty()) {
    diag_->file_error(program->root().path, "the file defines no module and no attention variant");
    return false;
  }
  bool ok = true;
  for (const dsl::ModuleDecl *model : program->models()) {
    // A module made for other modules to use (inputs of any rank or of several element
    // types) or one that needs -D values is checked where a model uses it.
    std::string needed, why = model->forward ? "" : "it has no forward";
    for (const dsl::Hyperparameter &h : model->hyperparameters)
      if (!h.default_value)
        needed += " -D " + h.name.name + "=<" + dsl::scalar_type_name(h.type) + ">";
    if (!needed.empty())
      why = "its hyperparameters need values (--model " + model->name.name + needed + ")";
    for (size_t i = 0; model->forward && i < model->forward->args.size() && why.empty(); ++i)
      if (const dsl::ForwardArg &arg = model->forward->args[i];
          arg.type.leading_ellipsis || !arg.type.alternatives.empty())
        why = "input '" + arg.name.name + "' has " +
              (arg.type.leading_ellipsis ? "no fixed rank" : "several element types") +
              ", as in a module that other modules use";
    if (!why.empty()) {
      if (!verifier_)
        llvm::errs() << "attnc: note: the shapes of '" << model->name.name
                     << "' are not checked: " << why << "\n";
      continue;
    }
    auto module = attn::mlir_gen(*context_, *program, model->name.name, {}, *diag_);
    ok &= module && diag_->error_count() == 0 && succeeded(compiler::run_pipeline(*module, {}));
  }
  return ok && diag_->error_count() == 0;
}

mlir::FuncOp Session::forward() const {
  mlir::ModuleOp module = module_.get();
  for (auto func : module.getOps<mlir::FuncOp>())
    return func;
  return nullptr;
}

std::optional<compiler::LoweredModel> Session::lower(const ModelOptions &options,
                                                     const compiler::TargetChoice &target) {
  if (!optimise(options))
    return std::nullopt;
  auto lowered = compiler::lower_to_halide(forward(), target);
  if (failed(lowered)) {
    mark_internal();
    return std::nullopt;
  }
  return std::move(*lowered);
}

std::optional<compiler::TargetChoice> parse_target_or_report(Session &session,
                                                             const std::string &name) {
  std::string message;
  auto target = compiler::parse_target(name, &message);
  if (!target)
    session.error(message);
  return target;
}

} // namespace attn::driver
