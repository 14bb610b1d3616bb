// Expressions and tensor types. Precedence, loosest first: or, and, not, comparisons (not
// chained), + -, * /, unary -, calls and self.member, primaries.
#include "ParserImpl.h"

#include "llvm/ADT/StringSwitch.h"

#include <cmath>

namespace attn::dsl {

ExprPtr Parser::error_expr(SMLoc at) { return std::make_unique<ErrorExpr>(SMRange(at, at)); }

/// Builds a binary node, refusing trees taller than kMaxNesting (a long chain a + a + ... is
/// parsed without recursion, but everything after the parser walks it recursively).
static ExprPtr make_binary(Parser &p, BinaryOp op, SMRange op_range, ExprPtr lhs, ExprPtr rhs) {
  SMRange range(lhs->range().Start, rhs->range().End);
  auto node = std::make_unique<BinaryExpr>(range, op, op_range, std::move(lhs), std::move(rhs));
  if (node->height() > kMaxNesting) {
    p.error_at(op_range, "expression is nested too deeply (more than " + llvm::Twine(kMaxNesting) +
                             " levels)");
    return p.error_expr(range.Start);
  }
  return node;
}

ExprPtr Parser::parse_expr() {
  DepthGuard guard(depth_);
  if (guard.too_deep()) {
    error_at(peek(),
             "expression is nested too deeply (more than " + llvm::Twine(kMaxNesting) + " levels)");
    return error_expr(peek().loc());
  }
  return parse_conditional();
}

ExprPtr Parser::parse_or() {
  ExprPtr lhs = parse_and();
  while (continues(TokenKind::KwOr)) {
    SMRange op = advance().range();
    lhs = make_binary(*this, BinaryOp::Or, op, std::move(lhs), parse_and());
  }
  return lhs;
}

ExprPtr Parser::parse_and() {
  ExprPtr lhs = parse_not();
  while (continues(TokenKind::KwAnd)) {
    SMRange op = advance().range();
    lhs = make_binary(*this, BinaryOp::And, op, std::move(lhs), parse_not());
  }
  return lhs;
}

ExprPtr Parser::parse_not() {
  // A prefix operator starts an operand, so it may begin a line.
  if (!check(TokenKind::KwNot))
    return parse_comparison();
  DepthGuard guard(depth_);
  SMLoc start = advance().loc();
  if (guard.too_deep()) {
    error_at(peek(),
             "expression is nested too deeply (more than " + llvm::Twine(kMaxNesting) + " levels)");
    return error_expr(start);
  }
  ExprPtr operand = parse_not();
  SMRange range(start, operand->range().End);
  return std::make_unique<UnaryExpr>(range, UnaryOp::Not, std::move(operand));
}

static std::optional<BinaryOp> comparison_op(TokenKind kind) {
  switch (kind) {
  case TokenKind::Less:
    return BinaryOp::Lt;
  case TokenKind::LessEqual:
    return BinaryOp::Le;
  case TokenKind::Greater:
    return BinaryOp::Gt;
  case TokenKind::GreaterEqual:
    return BinaryOp::Ge;
  case TokenKind::EqualEqual:
    return BinaryOp::Eq;
  case TokenKind::NotEqual:
    return BinaryOp::Ne;
  default:
    return std::nullopt;
  }
}

ExprPtr Parser::parse_comparison() {
  ExprPtr lhs = parse_additive();
  auto op = comparison_op(peek().kind);
  if (!op || !continues(peek().kind))
    return lhs;
  SMRange op_range = advance().range();
  lhs = make_binary(*this, *op, op_range, std::move(lhs), parse_additive());
  if (comparison_op(peek().kind) && continues(peek().kind)) {
    error_at(peek(), "comparisons cannot be chained; combine them with 'and'");
    return error_expr(lhs->loc());
  }
  return lhs;
}

ExprPtr Parser::parse_additive() {
  ExprPtr lhs = parse_multiplicative();
  while (continues(TokenKind::Plus) || continues(TokenKind::Minus)) {
    BinaryOp op = check(TokenKind::Plus) ? BinaryOp::Add : BinaryOp::Sub;
    SMRange op_range = advance().range();
    lhs = make_binary(*this, op, op_range, std::move(lhs), parse_multiplicative());
  }
  return lhs;
}

ExprPtr Parser::parse_multiplicative() {
  ExprPtr lhs = parse_unary();
  while (continues(TokenKind::Star) || continues(TokenKind::Slash)) {
    BinaryOp op = check(TokenKind::Star) ? BinaryOp::Mul : BinaryOp::Div;
    SMRange op_range = advance().range();
    lhs = make_binary(*this, op, op_range, std::move(lhs), parse_unary());
  }
  return lhs;
}

ExprPtr Parser::parse_unary() {
  if (!check(TokenKind::Minus))
    return parse_postfix();
  DepthGuard guard(depth_);
  SMLoc start = advance().loc();
  if (guard.too_deep()) {
    error_at(peek(),
             "expression is nested too deeply (more than " + llvm::Twine(kMaxNesting) + " levels)");
    return error_expr(start);
  }
  ExprPtr operand = parse_unary();
  SMRange range(start, operand->range().End);
  // Fold "-<number>" so negative literals stay literals (softmax(x, dim=-1)).
  if (auto *number = llvm::dyn_cast<NumberExpr>(operand.get()))
    return std::make_unique<NumberExpr>(range, number->is_int, -number->int_value,
                                        -number->float_value);
  return std::make_unique<UnaryExpr>(range, UnaryOp::Neg, std::move(operand));
}

ExprPtr Parser::parse_postfix() {
  ExprPtr expr = parse_primary();
  while (continues(TokenKind::LBracket) && !llvm::isa<ErrorExpr>(expr.get()))
    expr = parse_index(std::move(expr));
  if (continues(TokenKind::Dot)) {
    error_at(peek(), "unexpected '.': members are written self.name");
    return error_expr(expr->loc());
  }
  if (continues(TokenKind::LParen) && is_member_element(*expr))
    return parse_element_call(std::move(expr));
  if (continues(TokenKind::LParen) && !llvm::isa<ErrorExpr>(expr.get())) {
    error_at(peek(), "only built-ins and submodules can be called");
    return error_expr(expr->loc());
  }
  return expr;
}

ExprPtr Parser::parse_primary() {
  const Token &token = peek();
  SMLoc start = token.loc();
  switch (token.kind) {
  case TokenKind::Integer: {
    advance();
    uint64_t value = 0;
    if (token.text.getAsInteger(10, value) || value > uint64_t(INT64_MAX)) {
      error_at(token, "integer literal is too large");
      return error_expr(start);
    }
    return std::make_unique<NumberExpr>(token.range(), true, int64_t(value), double(value));
  }
  case TokenKind::Float: {
    advance();
    double value = 0;
    if (token.text.getAsDouble(value)) {
      error_at(token, "invalid number '" + token.text + "'");
      return error_expr(start);
    }
    if (!std::isfinite(value)) {
      error_at(token, "float literal is too large");
      return error_expr(start);
    }
    return std::make_unique<NumberExpr>(token.range(), false, 0, value);
  }
  case TokenKind::String:
    advance();
    return std::make_unique<StringExpr>(token.range(), unescape_string(token.text));
  case TokenKind::KwTrue:
  case TokenKind::KwFalse:
    advance();
    return std::make_unique<BoolExpr>(token.range(), token.is(TokenKind::KwTrue));
  case TokenKind::KwSuper:
    advance();
    return std::make_unique<SuperExpr>(token.range());
  case TokenKind::KwScan:
    advance();
    error_at(token, "a scan is the whole value of a 'let': let h, ys = scan (x in xs, h = h0) "
                    "{ ... }");
    return error_expr(start);
  case TokenKind::KwSelf:
    advance();
    return parse_self_member(start);
  case TokenKind::Identifier: {
    advance();
    Ident name{token.text.str(), token.range()};
    if (continues(TokenKind::LParen) || (name.name == "attend" && continues(TokenKind::Less)))
      return parse_call(name, /*self_call=*/false, start);
    return std::make_unique<NameExpr>(token.range(), name.name);
  }
  case TokenKind::LParen: {
    NestGuard nest(nest_);
    advance();
    ExprPtr inner = parse_expr();
    if (!expect(TokenKind::RParen, "')'"))
      return error_expr(start);
    return inner;
  }
  case TokenKind::LBracket:
    return parse_list();
  default:
    error_at(token, "expected an expression, got " + describe(token));
    return error_expr(start);
  }
}

ExprPtr Parser::parse_list() {
  NestGuard nest(nest_);
  SMLoc start = advance().loc(); // '['
  std::vector<ExprPtr> elements;
  int height = 1;
  while (!check(TokenKind::RBracket)) {
    elements.push_back(parse_expr());
    height = std::max(height, elements.back()->height() + 1);
    if (panic_)
      return error_expr(start);
    if (!accept(TokenKind::Comma))
      break;
  }
  if (!expect(TokenKind::RBracket, "',' or ']' in the list"))
    return error_expr(start);
  return std::make_unique<ListExpr>(range_from(start), std::move(elements), height);
}

ExprPtr Parser::parse_call(Ident callee, bool self_call, SMLoc start, int min_height) {
  std::optional<Ident> variant;
  std::vector<ExprPtr> variant_args;
  if (callee.name == "attend" && !self_call) {
    if (!expect(TokenKind::Less, "'<' and an attention variant (attend<scaled_dot>(q, k, v))"))
      return error_expr(start);
    Ident name;
    if (!expect_ident(name, "an attention variant name after 'attend<'"))
      return error_expr(start);
    if (accept(TokenKind::LParen)) {
      NestGuard nest(nest_);
      while (!check(TokenKind::RParen)) {
        variant_args.push_back(parse_expr());
        if (panic_)
          return error_expr(start);
        if (!accept(TokenKind::Comma))
          break;
      }
      if (!expect(TokenKind::RParen, "',' or ')'"))
        return error_expr(start);
    }
    if (!expect(TokenKind::Greater, "'>' after the attention variant"))
      return error_expr(start);
    variant = name;
    if (!check(TokenKind::LParen)) {
      error_at(peek(), "expected '(' and the query, key and value after attend<" + name.name +
                           ">, got " + describe(peek()));
      return error_expr(start);
    }
  }
  NestGuard nest(nest_);
  advance(); // '('
  std::vector<ExprPtr> args;
  std::vector<KeywordArg> kwargs;
  int height = min_height;
  while (!check(TokenKind::RParen)) {
    if (check(TokenKind::Identifier) && peek(1).is(TokenKind::Equal)) {
      const Token &name = advance();
      advance(); // '='
      KeywordArg kwarg{Ident{name.text.str(), name.range()}, parse_expr()};
      height = std::max(height, kwarg.value->height() + 1);
      kwargs.push_back(std::move(kwarg));
    } else {
      if (!kwargs.empty()) {
        error_at(peek(), "positional argument after a keyword argument");
        return error_expr(start);
      }
      args.push_back(parse_expr());
      height = std::max(height, args.back()->height() + 1);
    }
    if (panic_)
      return error_expr(start);
    if (!accept(TokenKind::Comma))
      break;
  }
  if (!expect(TokenKind::RParen, "',' or ')' in the arguments of '" + callee.name + "'"))
    return error_expr(start);
  auto call = std::make_unique<CallExpr>(range_from(start), callee, self_call, height);
  call->variant = variant;
  call->variant_args = std::move(variant_args);
  call->args = std::move(args);
  call->kwargs = std::move(kwargs);
  return call;
}

std::optional<TensorType> Parser::parse_tensor_type(bool several) {
  SMLoc start = peek().loc();
  Ident dtype;
  TensorType type;
  bool first = true;
  // One element type, or several for a module's input (`f32 | bool[L, S]`).
  do {
    if (!expect_ident(dtype, "a tensor type (f32[B, S, 64])"))
      return std::nullopt;
    auto parsed = llvm::StringSwitch<std::optional<DType>>(dtype.name)
                      .Case("f32", DType::F32)
                      .Case("f16", DType::F16)
                      .Case("bf16", DType::BF16)
                      .Case("i64", DType::I64)
                      .Case("i32", DType::I32)
                      .Case("bool", DType::Bool)
                      .Default(std::nullopt);
    if (!parsed) {
      error_at(dtype.range, "unknown element type '" + dtype.name +
                                "': expected f32, f16, bf16, i64, i32 or bool");
      suggest(diag_, dtype.name, {"f32", "f16", "bf16", "i64", "i32", "bool"});
      return std::nullopt;
    }
    if (!first && llvm::is_contained(type.dtypes(), *parsed)) {
      error_at(dtype.range, "element type '" + dtype.name + "' is listed twice");
      return std::nullopt;
    }
    if (first)
      type.dtype = *parsed;
    else
      type.alternatives.push_back(*parsed);
    first = false;
    if (check(TokenKind::Bar) && !several) {
      error_at(peek(), "only a forward's input may take several element types");
      return std::nullopt;
    }
  } while (accept(TokenKind::Bar));
  if (!expect(TokenKind::LBracket, "'[' and the dimensions after '" + dtype.name + "'"))
    return std::nullopt;
  NestGuard nest(nest_);
  while (!check(TokenKind::RBracket)) {
    if (check(TokenKind::Ellipsis)) {
      if (!type.dims.empty() || type.leading_ellipsis) {
        error_at(peek(), "'...' may only be the first dimension");
        return std::nullopt;
      }
      advance();
      type.leading_ellipsis = true;
    } else {
      type.dims.push_back(parse_expr());
      if (panic_)
        return std::nullopt;
    }
    if (!accept(TokenKind::Comma))
      break;
  }
  if (!expect(TokenKind::RBracket, "',' or ']' in the dimensions"))
    return std::nullopt;
  type.range = range_from(start);
  return type;
}

} // namespace attn::dsl
