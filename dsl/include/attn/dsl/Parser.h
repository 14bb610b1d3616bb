// The parser: tokens of one buffer to the declarations of one SourceFile. Recursive descent
// with panic-mode recovery (as in Crafting Interpreters): after an error it reports nothing
// more until it resynchronises at the next statement, member or declaration, so one run lists
// every independent error without cascades. Statements end at the end of their line unless a
// bracket is open. Expressions nest at most kMaxNesting levels deep; deeper input is an error,
// never a stack overflow. The grammar is in dsl/SPEC.md.
#pragma once

#include "attn/dsl/AST.h"
#include "attn/dsl/Diagnostics.h"

namespace attn::dsl {

constexpr int kMaxNesting = 256;

/// Parses `buffer` (the contents of `file`) and appends its imports and declarations to `file`.
/// Errors go to `diag`; whatever parsed cleanly is kept.
void parse_file(llvm::StringRef buffer, SourceFile &file, DiagnosticEngine &diag);

} // namespace attn::dsl
