// Emission of a lowered model: the artefacts of `attnc compile` (a static library holding every
// kernel and one shared Halide runtime, a C++ header with a typed model class, and the
// manifest), the shared object `attnc run` loads, and the textual dumps of `attnc emit`.
#pragma once

#include "attn/compiler/Lowering.h"

#include <string>

namespace attn::compiler {

struct Artefacts {
  std::string library;  // <dir>/<Model>.a (or .so)
  std::string header;   // <dir>/<Model>.h
  std::string manifest; // <dir>/<Model>.manifest.json
};

/// Writes <name>.a, <name>.h and <name>.manifest.json into `dir` (created if missing); an
/// empty `name` means the model's name. Returns false and sets `error` on failure (Halide's or
/// the file system's message).
bool emit_library(const LoweredModel &model, const TargetChoice &target, const std::string &dir,
                  const std::string &name, Artefacts *out, std::string *error);

/// Writes <Model>.so (all kernels and the Halide runtime, linked with the system C++ compiler)
/// and <Model>.manifest.json into `dir`, for loading with dlopen.
bool emit_shared_object(const LoweredModel &model, const TargetChoice &target,
                        const std::string &dir, Artefacts *out, std::string *error);

enum class TextKind { Stmt, Assembly, Ptx };
/// Halide's lowered statement, the host assembly, or the PTX of every CUDA kernel.
bool emit_text(const LoweredModel &model, const TargetChoice &target, TextKind kind,
               std::string *text, std::string *error);

/// The generated C++ header for a model (exposed for tests).
std::string generate_header(const LoweredModel &model, const TargetChoice &target,
                            const std::string &manifest_json);

} // namespace attn::compiler
