// libFuzzer target for everything `attnc check` runs: the front end, then, for inputs it
// accepts, the IR's construction (MLIRGen) and the pass pipeline (shape inference, fusion,
// canonicalization). Each input is the text of a `.attn` file whose model is built with its
// default hyperparameters. Slower per input than frontend_fuzzer; built on request
// (run_fuzzer.cmake MODE=build-pipeline), as it compiles the compiler's sources too.
#include "attn/compiler/Dialect/AttnDialect.h"
#include "attn/compiler/MLIRGen.h"
#include "attn/compiler/Passes.h"
#include "attn/dsl/Frontend.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
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
  mlir::MLIRContext context;
  context.printOpOnDiagnostic(false);
  mlir::SourceMgrDiagnosticHandler handler(source_mgr, &context, sink);
  auto module = attn::mlir_gen(context, *program, "", {}, diag);
  if (!module || diag.error_count() > 0)
    return 0;
  (void)attn::compiler::run_pipeline(*module);
  return 0;
}
