// `attnc check --verify`: the diagnostics of a run, compared with the expectations written in
// the source's comments, as MLIR's `-verify-diagnostics` does for IR. Test programs carry their
// expected errors inline:
//
//   return x +          # expected-error {{expected an expression}}
//   # expected-error@+1 {{undefined name 'xx'}}
//   return xx           # expected-note {{did you mean 'x'?}}
//
// `expected-error`, `expected-warning` and `expected-note` name the kind; `@+N` / `@-N` move the
// expected line from the comment's line, `@unknown` expects a diagnostic with no line (a file
// that cannot be read, a bad -D). The text between `{{` and `}}` must occur in the message. A
// count before `{{` expects that many (`expected-note 2 {{...}}`); a line may hold several.
// Every loaded file (the checked one and its imports) may hold expectations. A diagnostic in a
// file that holds none, such as the standard library, counts at the line of the checked file
// whose call led to it; a note there counts at its error's line, as does a note with no place.
//
// The verifier collects the front end's diagnostics (through the DiagnosticEngine's consumer)
// and MLIR's (through a handler on the context) in the order they are reported.
#pragma once

#include "attn/dsl/Diagnostics.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/SourceMgr.h"

#include <string>
#include <vector>

namespace attn::driver {

class DiagnosticVerifier {
public:
  DiagnosticVerifier(llvm::SourceMgr &source_mgr, mlir::MLIRContext &context,
                     dsl::DiagnosticEngine &diag);
  ~DiagnosticVerifier();

  /// Records a diagnostic with no place in the source.
  void add_unlocated(llvm::SourceMgr::DiagKind kind, const std::string &message);

  /// Compares what was reported with what was expected. Writes each mismatch to `os` and
  /// returns whether there was none.
  bool verify(llvm::raw_ostream &os);

private:
  struct Reported {
    llvm::SourceMgr::DiagKind kind;
    /// Where it was reported, then the calls that led there (MLIR's call-site locations);
    /// empty when it has no place.
    llvm::SmallVector<llvm::SMLoc, 2> frames;
    int parent = -1;  // a note's error or warning
    std::string file; // of a diagnostic about a whole file
    std::string message;
  };
  struct Expected {
    llvm::SourceMgr::DiagKind kind;
    unsigned buffer = 0; // 0: no line (@unknown)
    unsigned line = 0;
    llvm::SMLoc written; // where the expectation is written
    std::string text;
    bool met = false;
  };

  void add(llvm::SourceMgr::DiagKind kind, llvm::SmallVector<llvm::SMLoc, 2> frames,
           const std::string &message, int parent, std::string file = "");
  void add_frontend(const llvm::SMDiagnostic &diagnostic);
  void add_mlir(mlir::Diagnostic &diagnostic);
  void add_frames(mlir::Location loc, llvm::SmallVector<llvm::SMLoc, 2> &frames) const;
  /// Reads the expectations of every loaded file; reports malformed ones.
  bool parse_expectations(llvm::raw_ostream &os);
  /// Where a reported diagnostic counts (see the file comment); invalid: no line.
  llvm::SMLoc place(const Reported &reported) const;
  bool match(const Reported &reported);

  llvm::SourceMgr &source_mgr_;
  mlir::MLIRContext &context_;
  mlir::DiagnosticEngine::HandlerID handler_;
  std::vector<Reported> reported_;
  std::vector<Expected> expected_;
  std::vector<bool> verified_buffer_; // the checked file and those holding expectations
  int last_primary_ = -1;             // the last error or warning, for the notes that follow
};

} // namespace attn::driver
