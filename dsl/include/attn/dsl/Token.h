// Tokens of the attn language. A token is a kind plus the slice of the source buffer it spans
// (so its location is the slice's address, which the SourceMgr maps back to a file, line and
// column), and whether it is the first token on its line: a statement ends at the end of its
// line unless a bracket is open.
#pragma once

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SMLoc.h"

namespace attn::dsl {

enum class TokenKind {
  Eof,
  Error, // bytes the lexer already reported; the parser recovers without a second message
  Identifier,
  Integer,
  Float,
  String,
  // keywords
  KwModule,
  KwAttention,
  KwParam,
  KwForward,
  KwLet,
  KwReturn,
  KwImport,
  KwSelf,
  KwSuper,
  KwAnd,
  KwOr,
  KwNot,
  KwTrue,
  KwFalse,
  KwScan,
  KwIf,
  KwElse,
  KwFor,
  KwIn, // the last keyword (Token::is_keyword)
  // punctuation
  LParen,
  RParen,
  LBracket,
  RBracket,
  LBrace,
  RBrace,
  Comma,
  Colon,
  Equal,
  Arrow,
  Dot,
  Ellipsis,
  Plus,
  Minus,
  Star,
  Slash,
  Less,
  LessEqual,
  Greater,
  GreaterEqual,
  EqualEqual,
  NotEqual,
  Bar, // `|` between the element types of an input (f32 | bool[L, S])
};

/// How a token kind is named in messages: `'('`, `identifier`, `end of file`.
const char *token_kind_name(TokenKind kind);

struct Token {
  TokenKind kind = TokenKind::Eof;
  llvm::StringRef text;
  bool at_line_start = false;

  bool is(TokenKind k) const { return kind == k; }
  /// A reserved word (`module` … `in`): the kinds from KwModule to KwIn.
  bool is_keyword() const { return kind >= TokenKind::KwModule && kind <= TokenKind::KwIn; }
  llvm::SMLoc loc() const { return llvm::SMLoc::getFromPointer(text.begin()); }
  llvm::SMRange range() const {
    return llvm::SMRange(loc(), llvm::SMLoc::getFromPointer(text.end()));
  }
};

} // namespace attn::dsl
