// Diagnostics of the front end. Every loaded `.attn` file is a buffer of one llvm::SourceMgr,
// identified by its path, and every message is printed through it, so it reads like a C
// compiler's: `file:line:col: error: message`, the source line, a caret under the range, then
// notes. The same SourceMgr later backs MLIR's SourceMgrDiagnosticHandler, so locations resolve
// to the same (file, line, column) there. The engine counts errors; callers stop a stage when
// the count is non-zero. Nothing here knows about MLIR. A run prints its first 20 errors (and
// their notes), then says that the rest are not shown; a consumer, when set, receives every
// diagnostic instead of the stream (`attnc check --verify` compares them with the file's
// expectations).
#pragma once

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/SMLoc.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <functional>
#include <string>
#include <vector>

namespace attn::dsl {

/// A resolved source position: the buffer's identifier (the file path), 1-based line and
/// column (in bytes). `file` is empty for an invalid location.
struct LineCol {
  std::string file;
  unsigned line = 0;
  unsigned col = 0;
};

class DiagnosticEngine {
public:
  explicit DiagnosticEngine(llvm::SourceMgr &source_mgr, llvm::raw_ostream &os = llvm::errs());

  /// An error at `range` (its start is the reported position; the range is underlined).
  void error(llvm::SMRange range, const llvm::Twine &message);
  void warning(llvm::SMRange range, const llvm::Twine &message);
  /// A note tied to a place in the source ("previous definition is here").
  void note(llvm::SMRange range, const llvm::Twine &message);
  /// Messages with no place in the source (command-line problems, hints).
  void error(const llvm::Twine &message);
  void note(const llvm::Twine &message);
  /// An error about a whole file, such as one that cannot be read: `file: error: message`.
  void file_error(llvm::StringRef file, const llvm::Twine &message);

  /// Receives every diagnostic instead of the stream; notes without a place follow their error.
  using Consumer = std::function<void(const llvm::SMDiagnostic &)>;
  void set_consumer(Consumer consumer) { consumer_ = std::move(consumer); }

  unsigned error_count() const { return error_count_; }
  unsigned warning_count() const { return warning_count_; }

  llvm::SourceMgr &source_mgr() const { return source_mgr_; }
  LineCol resolve(llvm::SMLoc loc) const;

private:
  void print(llvm::SMRange range, llvm::SourceMgr::DiagKind kind, const llvm::Twine &message);
  void emit(const llvm::SMDiagnostic &diagnostic);

  static constexpr unsigned kMaxPrintedErrors = 20;

  llvm::SourceMgr &source_mgr_;
  llvm::raw_ostream &os_;
  Consumer consumer_;
  unsigned error_count_ = 0;
  unsigned warning_count_ = 0;
};

/// The candidate closest to `name` by edit distance, if it is close enough to be a likely typo
/// (at most a third of the name's length, at least one edit allowed, never all of the name);
/// empty otherwise.
std::string closest_name(llvm::StringRef name, llvm::ArrayRef<std::string> candidates);

/// Emits the note "did you mean 'X'?" when closest_name finds one.
void suggest(DiagnosticEngine &diag, llvm::StringRef name, llvm::ArrayRef<std::string> candidates);

} // namespace attn::dsl
