// attnc: the attn compiler's command line (DESIGN.md §4). Every command walks the same
// Session through as many stages as it needs: check stops after the shape check, emit after the
// stage it prints, compile writes the library, header and manifest, run and bench execute.
#include "Driver.h"
#include "Run.h"

#include "attn/compiler/Emit.h"
#include "attn/compiler/Passes.h"
#include "attn/dsl/Frontend.h"

#include "mlir/IR/OperationSupport.h"
#include "llvm/Support/raw_ostream.h"

#include <CLI/CLI.hpp>
#include <fstream>

using namespace attn::driver;

namespace {

struct CommonArgs {
  ModelOptions model;
  std::vector<std::string> defines;
};

void add_model_options(CLI::App *cmd, CommonArgs &args) {
  cmd->add_option("file", args.model.file, "the .attn source file")->required();
  cmd->add_option("--model", args.model.model,
                  "the module to compile (default: the file's only model)");
  cmd->add_option("-D", args.defines, "set a hyperparameter: -D name=value (repeatable)")
      ->allow_extra_args(false);
}

/// --device and --target of attnc run and bench.
void add_device_options(CLI::App *cmd, RunOptions &run) {
  cmd->add_option("--device", run.device,
                  "where the kernels run: cpu, or cuda (compiles for host-cuda, or the CUDA "
                  "target --target names; without a CUDA driver and GPU, an error and exit 1)")
      ->capture_default_str();
  cmd->add_option("--target", run.target,
                  "host (host-cuda with --device cuda), host-cuda-86, or a Halide target string "
                  "such as host-profile")
      ->capture_default_str();
}

int write_output(Session &session, const std::string &path, const std::string &text) {
  if (path.empty() || path == "-") {
    llvm::outs() << text;
    return kOk;
  }
  std::ofstream f(path, std::ios::binary);
  f << text;
  if (!f) {
    session.error("cannot write " + path);
    return kBadInput;
  }
  return kOk;
}

std::string print_module(mlir::ModuleOp module, bool locations) {
  std::string text;
  llvm::raw_string_ostream os(text);
  mlir::OpPrintingFlags flags;
  if (locations)
    flags.enableDebugInfo();
  module.print(os, flags);
  os << "\n";
  return os.str();
}

/// Parses the target and lowers the model for it; returns 0, or the exit status after errors.
int lower_for(Session &session, const ModelOptions &options, const std::string &target_name,
              std::optional<attn::compiler::TargetChoice> &target,
              std::optional<attn::compiler::LoweredModel> &lowered) {
  target = parse_target_or_report(session, target_name);
  if (!target)
    return kBadInput;
  lowered = session.lower(options, *target);
  return lowered ? kOk : session.failure_code();
}

struct EmitArgs {
  bool ast = false, ir = false, ir_opt = false, stmt = false, assembly = false, ptx = false;
  bool locations = false;
  std::string output;
  std::string target;
};

int emit(Session &session, const ModelOptions &options, const EmitArgs &e) {
  if (e.ast + e.ir + e.ir_opt + e.stmt + e.assembly + e.ptx != 1) {
    session.error("emit needs exactly one of --ast, --ir, --ir-opt, --stmt, --asm, --ptx");
    return kBadInput;
  }
  if (e.ast) {
    const attn::dsl::Program *program = session.front_end(options);
    if (!program)
      return session.failure_code();
    std::string text;
    llvm::raw_string_ostream os(text);
    attn::dsl::dump_ast(*program, os);
    return write_output(session, e.output, os.str());
  }
  if (e.ir || e.ir_opt) {
    mlir::ModuleOp module = e.ir ? session.build_ir(options) : session.optimise(options);
    if (!module)
      return session.failure_code();
    return write_output(session, e.output, print_module(module, e.locations));
  }
  std::string target_name = e.target.empty() ? (e.ptx ? "host-cuda" : "host") : e.target;
  std::optional<attn::compiler::TargetChoice> target;
  std::optional<attn::compiler::LoweredModel> lowered;
  if (int code = lower_for(session, options, target_name, target, lowered))
    return code;
  std::string text, error;
  auto kind = e.stmt       ? attn::compiler::TextKind::Stmt
              : e.assembly ? attn::compiler::TextKind::Assembly
                           : attn::compiler::TextKind::Ptx;
  if (!attn::compiler::emit_text(*lowered, *target, kind, &text, &error)) {
    session.error(error);
    return e.ptx && !target->gpu ? kBadInput : kInternal;
  }
  return write_output(session, e.output, text);
}

int compile(Session &session, const ModelOptions &options, const std::string &target_name,
            const std::string &out_dir, const std::string &name) {
  std::optional<attn::compiler::TargetChoice> target;
  std::optional<attn::compiler::LoweredModel> lowered;
  if (int code = lower_for(session, options, target_name, target, lowered))
    return code;
  attn::compiler::Artefacts artefacts;
  std::string error;
  if (!attn::compiler::emit_library(*lowered, *target, out_dir, name, &artefacts, &error)) {
    session.error(error);
    return kInternal;
  }
  llvm::outs() << "wrote " << artefacts.library << "\n"
               << "wrote " << artefacts.header << "\n"
               << "wrote " << artefacts.manifest << "\n"
               << lowered->kernels.size() << " kernels";
  if (size_t compiled = compiled_kernel_count(*lowered); compiled < lowered->kernels.size())
    llvm::outs() << " (" << compiled << " compiled; the others share their code)";
  llvm::outs() << " for " << target->target.to_string() << "\n";
  return kOk;
}

} // namespace

int main(int argc, char **argv) {
  CLI::App app{"attnc: the attn compiler. Compiles attention models written in .attn files to "
               "CPU and CUDA code, and runs them."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "attnc " ATTN_VERSION);

  CommonArgs args;
  auto *check = app.add_subcommand(
      "check", "Parse the file and check names, types and shapes: of the --model (with -D "
               "values), or else of every module and of each model that needs no -D value");
  add_model_options(check, args);
  bool verify = false;
  check->add_flag("--verify", verify,
                  "compare the diagnostics with the file's inline expectations instead of "
                  "printing them: '# expected-error {{text}}' on the line, "
                  "'# expected-error@+1 {{text}}' (or @-N) for another line, "
                  "'@unknown' for one with no line; also expected-warning and expected-note. "
                  "Exit 0 when every expectation is met and nothing else is reported");

  std::string target = "host", out_dir;
  auto *compile_cmd = app.add_subcommand(
      "compile", "Compile a model to a static library, a C++ header and a manifest");
  add_model_options(compile_cmd, args);
  compile_cmd
      ->add_option("--target", target,
                   "host, host-cuda (CUDA capability 80), host-cuda-86, host-opencl, "
                   "or a Halide target string")
      ->capture_default_str();
  compile_cmd->add_option("-o", out_dir, "output directory")->required();
  std::string name;
  compile_cmd->add_option("--name", name,
                          "base name of the generated files (default: the model's name)");

  RunOptions run;
  auto *run_cmd = app.add_subcommand(
      "run",
      "Compile (or reuse from the kernel cache) and run a model on the CPU or a CUDA GPU; writes "
      "DIR/out0.npy, DIR/out1.npy, ... in the forward's return order (bf16 results as f32, "
      "since NumPy has no bfloat16)");
  add_model_options(run_cmd, args);
  run_cmd->add_option("--weights", run.weights, "weights (.safetensors)")->required();
  run_cmd->add_option("--input", run.inputs,
                      "an input: NAME=FILE.npy (repeatable; for a bf16 input, an f32 array, "
                      "rounded to bf16)");
  run_cmd->add_option("--out", run.out_dir, "output directory")->required();
  run_cmd->add_option("--dump-attention", run.attention_dir,
                      "also write the weights of every attention, per batch item and head, as "
                      "DIR/<name>.b<b>.h<h>.npy and heatmap .png, indexed by "
                      "DIR/attention_maps.json");
  run_cmd->add_option("--vocab", run.vocab,
                      "with --dump-attention: label the maps' axes with tokens (one per line, "
                      "line k for id k) read through the model's token-id input");
  add_device_options(run_cmd, run);

  auto *bench_cmd =
      app.add_subcommand("bench", "Compile once, then time N forwards; the last line reads "
                                  "median_ms=... min_ms=... iterations=N");
  add_model_options(bench_cmd, args);
  bench_cmd->add_option("--weights", run.weights, "weights (.safetensors)")->required();
  bench_cmd->add_option("--input", run.inputs,
                        "an input: NAME=FILE.npy (repeatable; for a bf16 input, an f32 array, "
                        "rounded to bf16)");
  add_device_options(bench_cmd, run);
  int iterations = 20;
  bench_cmd->add_option("--iterations", iterations, "timed forwards")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();

  EmitArgs e;
  auto *emit_cmd = app.add_subcommand("emit", "Print one stage of the compilation");
  add_model_options(emit_cmd, args);
  emit_cmd->add_flag("--ast", e.ast, "the checked syntax tree, with locations");
  emit_cmd->add_flag("--ir", e.ir, "the attn dialect as built from the source");
  emit_cmd->add_flag("--ir-opt", e.ir_opt, "the attn dialect after the pass pipeline");
  emit_cmd->add_flag("--stmt", e.stmt, "Halide's lowered statement of every kernel");
  emit_cmd->add_flag("--asm", e.assembly, "the host assembly of every kernel");
  emit_cmd->add_flag("--ptx", e.ptx, "the PTX of every CUDA kernel (target host-cuda)");
  emit_cmd->add_flag("--locations", e.locations, "print source locations with --ir/--ir-opt");
  emit_cmd->add_option("--target", e.target,
                       "target for --stmt/--asm/--ptx (default host; host-cuda for --ptx)");
  emit_cmd->add_option("-o", e.output, "output file (default: standard output)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &err) {
    int code = app.exit(err);
    return code == 0 ? kOk : kBadInput;
  }

  Session session;
  if (check->parsed() && verify) {
    session.enable_verify();
    // After a malformed -D the file is still read, for its expectations.
    if (session.parse_defines(args.defines, args.model))
      session.check(args.model);
    else
      session.front_end(args.model);
    return session.verify_diagnostics() ? kOk : kBadInput;
  }
  if (!session.parse_defines(args.defines, args.model))
    return kBadInput;
  if (check->parsed())
    return session.check(args.model) ? kOk : session.failure_code();
  if (compile_cmd->parsed())
    return compile(session, args.model, target, out_dir, name);
  if (run_cmd->parsed())
    return run_model(session, args.model, run);
  if (bench_cmd->parsed()) {
    run.iterations = iterations;
    return run_model(session, args.model, run);
  }
  return emit(session, args.model, e);
}
