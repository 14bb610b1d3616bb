// Helpers for the front-end tests: compile source text held in memory and capture the
// diagnostics exactly as a user would see them.
#pragma once

#include "attn/dsl/Frontend.h"

#include <memory>
#include <string>

namespace attn::dsl::testing {

/// One compilation: its SourceMgr, the printed diagnostics, and the checked program.
struct Compilation {
  Compilation();
  llvm::SourceMgr source_mgr;
  std::string messages;
  llvm::raw_string_ostream stream{messages};
  DiagnosticEngine diag{source_mgr, stream};
  std::unique_ptr<Program> program;

  /// The diagnostics printed so far.
  std::string output() {
    stream.flush();
    return messages;
  }
};

/// Loads `source` as the file `path` (imports resolve against the standard library).
std::unique_ptr<Compilation> compile(const std::string &source,
                                     const std::string &path = "test.attn");

/// The diagnostics printed for `source`.
std::string diagnostics(const std::string &source, const std::string &path = "test.attn");

/// Absolute path of a file of the source tree.
std::string source_path(const std::string &relative);

} // namespace attn::dsl::testing
