// The compile-time structure of modules and forwards: member `if`/`for` blocks and parameter
// families, module lists and Sequential, interpolated names (`weight_l{k}`), `if`/`for`
// statements, element calls (`self.layers[i](x)`) and conditional expressions (`a if c else b`).
// All of it is resolved when a model is built; here it is only parsed.
#include "ParserImpl.h"

namespace attn::dsl {

/// Skips to the next member after an error.
static void skip_to_member(Parser &p) {
  p.synchronize({TokenKind::KwParam, TokenKind::KwForward, TokenKind::KwIf, TokenKind::KwFor});
}

//===----------------------------------------------------------------------===//
// Members
//===----------------------------------------------------------------------===//

void Parser::parse_member_item(ModuleDecl &module, std::vector<MemberNode> &into) {
  if (check(TokenKind::KwParam))
    return parse_param(module, into);
  if (check(TokenKind::KwIf))
    return parse_member_if(module, into);
  if (check(TokenKind::KwFor))
    return parse_member_for(module, into);
  if (at_member_assert())
    return parse_member_assert(into);
  if (check(TokenKind::KwForward))
    error_at(peek(), "a forward cannot be inside an 'if' or 'for' block; declare it in the "
                     "module and branch inside it");
  else
    error_at(peek(),
             "expected 'param', 'if', 'for' or 'assert' in the block, got " + describe(peek()));
  advance();
  skip_to_member(*this);
}

bool Parser::parse_member_block(ModuleDecl &module, std::vector<MemberNode> &into,
                                const llvm::Twine &what) {
  std::string name = what.str();
  if (!expect(TokenKind::LBrace, "'{' to open the " + name))
    return false;
  SMRange open = previous_->range();
  DepthGuard guard(blocks_);
  if (guard.too_deep()) {
    error_at(open,
             "blocks are nested too deeply (more than " + llvm::Twine(kMaxNesting) + " levels)");
    synchronize({}); // to the '}' that closes this block
    accept(TokenKind::RBrace);
    return false;
  }
  while (!check(TokenKind::RBrace) && !check(TokenKind::Eof) && !at_top_level_keyword()) {
    panic_ = false;
    parse_member_item(module, into);
  }
  panic_ = false;
  if (accept(TokenKind::RBrace))
    return true;
  if (error_at(peek(), "expected '}' to close the " + name))
    diag_.note(open, "the " + name + " opened here");
  return false;
}

bool Parser::at_member_assert() const {
  return check(TokenKind::Identifier) && peek().text == "assert";
}

void Parser::parse_member_assert(std::vector<MemberNode> &into) {
  MemberNode node;
  node.kind = MemberNode::Kind::Assert;
  node.range = advance().range(); // 'assert'
  node.condition = parse_expr();
  if (accept(TokenKind::Comma)) {
    if (!check(TokenKind::String)) {
      error_at(peek(),
               "expected a message string after ',' (assert d > 0, \"d must be positive\"), "
               "got " +
                   describe(peek()));
      skip_to_member(*this);
      return;
    }
    node.message = unescape_string(advance().text);
  }
  if (!expect_line_end("the assert")) {
    skip_to_member(*this);
    return;
  }
  into.push_back(std::move(node));
}

void Parser::parse_member_if(ModuleDecl &module, std::vector<MemberNode> &into) {
  MemberNode node;
  node.kind = MemberNode::Kind::If;
  node.range = peek().range();
  // Pushed even when a block fails, so that every parameter parsed so far stays in the tree.
  auto finish = [&] { into.push_back(std::move(node)); };
  SMLoc keyword = peek().loc();
  while (true) {
    MemberBranch branch;
    bool has_condition = accept(TokenKind::KwIf);
    branch.range = range_from(keyword);
    if (has_condition) {
      branch.condition = parse_expr();
      if (panic_) {
        skip_to_member(*this);
        return finish();
      }
    }
    bool ok =
        parse_member_block(module, branch.body, has_condition ? "'if' block" : "'else' block");
    node.branches.push_back(std::move(branch));
    if (!ok || !has_condition || !check(TokenKind::KwElse))
      break;
    keyword = advance().loc(); // 'else'
    if (!check(TokenKind::KwIf)) {
      MemberBranch otherwise;
      otherwise.range = range_from(keyword);
      parse_member_block(module, otherwise.body, "'else' block");
      node.branches.push_back(std::move(otherwise));
      break;
    }
  }
  if (!panic_)
    expect_line_end("the block");
  finish();
}

void Parser::parse_member_for(ModuleDecl &module, std::vector<MemberNode> &into) {
  MemberNode node;
  node.kind = MemberNode::Kind::For;
  node.loop.emplace();
  if (!parse_range_loop(*node.loop)) {
    skip_to_member(*this);
    return;
  }
  node.range = node.loop->range;
  if (parse_member_block(module, node.body, "'for' block"))
    expect_line_end("the block");
  into.push_back(std::move(node));
}

bool Parser::parse_range_loop(RangeLoop &loop) {
  SMLoc start = advance().loc(); // 'for'
  if (!expect_ident(loop.var, "a loop variable after 'for'"))
    return false;
  if (!expect(TokenKind::KwIn, "'in' after the loop variable (for i in range(n))"))
    return false;
  if (!check(TokenKind::Identifier) || peek().text != "range") {
    error_at(peek(), "expected range(n) or range(a, b) after 'in', got " + describe(peek()));
    return false;
  }
  advance();
  if (!expect(TokenKind::LParen, "'(' after 'range'"))
    return false;
  NestGuard nest(nest_);
  ExprPtr first = parse_expr();
  if (panic_)
    return false;
  if (accept(TokenKind::Comma) && !check(TokenKind::RParen)) {
    loop.start = std::move(first);
    loop.end = parse_expr();
    if (panic_)
      return false;
    accept(TokenKind::Comma);
  } else {
    loop.end = std::move(first);
  }
  if (!expect(TokenKind::RParen, "')' after the bounds: range takes one or two (range(n), "
                                 "range(a, b))"))
    return false;
  loop.range = range_from(start);
  return true;
}

//===----------------------------------------------------------------------===//
// Interpolated names, module lists and Sequential
//===----------------------------------------------------------------------===//

bool Parser::parse_name_parts(Ident &name, std::vector<NamePart> &parts, int &height) {
  const char *start = name.range.Start.getPointer();
  const char *end = name.range.End.getPointer();
  // Only a '{' written right after the name (no space) interpolates: `if bias {` stays a block.
  while (check(TokenKind::LBrace) && peek().text.begin() == end) {
    if (parts.empty())
      parts.push_back(NamePart{name.name, nullptr});
    NestGuard nest(nest_);
    advance(); // '{'
    ExprPtr value = parse_expr();
    if (panic_)
      return false;
    height = std::max(height, value->height() + 1);
    if (!expect(TokenKind::RBrace, "'}' to close the interpolation in '" +
                                       llvm::StringRef(start, end - start) + "{...}'"))
      return false;
    parts.push_back(NamePart{"", std::move(value)});
    end = previous_->text.end();
    if ((check(TokenKind::Identifier) || check(TokenKind::Integer)) && peek().text.begin() == end) {
      parts.push_back(NamePart{peek().text.str(), nullptr});
      end = advance().text.end();
    }
  }
  if (!parts.empty()) {
    name.name = std::string(start, end - start);
    name.range = SMRange(name.range.Start, SMLoc::getFromPointer(end));
  }
  return true;
}

bool Parser::at_container() const {
  return check(TokenKind::LBracket) ||
         (check(TokenKind::Identifier) && peek().text == "Sequential" &&
          peek(1).is(TokenKind::LParen));
}

std::unique_ptr<ContainerDecl> Parser::parse_container() {
  DepthGuard guard(blocks_);
  if (guard.too_deep()) {
    error_at(peek(),
             "modules are nested too deeply (more than " + llvm::Twine(kMaxNesting) + " levels)");
    return nullptr;
  }
  auto container = std::make_unique<ContainerDecl>();
  SMLoc start = peek().loc();
  bool list = check(TokenKind::LBracket);
  container->kind = list ? ContainerDecl::Kind::List : ContainerDecl::Kind::Sequential;
  if (!list)
    advance(); // 'Sequential'
  advance();   // '[' or '('
  TokenKind close = list ? TokenKind::RBracket : TokenKind::RParen;
  const char *where = list ? "in a module list" : "as an element of Sequential";
  NestGuard nest(nest_);
  while (!check(close)) {
    ElementDecl element;
    if (!parse_element(element, where))
      return nullptr;
    container->elements.push_back(std::move(element));
    if (check(TokenKind::KwFor)) {
      if (container->elements.size() != 1) {
        error_at(peek(), "a comprehension has a single element: [Block(d) for i in range(n)]");
        return nullptr;
      }
      container->loop.emplace();
      if (!parse_range_loop(*container->loop))
        return nullptr;
      break;
    }
    if (!accept(TokenKind::Comma))
      break;
  }
  if (!expect(close, list ? "',' or ']' in the module list" : "',' or ')' in Sequential"))
    return nullptr;
  container->range = range_from(start);
  return container;
}

bool Parser::parse_element(ElementDecl &element, const char *where) {
  if (at_container()) {
    element.container = parse_container();
    return element.container != nullptr;
  }
  if (!check(TokenKind::Identifier) || !peek(1).is(TokenKind::LParen)) {
    error_at(peek(), llvm::Twine("expected a module instance such as Linear(4, 8) ") + where +
                         ", got " + describe(peek()));
    return false;
  }
  const Token &name = advance();
  Ident callee{name.text.str(), name.range()};
  ExprPtr call = parse_call(callee, /*self_call=*/false, callee.range.Start);
  if (panic_ || !llvm::isa<CallExpr>(call.get()))
    return false;
  element.instance.reset(static_cast<CallExpr *>(call.release()));
  return true;
}

//===----------------------------------------------------------------------===//
// Statements
//===----------------------------------------------------------------------===//

bool Parser::parse_statement_block(std::vector<Stmt> &body, const llvm::Twine &what, bool &clean) {
  std::string name = what.str();
  if (!expect(TokenKind::LBrace, "'{' to open the " + name))
    return false;
  SMRange open = previous_->range();
  DepthGuard guard(blocks_);
  if (guard.too_deep()) {
    error_at(open,
             "blocks are nested too deeply (more than " + llvm::Twine(kMaxNesting) + " levels)");
    synchronize({}); // to the '}' that closes this block
    accept(TokenKind::RBrace);
    return false;
  }
  auto at_member = [&] {
    return peek().at_line_start && (check(TokenKind::KwParam) || check(TokenKind::KwForward));
  };
  while (!check(TokenKind::RBrace) && !check(TokenKind::Eof) && !at_top_level_keyword() &&
         !at_member()) {
    panic_ = false;
    if (!parse_statement(body)) {
      clean = false;
      synchronize({TokenKind::KwLet, TokenKind::KwReturn, TokenKind::KwIf, TokenKind::KwFor,
                   TokenKind::KwParam, TokenKind::KwForward});
    }
  }
  panic_ = false;
  if (accept(TokenKind::RBrace))
    return true;
  if (error_at(peek(), "expected '}' to close the " + name))
    diag_.note(open, "the " + name + " opened here");
  return false;
}

bool Parser::parse_if_statement(std::vector<Stmt> &body) {
  Stmt stmt;
  stmt.kind = Stmt::Kind::If;
  SMLoc start = peek().loc();
  SMLoc keyword = start;
  bool clean = true;
  while (true) {
    StmtBranch branch;
    bool has_condition = accept(TokenKind::KwIf);
    branch.range = range_from(keyword);
    if (has_condition) {
      branch.condition = parse_expr();
      if (panic_)
        return false;
    }
    if (!parse_statement_block(branch.body, has_condition ? "'if' block" : "'else' block", clean))
      return false;
    stmt.branches.push_back(std::move(branch));
    if (!has_condition || !check(TokenKind::KwElse))
      break;
    keyword = advance().loc(); // 'else'
    if (!check(TokenKind::KwIf)) {
      StmtBranch otherwise;
      otherwise.range = range_from(keyword);
      if (!parse_statement_block(otherwise.body, "'else' block", clean))
        return false;
      stmt.branches.push_back(std::move(otherwise));
      break;
    }
  }
  stmt.range = range_from(start);
  body.push_back(std::move(stmt));
  return expect_line_end("the block") && clean;
}

bool Parser::parse_for_statement(std::vector<Stmt> &body) {
  Stmt stmt;
  stmt.kind = Stmt::Kind::For;
  SMLoc start = peek().loc();
  stmt.loop.emplace();
  if (!parse_range_loop(*stmt.loop))
    return false;
  bool clean = true;
  if (!parse_statement_block(stmt.body, "'for' block", clean))
    return false;
  stmt.range = range_from(start);
  body.push_back(std::move(stmt));
  return expect_line_end("the block") && clean;
}

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

ExprPtr Parser::parse_conditional() {
  ExprPtr value = parse_or();
  if (!continues(TokenKind::KwIf) || llvm::isa<ErrorExpr>(value.get()))
    return value;
  DepthGuard guard(depth_);
  SMRange if_range = advance().range();
  if (guard.too_deep()) {
    error_at(peek(),
             "expression is nested too deeply (more than " + llvm::Twine(kMaxNesting) + " levels)");
    return error_expr(value->loc());
  }
  ExprPtr condition = parse_or();
  if (panic_)
    return error_expr(value->loc());
  if (!continues(TokenKind::KwElse)) {
    error_at(peek(), "expected 'else' and a value after the condition (a if cond else b), got " +
                         describe(peek()));
    return error_expr(value->loc());
  }
  advance(); // 'else'
  ExprPtr otherwise = parse_conditional();
  if (panic_)
    return error_expr(value->loc());
  SMRange range(value->range().Start, otherwise->range().End);
  auto node = std::make_unique<ConditionalExpr>(range, if_range, std::move(value),
                                                std::move(condition), std::move(otherwise));
  if (node->height() > kMaxNesting) {
    error_at(if_range,
             "expression is nested too deeply (more than " + llvm::Twine(kMaxNesting) + " levels)");
    return error_expr(range.Start);
  }
  return node;
}

ExprPtr Parser::parse_self_member(SMLoc start) {
  if (!expect(TokenKind::Dot, "'.' and a member name after 'self'"))
    return error_expr(start);
  Ident member;
  std::vector<NamePart> parts;
  int height = 1;
  if (!expect_member_name(member, "a member name after 'self.'") ||
      !parse_name_parts(member, parts, height))
    return error_expr(start);
  if (continues(TokenKind::LParen)) {
    ExprPtr call = parse_call(member, /*self_call=*/true, start, height);
    if (auto *c = llvm::dyn_cast<CallExpr>(call.get()))
      c->callee_parts = std::move(parts);
    return call;
  }
  auto node = std::make_unique<SelfMemberExpr>(range_from(start), member, height);
  node->parts = std::move(parts);
  return node;
}

bool Parser::is_member_element(const Expr &expr) {
  const Expr *e = &expr;
  while (auto *index = llvm::dyn_cast<IndexExpr>(e))
    e = index->base.get();
  return e != &expr && llvm::isa<SelfMemberExpr>(e);
}

ExprPtr Parser::parse_element_call(ExprPtr target) {
  // target is self.name[i]...[j]: unwrap the indices, innermost first.
  SMLoc start = target->loc();
  std::vector<IndexExpr *> chain;
  Expr *e = target.get();
  while (auto *index = llvm::dyn_cast<IndexExpr>(e)) {
    chain.insert(chain.begin(), index);
    e = index->base.get();
  }
  auto &member = llvm::cast<SelfMemberExpr>(*e);
  for (IndexExpr *index : chain)
    if (index->entries.size() != 1 || index->entries[0].kind != IndexEntry::Kind::Index) {
      error_at(index->range(), "an element of a module list is chosen by one index: "
                               "self.layers[0](x)");
      return error_expr(start);
    }
  ExprPtr call = parse_call(member.member, /*self_call=*/true, start, target->height() + 1);
  auto *c = llvm::dyn_cast<CallExpr>(call.get());
  if (!c)
    return call;
  c->callee_parts = std::move(member.parts);
  for (IndexExpr *index : chain)
    c->element_indices.push_back(std::move(index->entries[0].start));
  return call;
}

} // namespace attn::dsl
