// Emission through Halide: every kernel's pipeline is compiled into one Halide module for the
// target (so the library carries a single Halide runtime), which Halide writes out as a static
// library, an object, a statement dump or assembly.
#include "attn/compiler/Emit.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace attn::compiler {

namespace fs = std::filesystem;

namespace {

/// Compiles every kernel to its own object (without a Halide runtime) and the shared Halide
/// runtime to one more; returns the object paths. One module per kernel keeps each pipeline's
/// GPU code in an object of its own.
std::vector<std::string> compile_objects(const LoweredModel &model, const TargetChoice &target,
                                         const fs::path &dir) {
  std::vector<std::string> objects;
  Halide::Target kernel_target = target.target.with_feature(Halide::Target::NoRuntime);
  for (const auto &k : model.kernels) {
    if (k.shares_code)
      continue; // an earlier kernel's code, compiled once
    Halide::Pipeline p = k.pipeline;
    std::string object = (dir / (k.name + ".o")).string();
    p.compile_to_module(k.arguments, k.name, kernel_target)
        .compile({{Halide::OutputFileType::object, object}});
    objects.push_back(object);
  }
  std::string runtime = (dir / (model.model + "_halide_runtime.o")).string();
  Halide::compile_standalone_runtime(runtime, target.target);
  objects.push_back(runtime);
  return objects;
}

/// A scratch directory, removed with its contents when this goes out of scope.
struct ScratchDir {
  fs::path path;
  explicit ScratchDir(const std::string &tag)
      : path(fs::temp_directory_path() / ("attnc-" + std::to_string(::getpid()) + "-" + tag)) {
    fs::create_directories(path);
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

bool write_file(const std::string &path, const std::string &text, std::string *error) {
  std::ofstream f(path, std::ios::binary);
  f << text;
  if (!f) {
    *error = "cannot write " + path;
    return false;
  }
  return true;
}

std::string read_file(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

bool make_dir(const std::string &dir, std::string *error) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    *error = "cannot create directory " + dir + ": " + ec.message();
    return false;
  }
  return true;
}

std::string manifest_text(const LoweredModel &model, const TargetChoice &target) {
  return make_manifest(model, target).dump(2) + "\n";
}

/// LLVM's SLP vectorizer, left to itself, turns the loop-invariant row offsets of a matrix
/// product's left operand (k + offset of each row of the tile) into vector adds and lane
/// extractions inside the innermost loop, which then competes with the FMAs for the two vector
/// ports of an AVX-512 core (bench/README.md, "The matrix product"). Every kernel is
/// vectorised by its Halide schedule already, so the SLP pass is turned off. Halide reads
/// HL_LLVM_ARGS once, before its first code generation; a value the user set is kept.
void configure_llvm() {
  static const bool configured = [] {
    const char *args = std::getenv("HL_LLVM_ARGS");
    if (!args || !*args)
      setenv("HL_LLVM_ARGS", "-vectorize-slp=false", 1);
    return true;
  }();
  (void)configured;
}

/// Runs Halide's compilation, turning its exceptions into an error message.
template <typename F> bool with_halide(F &&f, std::string *error) {
  configure_llvm();
  try {
    f();
    return true;
  } catch (const Halide::Error &e) {
    *error = std::string("code generation failed: ") + e.what();
    return false;
  }
}

} // namespace

bool emit_library(const LoweredModel &model, const TargetChoice &target, const std::string &dir,
                  const std::string &name, Artefacts *out, std::string *error) {
  if (!make_dir(dir, error))
    return false;
  std::string base = (fs::path(dir) / (name.empty() ? model.model : name)).string();
  out->library = base + ".a";
  out->header = base + ".h";
  out->manifest = base + ".manifest.json";
  std::string manifest = manifest_text(model, target);
  ScratchDir scratch(model.model);
  bool ok = with_halide(
      [&] {
        Halide::create_static_library(compile_objects(model, target, scratch.path), target.target,
                                      out->library);
      },
      error);
  return ok && write_file(out->manifest, manifest, error) &&
         write_file(out->header, generate_header(model, target, manifest), error);
}

bool emit_shared_object(const LoweredModel &model, const TargetChoice &target,
                        const std::string &dir, Artefacts *out, std::string *error) {
  if (!make_dir(dir, error))
    return false;
  std::string base = (fs::path(dir) / model.model).string();
  out->library = base + ".so";
  out->manifest = base + ".manifest.json";
  ScratchDir scratch(model.model);
  std::vector<std::string> objects;
  if (!with_halide([&] { objects = compile_objects(model, target, scratch.path); }, error))
    return false;
  const char *cxx = std::getenv("CXX");
  std::string command =
      std::string(cxx && *cxx ? cxx : "c++") + " -shared -o '" + out->library + "'";
  for (const auto &o : objects)
    command += " '" + o + "'";
  command += " -lpthread -ldl 2>&1";
  FILE *pipe = popen(command.c_str(), "r");
  if (!pipe) {
    *error = "cannot run the system C++ compiler to link " + out->library;
    return false;
  }
  std::string output;
  char buffer[512];
  while (fgets(buffer, sizeof buffer, pipe))
    output += buffer;
  if (pclose(pipe) != 0) {
    *error = "linking " + out->library + " failed: " + command + "\n" + output;
    return false;
  }
  return write_file(out->manifest, manifest_text(model, target), error);
}

/// The PTX modules of several kernels as one module: the header (.version, .target,
/// .address_size) is kept from the first only.
static std::string merge_ptx(const std::string &ptx, bool first) {
  if (first || ptx.empty())
    return ptx;
  std::string out;
  std::istringstream lines(ptx);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind(".version", 0) != 0 && line.rfind(".target", 0) != 0 &&
        line.rfind(".address_size", 0) != 0)
      out += line + "\n";
  return out;
}

/// Halide embeds each CUDA kernel's PTX, NUL-terminated, in the host object; PTX from LLVM's
/// NVPTX back end starts with its banner comment.
static std::string extract_ptx(const std::string &object) {
  static const std::string banner = "//\n// Generated by LLVM NVPTX Back-End";
  std::string ptx;
  for (size_t at = object.find(banner); at != std::string::npos; at = object.find(banner, at + 1)) {
    size_t end = object.find('\0', at);
    ptx += object.substr(at, end == std::string::npos ? std::string::npos : end - at);
    ptx += "\n";
  }
  return ptx;
}

bool emit_text(const LoweredModel &model, const TargetChoice &target, TextKind kind,
               std::string *text, std::string *error) {
  ScratchDir scratch(model.model + "-text");
  bool ok = with_halide(
      [&] {
        Halide::Target kernel_target = target.target.with_feature(Halide::Target::NoRuntime);
        for (const auto &k : model.kernels) {
          if (k.shares_code)
            continue;
          Halide::Pipeline p = k.pipeline;
          Halide::Module module = p.compile_to_module(k.arguments, k.name, kernel_target);
          std::string path = (scratch.path / k.name).string();
          switch (kind) {
          case TextKind::Stmt:
            module.compile({{Halide::OutputFileType::stmt, path}});
            *text += "// kernel " + k.name + " (" + k.op + " at " + k.loc + ")\n" +
                     read_file(path) + "\n";
            break;
          case TextKind::Assembly:
            module.compile({{Halide::OutputFileType::assembly, path}});
            *text += "# kernel " + k.name + " (" + k.op + " at " + k.loc + ")\n" + read_file(path) +
                     "\n";
            break;
          case TextKind::Ptx:
            module.compile({{Halide::OutputFileType::object, path}});
            *text += merge_ptx(extract_ptx(read_file(path)), text->empty());
            break;
          }
        }
      },
      error);
  if (ok && kind == TextKind::Ptx && text->empty()) {
    *error = "the model has no CUDA kernels for target " + target.target.to_string() +
             " (use --target host-cuda)";
    return false;
  }
  return ok;
}

} // namespace attn::compiler
