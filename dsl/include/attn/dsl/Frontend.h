// The front end's entry points: load a file and everything it imports into one SourceMgr,
// parse each file once, then run the semantic checks over the whole program. The result is
// the checked AST (a Program), which attnc dumps (`emit --ast`) or hands to the bridge that
// builds the IR (attn/compiler/MLIRGen.h).
//
// Imports: `import "nn"` (a bare name) loads `<stdlib>/nn.attn`; `import "layers/x.attn"` (a
// path) is relative to the importing file. The standard library directory is $ATTN_STDLIB if
// set, else the `dsl/stdlib` directory of the source tree the compiler was built from.
#pragma once

#include "attn/dsl/AST.h"
#include "attn/dsl/Diagnostics.h"

#include <memory>
#include <string>

namespace attn::dsl {

/// The standard library directory ($ATTN_STDLIB, else the compiled-in default).
std::string stdlib_dir();

/// Loads, parses and checks `path` and its imports. Returns null only when `path` itself cannot
/// be read; otherwise a Program, possibly with errors (see diag.error_count()). Buffer
/// identifiers are the paths as given (imports: joined to the importing file's directory).
std::unique_ptr<Program> load_program(llvm::SourceMgr &source_mgr, llvm::StringRef path,
                                      DiagnosticEngine &diag);

/// As load_program, for source text held in memory; `path` names the buffer in messages and
/// anchors relative imports.
std::unique_ptr<Program> load_program_from_string(llvm::SourceMgr &source_mgr, llvm::StringRef path,
                                                  llvm::StringRef text, DiagnosticEngine &diag);

/// The model to compile: the module `name` if given (any module of the program), else the root
/// file's only model. Reports and returns null when there is no such module, or when `name` is
/// empty and the file has no model or several.
const ModuleDecl *find_model(const Program &program, llvm::StringRef name, DiagnosticEngine &diag);

/// Writes the AST of every file of the program, one node per line with its location
/// (`attnc emit --ast`).
void dump_ast(const Program &program, llvm::raw_ostream &os);

} // namespace attn::dsl
