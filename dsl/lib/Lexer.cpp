#include "attn/dsl/Lexer.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"

namespace attn::dsl {

const char *token_kind_name(TokenKind kind) {
  switch (kind) {
  case TokenKind::Eof:
    return "end of file";
  case TokenKind::Error:
    return "invalid input";
  case TokenKind::Identifier:
    return "identifier";
  case TokenKind::Integer:
    return "integer";
  case TokenKind::Float:
    return "number";
  case TokenKind::String:
    return "string";
  case TokenKind::KwModule:
    return "'module'";
  case TokenKind::KwAttention:
    return "'attention'";
  case TokenKind::KwParam:
    return "'param'";
  case TokenKind::KwForward:
    return "'forward'";
  case TokenKind::KwLet:
    return "'let'";
  case TokenKind::KwReturn:
    return "'return'";
  case TokenKind::KwImport:
    return "'import'";
  case TokenKind::KwSelf:
    return "'self'";
  case TokenKind::KwSuper:
    return "'super'";
  case TokenKind::KwAnd:
    return "'and'";
  case TokenKind::KwOr:
    return "'or'";
  case TokenKind::KwNot:
    return "'not'";
  case TokenKind::KwTrue:
    return "'true'";
  case TokenKind::KwFalse:
    return "'false'";
  case TokenKind::KwScan:
    return "'scan'";
  case TokenKind::KwIf:
    return "'if'";
  case TokenKind::KwElse:
    return "'else'";
  case TokenKind::KwFor:
    return "'for'";
  case TokenKind::KwIn:
    return "'in'";
  case TokenKind::LParen:
    return "'('";
  case TokenKind::RParen:
    return "')'";
  case TokenKind::LBracket:
    return "'['";
  case TokenKind::RBracket:
    return "']'";
  case TokenKind::LBrace:
    return "'{'";
  case TokenKind::RBrace:
    return "'}'";
  case TokenKind::Comma:
    return "','";
  case TokenKind::Colon:
    return "':'";
  case TokenKind::Equal:
    return "'='";
  case TokenKind::Arrow:
    return "'->'";
  case TokenKind::Dot:
    return "'.'";
  case TokenKind::Ellipsis:
    return "'...'";
  case TokenKind::Plus:
    return "'+'";
  case TokenKind::Minus:
    return "'-'";
  case TokenKind::Star:
    return "'*'";
  case TokenKind::Slash:
    return "'/'";
  case TokenKind::Less:
    return "'<'";
  case TokenKind::LessEqual:
    return "'<='";
  case TokenKind::Greater:
    return "'>'";
  case TokenKind::GreaterEqual:
    return "'>='";
  case TokenKind::EqualEqual:
    return "'=='";
  case TokenKind::NotEqual:
    return "'!='";
  case TokenKind::Bar:
    return "'|'";
  }
  return "token";
}

unsigned utf8_sequence_length(const char *p, const char *end) {
  auto byte = [&](const char *q) { return static_cast<unsigned char>(*q); };
  unsigned char b0 = byte(p);
  unsigned length;
  if (b0 < 0x80)
    return 1;
  if (b0 >= 0xC2 && b0 <= 0xDF)
    length = 2;
  else if (b0 >= 0xE0 && b0 <= 0xEF)
    length = 3;
  else if (b0 >= 0xF0 && b0 <= 0xF4)
    length = 4;
  else
    return 0;
  if (end - p < static_cast<std::ptrdiff_t>(length))
    return 0;
  for (unsigned i = 1; i < length; ++i)
    if ((byte(p + i) & 0xC0) != 0x80)
      return 0;
  // Overlong three- and four-byte forms, surrogates, and code points past U+10FFFF.
  unsigned char b1 = byte(p + 1);
  if ((b0 == 0xE0 && b1 < 0xA0) || (b0 == 0xED && b1 >= 0xA0) || (b0 == 0xF0 && b1 < 0x90) ||
      (b0 == 0xF4 && b1 >= 0x90))
    return 0;
  return length;
}

static bool is_ident_start(char c) { return llvm::isAlpha(c) || c == '_'; }
static bool is_ident_char(char c) { return llvm::isAlnum(c) || c == '_'; }

std::vector<Token> Lexer::lex_all() {
  cur_ = buffer_.begin();
  std::vector<Token> tokens;
  while (true) {
    tokens.push_back(next());
    if (tokens.back().is(TokenKind::Eof))
      return tokens;
  }
}

void Lexer::error(const char *start, const char *end, const llvm::Twine &message) {
  diag_.error(llvm::SMRange(llvm::SMLoc::getFromPointer(start), llvm::SMLoc::getFromPointer(end)),
              message);
}

Token Lexer::make(TokenKind kind, const char *start) {
  Token token;
  token.kind = kind;
  token.text = llvm::StringRef(start, cur_ - start);
  token.at_line_start = at_line_start_;
  at_line_start_ = false;
  return token;
}

/// Reports the first invalid UTF-8 sequence or NUL byte in [p, end), if any.
static const char *find_bad_byte(const char *p, const char *end) {
  while (p < end) {
    if (*p == '\0')
      return p;
    unsigned n = utf8_sequence_length(p, end);
    if (n == 0)
      return p;
    p += n;
  }
  return nullptr;
}

void Lexer::skip_block_comment() {
  const char *start = cur_;
  cur_ += 2; // "#["
  const char *end = buffer_.end();
  const char *close = nullptr;
  for (const char *p = cur_; p + 1 < end; ++p)
    if (p[0] == ']' && p[1] == '#') {
      close = p;
      break;
    }
  const char *body_end = close ? close : end;
  if (const char *bad = find_bad_byte(cur_, body_end))
    error(bad, bad + 1, *bad == '\0' ? "NUL byte in a comment" : "invalid UTF-8 in a comment");
  for (const char *p = cur_; p < body_end; ++p)
    if (*p == '\n')
      at_line_start_ = true;
  if (!close) {
    error(start, start + 2, "unterminated block comment: '#[' has no matching ']#'");
    unterminated_comment_ = start;
    cur_ = end;
    return;
  }
  cur_ = close + 2;
}

void Lexer::skip_whitespace_and_comments() {
  const char *end = buffer_.end();
  while (cur_ < end) {
    char c = *cur_;
    if (c == '\n') {
      at_line_start_ = true;
      ++cur_;
    } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
      ++cur_;
    } else if (c == '#') {
      if (cur_ + 1 < end && cur_[1] == '[') {
        skip_block_comment();
        continue;
      }
      const char *line_end = cur_;
      while (line_end < end && *line_end != '\n')
        ++line_end;
      if (const char *bad = find_bad_byte(cur_, line_end))
        error(bad, bad + 1, *bad == '\0' ? "NUL byte in a comment" : "invalid UTF-8 in a comment");
      cur_ = line_end;
    } else {
      return;
    }
  }
}

Token Lexer::next() {
  skip_whitespace_and_comments();
  const char *start = cur_;
  const char *end = buffer_.end();
  if (unterminated_comment_) {
    // The comment swallowed the rest of the file; the parser reports nothing it left open.
    Token token = make(TokenKind::Error, unterminated_comment_);
    token.text = token.text.take_front(2);
    unterminated_comment_ = nullptr;
    return token;
  }
  if (cur_ >= end)
    return make(TokenKind::Eof, start);

  char c = *cur_;
  if (is_ident_start(c))
    return lex_identifier(start);
  if (llvm::isDigit(c))
    return lex_number(start);
  if (c == '"')
    return lex_string(start);

  auto two = [&](char second) { return cur_ + 1 < end && cur_[1] == second; };
  auto single = [&](TokenKind kind) {
    ++cur_;
    return make(kind, start);
  };
  auto pair = [&](TokenKind kind) {
    cur_ += 2;
    return make(kind, start);
  };
  switch (c) {
  case '(':
    return single(TokenKind::LParen);
  case ')':
    return single(TokenKind::RParen);
  case '[':
    return single(TokenKind::LBracket);
  case ']':
    return single(TokenKind::RBracket);
  case '{':
    return single(TokenKind::LBrace);
  case '}':
    return single(TokenKind::RBrace);
  case ',':
    return single(TokenKind::Comma);
  case '|':
    return single(TokenKind::Bar);
  case ':':
    return single(TokenKind::Colon);
  case '+':
    return single(TokenKind::Plus);
  case '*':
    return single(TokenKind::Star);
  case '/':
    return single(TokenKind::Slash);
  case '-':
    return two('>') ? pair(TokenKind::Arrow) : single(TokenKind::Minus);
  case '=':
    return two('=') ? pair(TokenKind::EqualEqual) : single(TokenKind::Equal);
  case '<':
    return two('=') ? pair(TokenKind::LessEqual) : single(TokenKind::Less);
  case '>':
    return two('=') ? pair(TokenKind::GreaterEqual) : single(TokenKind::Greater);
  case '!':
    if (two('='))
      return pair(TokenKind::NotEqual);
    break;
  case '.':
    if (two('.') && cur_ + 2 < end && cur_[2] == '.') {
      cur_ += 3;
      return make(TokenKind::Ellipsis, start);
    }
    return single(TokenKind::Dot);
  default:
    break;
  }
  return lex_bad_bytes(start);
}

Token Lexer::lex_identifier(const char *start) {
  while (cur_ < buffer_.end() && is_ident_char(*cur_))
    ++cur_;
  llvm::StringRef text(start, cur_ - start);
  TokenKind kind = llvm::StringSwitch<TokenKind>(text)
                       .Case("module", TokenKind::KwModule)
                       .Case("attention", TokenKind::KwAttention)
                       .Case("param", TokenKind::KwParam)
                       .Case("forward", TokenKind::KwForward)
                       .Case("let", TokenKind::KwLet)
                       .Case("return", TokenKind::KwReturn)
                       .Case("import", TokenKind::KwImport)
                       .Case("self", TokenKind::KwSelf)
                       .Case("super", TokenKind::KwSuper)
                       .Case("and", TokenKind::KwAnd)
                       .Case("or", TokenKind::KwOr)
                       .Case("not", TokenKind::KwNot)
                       .Case("true", TokenKind::KwTrue)
                       .Case("false", TokenKind::KwFalse)
                       .Case("scan", TokenKind::KwScan)
                       .Case("if", TokenKind::KwIf)
                       .Case("else", TokenKind::KwElse)
                       .Case("for", TokenKind::KwFor)
                       .Case("in", TokenKind::KwIn)
                       .Default(TokenKind::Identifier);
  return make(kind, start);
}

Token Lexer::lex_number(const char *start) {
  const char *end = buffer_.end();
  auto digits = [&] {
    while (cur_ < end && llvm::isDigit(*cur_))
      ++cur_;
  };
  digits();
  bool is_float = false;
  // "1." is a float, but "1..." is not (no such form is valid, but keep the dots together).
  if (cur_ < end && *cur_ == '.' && !(cur_ + 1 < end && cur_[1] == '.')) {
    is_float = true;
    ++cur_;
    digits();
  }
  if (cur_ < end && (*cur_ == 'e' || *cur_ == 'E')) {
    const char *p = cur_ + 1;
    if (p < end && (*p == '+' || *p == '-'))
      ++p;
    if (p < end && llvm::isDigit(*p)) {
      is_float = true;
      cur_ = p;
      digits();
    }
  }
  if (cur_ < end && is_ident_start(*cur_)) {
    const char *suffix = cur_;
    while (cur_ < end && is_ident_char(*cur_))
      ++cur_;
    error(suffix, cur_,
          "invalid suffix '" + llvm::StringRef(suffix, cur_ - suffix) + "' on a number");
    return make(TokenKind::Error, start); // reported: the parser says nothing more about it
  }
  return make(is_float ? TokenKind::Float : TokenKind::Integer, start);
}

Token Lexer::lex_string(const char *start) {
  const char *end = buffer_.end();
  ++cur_; // opening quote
  // A string with a reported error becomes an Error token, so nothing uses its broken text.
  bool bad = false;
  while (cur_ < end && *cur_ != '"' && *cur_ != '\n') {
    if (*cur_ == '\\') {
      const char *escape = cur_;
      ++cur_;
      if (cur_ < end && (*cur_ == '"' || *cur_ == '\\' || *cur_ == 'n' || *cur_ == 't')) {
        ++cur_;
      } else {
        error(escape, std::min(cur_ + 1, end), "unknown escape sequence in a string");
        bad = true;
      }
      continue;
    }
    if (*cur_ == '\0') {
      error(cur_, cur_ + 1, "NUL byte in a string");
      bad = true;
      ++cur_;
      continue;
    }
    unsigned n = utf8_sequence_length(cur_, end);
    if (n == 0) {
      error(cur_, cur_ + 1, "invalid UTF-8 in a string");
      bad = true;
      n = 1;
    }
    cur_ += n;
  }
  if (cur_ >= end || *cur_ != '"') {
    error(start, cur_, "unterminated string: missing '\"' before the end of the line");
    return make(TokenKind::Error, start);
  }
  ++cur_; // closing quote
  return make(bad ? TokenKind::Error : TokenKind::String, start);
}

Token Lexer::lex_bad_bytes(const char *start) {
  const char *end = buffer_.end();
  std::string message;
  unsigned char first = static_cast<unsigned char>(*start);
  unsigned n = utf8_sequence_length(start, end);
  if (first == 0)
    message = "NUL byte in source";
  else if (n == 0)
    message = "invalid UTF-8 byte 0x" + llvm::utohexstr(first, /*LowerCase=*/false);
  else if (first < 0x20 || first == 0x7F)
    message = "unexpected control character 0x" + llvm::utohexstr(first, false);
  else
    message = "unexpected character '" + std::string(start, n) + "'";
  // One message for a run of bad bytes and the word they are part of.
  cur_ = start + std::max(1u, n);
  while (cur_ < end) {
    char c = *cur_;
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '#' || c == '"' ||
        llvm::StringRef("()[]{},:=-+*/<>.|").contains(c))
      break;
    cur_ += std::max(1u, utf8_sequence_length(cur_, end));
  }
  if (cur_ > end)
    cur_ = end;
  error(start, cur_, message);
  return make(TokenKind::Error, start);
}

std::string unescape_string(llvm::StringRef text) {
  if (text.startswith("\""))
    text = text.drop_front();
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"')
      break; // the closing quote
    if (c == '\\' && i + 1 < text.size()) {
      char e = text[++i];
      out += e == 'n' ? '\n' : e == 't' ? '\t' : e;
    } else {
      out += c;
    }
  }
  return out;
}

} // namespace attn::dsl
