// libFuzzer target for the language front end: each input is the text of a `.attn` file. It is
// loaded with its imports, parsed and checked (load_program_from_string); when that finds no
// error, the model is chosen, its hyperparameters computed from their defaults and its AST
// printed. Diagnostics are formatted (into a null stream) like attnc's, so printing is fuzzed
// too. A crash, an assertion, a sanitizer report, a timeout or running out of memory is a bug:
// the front end must answer every input with diagnostics.
#include "attn/dsl/ConstEval.h"
#include "attn/dsl/Frontend.h"

#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::SourceMgr source_mgr;
  llvm::raw_null_ostream sink;
  attn::dsl::DiagnosticEngine diag(source_mgr, sink);
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  auto program = attn::dsl::load_program_from_string(source_mgr, "fuzz.attn", text, diag);
  if (!program || diag.error_count() > 0)
    return 0;
  attn::dsl::dump_ast(*program, sink);
  const attn::dsl::ModuleDecl *model = attn::dsl::find_model(*program, "", diag);
  if (model)
    attn::dsl::bind_model_hyperparameters(*model, {}, diag);
  return 0;
}
