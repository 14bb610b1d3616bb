// The parser's state and rules, shared by Parser.cpp (declarations and statements) and
// ParseExpr.cpp (expressions and types). Private to the front end.
#pragma once

#include "attn/dsl/Lexer.h"
#include "attn/dsl/Parser.h"

#include <initializer_list>

namespace attn::dsl {

/// How a token is named in messages: identifier 'x', number 4, ')'.
inline std::string describe(const Token &token) {
  switch (token.kind) {
  case TokenKind::Identifier:
    return ("identifier '" + token.text + "'").str();
  case TokenKind::Integer:
  case TokenKind::Float:
    return ("number " + token.text).str();
  case TokenKind::String:
    return "a string";
  default:
    return token_kind_name(token.kind);
  }
}

class Parser {
public:
  Parser(llvm::StringRef buffer, SourceFile &file, DiagnosticEngine &diag);
  void parse();

  // Declarations and statements (Parser.cpp).
  void parse_import();
  void parse_module();
  void parse_attention();
  void parse_param(ModuleDecl &module, std::vector<MemberNode> &into);
  void parse_forward(ModuleDecl &module);
  void parse_region(AttentionDecl &attention);
  void parse_attention_param(AttentionDecl &attention);
  void parse_normalize(AttentionDecl &attention);
  void parse_attention_let(AttentionDecl &attention);
  void finish_attention_module(AttentionDecl &attention, size_t hyperparameters_at);
  bool parse_statement(std::vector<Stmt> &body);
  bool parse_hyperparameters(std::vector<Hyperparameter> &out);

  // Compile-time structure (ParseStructure.cpp): member `if`/`for` blocks, module lists and
  // Sequential, interpolated names, `if`/`for` statements and conditional expressions.
  void parse_member_item(ModuleDecl &module, std::vector<MemberNode> &into);
  void parse_member_if(ModuleDecl &module, std::vector<MemberNode> &into);
  void parse_member_for(ModuleDecl &module, std::vector<MemberNode> &into);
  /// `assert condition[, "message"]` (`assert` is a keyword only at the start of a member).
  void parse_member_assert(std::vector<MemberNode> &into);
  bool at_member_assert() const;
  bool parse_member_block(ModuleDecl &module, std::vector<MemberNode> &into,
                          const llvm::Twine &what);
  bool parse_range_loop(RangeLoop &loop);
  /// After an identifier: `{expr}` pieces written right after it (`weight_l{k}_reverse`).
  bool parse_name_parts(Ident &name, std::vector<NamePart> &parts, int &height);
  bool at_container() const;
  std::unique_ptr<ContainerDecl> parse_container();
  bool parse_element(ElementDecl &element, const char *where);
  bool parse_if_statement(std::vector<Stmt> &body);
  bool parse_for_statement(std::vector<Stmt> &body);
  /// `{ statements }`; false when the braces do not match (then nothing more can be trusted),
  /// `clean` false when a statement inside failed.
  bool parse_statement_block(std::vector<Stmt> &body, const llvm::Twine &what, bool &clean);
  ExprPtr parse_conditional();
  /// `self.name` or `self.name(args)`, the name possibly interpolated; after `self`.
  ExprPtr parse_self_member(SMLoc start);
  /// `self.layers[i](args)`: the next token is the '('.
  ExprPtr parse_element_call(ExprPtr target);
  static bool is_member_element(const Expr &expr);

  // Expressions and types (ParseExpr.cpp).
  ExprPtr parse_expr();
  ExprPtr parse_or();
  ExprPtr parse_and();
  ExprPtr parse_not();
  ExprPtr parse_comparison();
  ExprPtr parse_additive();
  ExprPtr parse_multiplicative();
  ExprPtr parse_unary();
  ExprPtr parse_postfix();
  ExprPtr parse_primary();
  ExprPtr parse_call(Ident callee, bool self_call, SMLoc start, int min_height = 1);
  ExprPtr parse_list();
  /// `scan (items) { statements }` (ParseScan.cpp); the next token is 'scan'.
  ExprPtr parse_scan();
  /// `base[entries]` (ParseIndex.cpp); the next token is the '['.
  ExprPtr parse_index(ExprPtr base);
  /// `f32[B, S, 64]`; `several`: also `f32 | bool[L, S]` (a forward's input).
  std::optional<TensorType> parse_tensor_type(bool several = false);
  bool parse_idents_in_parens(std::vector<Ident> &out);

  // Token helpers.
  const Token &peek(unsigned ahead = 0) const;
  const Token &advance();
  bool check(TokenKind kind) const { return peek().is(kind); }
  bool accept(TokenKind kind);
  /// Consumes a `kind` token or reports "expected <what>".
  bool expect(TokenKind kind, const llvm::Twine &what);
  bool expect_ident(Ident &out, const llvm::Twine &what);
  /// A member's name after `param` or `self.`: an identifier, or a keyword (`self.attention`).
  bool expect_member_name(Ident &out, const llvm::Twine &what);
  /// Whether the next token continues the current expression: a newline outside brackets
  /// ends it.
  bool continues(TokenKind kind) const;
  /// The next token must start a new line (or close the block).
  bool expect_line_end(const llvm::Twine &what);

  // Errors and recovery. Each returns whether the error was reported: not while recovering
  // from an earlier one, nor at a token the lexer reported (or the end of the file, when the
  // lexer's last token was an error that ran to it), so notes follow only reported errors.
  bool error_at(const Token &token, const llvm::Twine &message);
  bool error_at(SMRange range, const llvm::Twine &message);
  /// Skips to the next token at bracket depth 0 that starts a line with one of `stops`, or to a
  /// `}` closing the enclosing block, or to a top-level keyword.
  void synchronize(std::initializer_list<TokenKind> stops);
  bool at_top_level_keyword() const;
  SMRange range_from(SMLoc start) const;
  ExprPtr error_expr(SMLoc at);

  SourceFile &file_;
  DiagnosticEngine &diag_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  bool panic_ = false;
  int nest_ = 0;   // open brackets in the current expression
  int depth_ = 0;  // recursion depth of expression rules
  int blocks_ = 0; // open `if`/`for` blocks and nested containers
  const Token *previous_ = nullptr;
};

/// Bounds the recursion of expression rules.
class DepthGuard {
public:
  explicit DepthGuard(int &depth) : depth_(depth) { ++depth_; }
  ~DepthGuard() { --depth_; }
  bool too_deep() const { return depth_ > kMaxNesting; }

private:
  int &depth_;
};

/// Counts an open bracket for the duration of a rule.
class NestGuard {
public:
  explicit NestGuard(int &nest) : nest_(nest) { ++nest_; }
  ~NestGuard() { --nest_; }

private:
  int &nest_;
};

} // namespace attn::dsl
