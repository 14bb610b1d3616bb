// `attnc run` and `attnc bench`: compile the model for the host into a shared object (kept in
// a kernel cache keyed by the optimised IR and the target, so an unchanged model is not
// compiled again), load it with the runtime, bind the weights and inputs, and run it.
#include "Run.h"

#include "AttentionMaps.h"

#include "attn/compiler/Emit.h"
#include "attn/model.h"
#include "attn/npy.h"
#include "attn/shared_library.h"
#include "attn/weights.h"

#include "mlir/IR/OperationSupport.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/SHA1.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unistd.h>

namespace attn::driver {

namespace fs = std::filesystem;

namespace {

std::string cache_root() {
  if (const char *dir = std::getenv("ATTN_CACHE_DIR"); dir && *dir)
    return dir;
  if (const char *xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
    return std::string(xdg) + "/attn/kernels";
  if (const char *home = std::getenv("HOME"); home && *home)
    return std::string(home) + "/.cache/attn/kernels";
  return (fs::temp_directory_path() / "attn-kernels").string();
}

std::string hex_digest(const std::string &text) {
  llvm::SHA1 sha;
  sha.update(text);
  std::string out;
  for (unsigned char c : sha.final()) {
    static const char *digits = "0123456789abcdef";
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

/// Identifies this build of attnc, so that a rebuilt compiler never reuses kernels compiled by
/// an older one.
std::string compiler_identity() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec)
    return "attnc " ATTN_VERSION;
  auto size = fs::file_size(self, ec);
  auto time = fs::last_write_time(self, ec).time_since_epoch().count();
  return "attnc " ATTN_VERSION " " + std::to_string(size) + " " + std::to_string(time);
}

std::string read_text(const std::string &path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

/// The compiled model in the cache: its directory holds <Model>.so and <Model>.manifest.json.
std::optional<compiler::Artefacts> compiled_model(Session &session, const ModelOptions &options,
                                                  const compiler::TargetChoice &target) {
  mlir::ModuleOp module = session.optimise(options);
  if (!module)
    return std::nullopt;
  std::string ir;
  llvm::raw_string_ostream os(ir);
  mlir::OpPrintingFlags flags;
  flags.enableDebugInfo();
  module.print(os, flags);
  os.flush();
  std::string model_name =
      session.forward()->getAttrOfType<mlir::StringAttr>("attn.model")
          ? session.forward()->getAttrOfType<mlir::StringAttr>("attn.model").getValue().str()
          : session.forward().getName().str();
  std::string key = hex_digest(ir + "\n" + target.target.to_string() + "\n" + compiler_identity());
  fs::path dir = fs::path(cache_root()) / key;
  compiler::Artefacts artefacts;
  artefacts.library = (dir / (model_name + ".so")).string();
  artefacts.manifest = (dir / (model_name + ".manifest.json")).string();
  if (fs::exists(artefacts.library) && fs::exists(artefacts.manifest))
    return artefacts;

  auto lowered = session.lower(options, target);
  if (!lowered)
    return std::nullopt;
  // Build beside the cache entry and rename into place, so that concurrent runs never see a
  // half-written entry.
  fs::path tmp = dir;
  tmp += ".tmp-" + std::to_string(::getpid());
  std::string error;
  compiler::Artefacts built;
  if (!compiler::emit_shared_object(*lowered, target, tmp.string(), &built, &error)) {
    session.error(error);
    session.mark_internal();
    return std::nullopt;
  }
  std::error_code ec;
  fs::rename(tmp, dir, ec);
  if (ec) {
    fs::remove_all(tmp, ec);
    if (!fs::exists(artefacts.library)) {
      session.error("cannot write the kernel cache at " + dir.string());
      session.mark_internal();
      return std::nullopt;
    }
  }
  return artefacts;
}

/// The target of a run on `run.device`: the host's for cpu; for cuda, host-cuda unless --target
/// names another CUDA target (host-cuda-86). OpenCL targets are for attnc compile: their
/// kernels run from a program that links the generated library (docs/gpu.md).
std::optional<compiler::TargetChoice> run_target(Session &session, const RunOptions &run) {
  if (run.device != "cpu" && run.device != "cuda") {
    session.error("--device must be cpu or cuda, got '" + run.device + "'");
    return std::nullopt;
  }
  bool cuda = run.device == "cuda";
  std::string name = cuda && run.target == "host" ? "host-cuda" : run.target;
  auto target = parse_target_or_report(session, name);
  if (!target)
    return std::nullopt;
  bool target_cuda = target->gpu && target->target.has_feature(Halide::Target::CUDA);
  if (cuda && !target_cuda) {
    session.error("--device cuda needs a CUDA target (host-cuda, host-cuda-86), not --target " +
                  run.target);
    return std::nullopt;
  }
  if (!cuda && target->gpu) {
    session.error(target_cuda ? "--target " + run.target + " is a CUDA target: add --device cuda"
                              : "attnc run and bench execute on the host or on CUDA; --target " +
                                    run.target + " is for attnc compile");
    return std::nullopt;
  }
  return target;
}

int report(const Status &status) {
  llvm::errs() << "attnc: error: " << status.message() << "\n";
  return status.exit_code();
}

// The dtype of the model's input `name`; f32 when there is none (the run reports that).
DType input_dtype(const Model &model, const std::string &name) {
  for (const TensorSpec &spec : model.inputs())
    if (spec.name == name)
      return spec.dtype;
  return DType::F32;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

} // namespace

int run_model(Session &session, const ModelOptions &model_options, const RunOptions &run) {
  if (!run.vocab.empty() && run.attention_dir.empty()) {
    session.error("--vocab labels attention maps: it needs --dump-attention DIR");
    return kBadInput;
  }
  // Dumping attention maps compiles the model with its attention weights as extra outputs; it
  // is a model of its own in the kernel cache.
  ModelOptions options = model_options;
  options.attention_maps = !run.attention_dir.empty() && run.iterations == 0;
  auto target = run_target(session, run);
  if (!target)
    return kBadInput;
  // Check the inputs' syntax before compiling anything.
  std::vector<std::pair<std::string, std::string>> input_files;
  for (const auto &spec : run.inputs) {
    auto eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size()) {
      session.error("--input expects NAME=FILE.npy, got '" + spec + "'");
      return kBadInput;
    }
    input_files.emplace_back(spec.substr(0, eq), spec.substr(eq + 1));
  }
  auto artefacts = compiled_model(session, options, *target);
  if (!artefacts)
    return session.failure_code();

  std::string manifest = read_text(artefacts->manifest);
  std::vector<std::string> kernel_names;
  std::vector<AttentionMapOutput> maps;
  try {
    nlohmann::json parsed = nlohmann::json::parse(manifest);
    for (const auto &k : parsed.at("kernels"))
      kernel_names.push_back(k.at("name").get<std::string>());
    maps = attention_map_outputs(parsed);
  } catch (const std::exception &e) {
    session.error("corrupt manifest " + artefacts->manifest + ": " + e.what());
    return kInternal;
  }
  auto lib = load_shared_kernels(artefacts->library, kernel_names);
  if (!lib.ok())
    return report(lib.status());
  auto model = Model::create(manifest, std::move(*lib));
  if (!model.ok())
    return report(model.status());
  auto weights = Weights::open(run.weights);
  if (!weights.ok())
    return report(weights.status());
  if (Status s = model->bind_weights(*weights); !s.ok())
    return report(s);

  std::vector<std::pair<std::string, Tensor>> inputs;
  for (const auto &[name, file] : input_files) {
    auto tensor = read_npy_for(file, input_dtype(*model, name));
    if (!tensor.ok())
      return report(tensor.status());
    inputs.emplace_back(name, std::move(*tensor));
  }

  if (run.iterations > 0) {
    auto warm = model->run(inputs);
    if (!warm.ok())
      return report(warm.status());
    std::vector<double> times;
    for (int i = 0; i < run.iterations; ++i) {
      auto start = std::chrono::steady_clock::now();
      auto out = model->run(inputs);
      auto stop = std::chrono::steady_clock::now();
      if (!out.ok())
        return report(out.status());
      times.push_back(std::chrono::duration<double, std::milli>(stop - start).count());
    }
    llvm::outs() << "model " << model->model_name() << ", " << model->num_kernels()
                 << " kernels, target " << model->target() << "\n";
    llvm::outs() << "median_ms=" << llvm::format("%.4f", median(times)) << " min_ms="
                 << llvm::format("%.4f", *std::min_element(times.begin(), times.end()))
                 << " iterations=" << run.iterations << "\n";
    return kOk;
  }

  auto outputs = model->run(inputs);
  if (!outputs.ok())
    return report(outputs.status());
  if (options.attention_maps) {
    if (maps.empty())
      llvm::errs() << "attnc: warning: the model has no attention whose weights could be dumped\n";
    auto labels = load_token_labels(run.vocab, inputs);
    if (!labels.ok())
      return report(labels.status());
    if (Status s = write_attention_maps(run.attention_dir, maps, *outputs, *labels); !s.ok())
      return report(s);
  }
  // The model's own outputs come first; attention maps, if any, follow them.
  size_t own_outputs = maps.empty() ? outputs->size() : maps.front().index;
  std::error_code ec;
  fs::create_directories(run.out_dir, ec);
  if (ec) {
    session.error("cannot create " + run.out_dir + ": " + ec.message());
    return kBadInput;
  }
  for (size_t i = 0; i < own_outputs; ++i) {
    std::string path = (fs::path(run.out_dir) / ("out" + std::to_string(i) + ".npy")).string();
    const Tensor &out = (*outputs)[i];
    if (Status s = write_npy_widening_bf16(path, out); !s.ok())
      return report(s);
    llvm::outs() << path << ": " << model->outputs()[i].name << " " << dtype_name(out.dtype())
                 << "[";
    for (size_t a = 0; a < out.shape().size(); ++a)
      llvm::outs() << (a ? ", " : "") << out.shape()[a];
    llvm::outs() << "]" << (out.dtype() == DType::BF16 ? " (written as f32)" : "") << "\n";
  }
  return kOk;
}

} // namespace attn::driver
