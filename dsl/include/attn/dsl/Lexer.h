// The lexer turns one source buffer into tokens. It never stops early: a bad byte (an
// unexpected character, invalid UTF-8, a NUL byte) is reported at its position and becomes an
// `Error` token, as does an unterminated string; an unterminated block comment is reported at
// its start. Lexing goes on, so one run reports every problem. The buffer may contain NUL bytes;
// the end is the buffer's end, not the first NUL.
//
// Lexical grammar (see dsl/SPEC.md):
//   comment    = "#" { any but newline } | "#[" { any } "]#"
//   identifier = letter { letter | digit | "_" }      (letter includes "_")
//   integer    = digit { digit }
//   float      = digit { digit } ( "." { digit } [ exponent ] | exponent )
//   exponent   = ( "e" | "E" ) [ "+" | "-" ] digit { digit }
//   string     = '"' { char | "\" ( '"' | "\" | "n" | "t" ) } '"'   (on one line)
#pragma once

#include "attn/dsl/Diagnostics.h"
#include "attn/dsl/Token.h"

#include <string>
#include <vector>

namespace attn::dsl {

class Lexer {
public:
  Lexer(llvm::StringRef buffer, DiagnosticEngine &diag) : buffer_(buffer), diag_(diag) {}

  /// All tokens of the buffer, ending with one `Eof`.
  std::vector<Token> lex_all();

private:
  Token next();
  Token make(TokenKind kind, const char *start);
  void skip_whitespace_and_comments();
  void skip_block_comment();
  Token lex_identifier(const char *start);
  Token lex_number(const char *start);
  Token lex_string(const char *start);
  Token lex_bad_bytes(const char *start);
  void error(const char *start, const char *end, const llvm::Twine &message);

  llvm::StringRef buffer_;
  DiagnosticEngine &diag_;
  const char *cur_ = nullptr;
  bool at_line_start_ = true;
  const char *unterminated_comment_ = nullptr; // its `#[`, which becomes an Error token
};

/// The value of a string literal token (without quotes, escapes resolved).
std::string unescape_string(llvm::StringRef token_text);

/// Length of the valid UTF-8 sequence starting at `p` (before `end`), or 0 if invalid.
unsigned utf8_sequence_length(const char *p, const char *end);

} // namespace attn::dsl
