#include "attn/dsl/Lexer.h"

#include "llvm/Support/MemoryBuffer.h"

#include <gtest/gtest.h>

namespace attn::dsl {
namespace {

struct Lexed {
  llvm::SourceMgr source_mgr;
  std::string messages;
  llvm::raw_string_ostream stream{messages};
  DiagnosticEngine diag{source_mgr, stream};
  std::vector<Token> tokens;

  explicit Lexed(llvm::StringRef text) {
    unsigned id = source_mgr.AddNewSourceBuffer(
        llvm::MemoryBuffer::getMemBufferCopy(text, "l.attn"), llvm::SMLoc());
    tokens = Lexer(source_mgr.getMemoryBuffer(id)->getBuffer(), diag).lex_all();
    stream.flush();
  }
  std::vector<TokenKind> kinds() const {
    std::vector<TokenKind> out;
    for (const Token &t : tokens)
      out.push_back(t.kind);
    return out;
  }
};

using K = TokenKind;

TEST(Lexer, KeywordsIdentifiersAndPunctuation) {
  Lexed l("module attention param forward let return import self super and or not true false "
          "x _y z9 ( ) [ ] { } , : = -> . ... + - * / < <= > >= == != |");
  std::vector<K> expected = {
      K::KwModule,     K::KwAttention, K::KwParam,    K::KwForward,  K::KwLet,      K::KwReturn,
      K::KwImport,     K::KwSelf,      K::KwSuper,    K::KwAnd,      K::KwOr,       K::KwNot,
      K::KwTrue,       K::KwFalse,     K::Identifier, K::Identifier, K::Identifier, K::LParen,
      K::RParen,       K::LBracket,    K::RBracket,   K::LBrace,     K::RBrace,     K::Comma,
      K::Colon,        K::Equal,       K::Arrow,      K::Dot,        K::Ellipsis,   K::Plus,
      K::Minus,        K::Star,        K::Slash,      K::Less,       K::LessEqual,  K::Greater,
      K::GreaterEqual, K::EqualEqual,  K::NotEqual,   K::Bar,        K::Eof};
  EXPECT_EQ(l.kinds(), expected);
  EXPECT_EQ(l.messages, "");
}

TEST(Lexer, Numbers) {
  Lexed l("1 40 1.5 2. 1e-12 3E4 7");
  std::vector<K> expected = {K::Integer, K::Integer, K::Float,   K::Float,
                             K::Float,   K::Float,   K::Integer, K::Eof};
  EXPECT_EQ(l.kinds(), expected);
  EXPECT_EQ(l.tokens[4].text, "1e-12");
}

TEST(Lexer, StringsAndEscapes) {
  Lexed l(R"("nn" "a\"b\\c\n")");
  ASSERT_EQ(l.tokens.size(), 3u);
  EXPECT_EQ(unescape_string(l.tokens[0].text), "nn");
  EXPECT_EQ(unescape_string(l.tokens[1].text), "a\"b\\c\n");
  EXPECT_EQ(l.messages, "");
}

TEST(Lexer, CommentsAndLineStarts) {
  Lexed l("a # comment ( [\n  b #[ block\n comment ]# c\nd");
  ASSERT_EQ(l.kinds(),
            (std::vector<K>{K::Identifier, K::Identifier, K::Identifier, K::Identifier, K::Eof}));
  EXPECT_TRUE(l.tokens[0].at_line_start);
  EXPECT_TRUE(l.tokens[1].at_line_start);
  EXPECT_TRUE(l.tokens[2].at_line_start) << "a block comment spanning a newline ends the line";
  EXPECT_TRUE(l.tokens[3].at_line_start);
  EXPECT_EQ(l.tokens[2].text, "c");
}

TEST(Lexer, TokensPointIntoTheBuffer) {
  Lexed l("let  q = x");
  auto [line, col] = l.source_mgr.getLineAndColumn(l.tokens[1].loc());
  EXPECT_EQ(line, 1u);
  EXPECT_EQ(col, 6u);
  EXPECT_EQ(l.tokens[1].range().End.getPointer() - l.tokens[1].range().Start.getPointer(), 1);
}

TEST(Lexer, BadCharacterBecomesOneErrorToken) {
  Lexed l("a $$ b");
  EXPECT_EQ(l.kinds(), (std::vector<K>{K::Identifier, K::Error, K::Identifier, K::Eof}));
  EXPECT_EQ(l.messages, "l.attn:1:3: error: unexpected character '$'\na $$ b\n  ^~\n");
}

TEST(Lexer, NulByteIsAnErrorNotTheEnd) {
  std::string text("a \0 b", 5);
  Lexed l(text);
  EXPECT_EQ(l.kinds(), (std::vector<K>{K::Identifier, K::Error, K::Identifier, K::Eof}));
  EXPECT_NE(l.messages.find("l.attn:1:3: error: NUL byte in source"), std::string::npos);
}

TEST(Lexer, InvalidUtf8) {
  Lexed l("a \xff\xfe b\n# ok \xc3\xa9\n# bad \xc3\n");
  EXPECT_EQ(l.kinds(), (std::vector<K>{K::Identifier, K::Error, K::Identifier, K::Eof}));
  EXPECT_NE(l.messages.find("l.attn:1:3: error: invalid UTF-8 byte 0xFF"), std::string::npos);
  EXPECT_NE(l.messages.find("l.attn:3:7: error: invalid UTF-8 in a comment"), std::string::npos);
  EXPECT_EQ(l.messages.find("2:"), std::string::npos) << "valid UTF-8 in a comment is fine";
}

TEST(Lexer, UnterminatedString) {
  Lexed l("import \"nn\nx");
  EXPECT_EQ(l.kinds(), (std::vector<K>{K::KwImport, K::Error, K::Identifier, K::Eof}));
  EXPECT_EQ(l.messages, "l.attn:1:8: error: unterminated string: missing '\"' before the end of "
                        "the line\nimport \"nn\n       ^~~\n");
}

TEST(Lexer, UnterminatedBlockComment) {
  Lexed l("a\n#[ open\nb");
  EXPECT_EQ(l.kinds(), (std::vector<K>{K::Identifier, K::Error, K::Eof}));
  EXPECT_EQ(l.messages, "l.attn:2:1: error: unterminated block comment: '#[' has no matching "
                        "']#'\n#[ open\n^~\n");
}

TEST(Lexer, NumberWithSuffix) {
  Lexed l("12abc");
  EXPECT_EQ(l.kinds(), (std::vector<K>{K::Error, K::Eof}));
  EXPECT_NE(l.messages.find("error: invalid suffix 'abc' on a number"), std::string::npos);
}

TEST(Lexer, Utf8SequenceLength) {
  const char ascii[] = "a";
  const char two[] = "\xc3\xa9";
  const char overlong[] = "\xc0\x80";
  const char surrogate[] = "\xed\xa0\x80";
  EXPECT_EQ(utf8_sequence_length(ascii, ascii + 1), 1u);
  EXPECT_EQ(utf8_sequence_length(two, two + 2), 2u);
  EXPECT_EQ(utf8_sequence_length(two, two + 1), 0u);
  EXPECT_EQ(utf8_sequence_length(overlong, overlong + 2), 0u);
  EXPECT_EQ(utf8_sequence_length(surrogate, surrogate + 3), 0u);
}

} // namespace
} // namespace attn::dsl
