// Declarations and statements; expressions and types are in ParseExpr.cpp.
#include "ParserImpl.h"

#include "llvm/ADT/StringSwitch.h"

namespace attn::dsl {

Parser::Parser(llvm::StringRef buffer, SourceFile &file, DiagnosticEngine &diag)
    : file_(file), diag_(diag) {
  tokens_ = Lexer(buffer, diag).lex_all();
}

void parse_file(llvm::StringRef buffer, SourceFile &file, DiagnosticEngine &diag) {
  Parser(buffer, file, diag).parse();
}

//===----------------------------------------------------------------------===//
// Token helpers, errors and recovery
//===----------------------------------------------------------------------===//

const Token &Parser::peek(unsigned ahead) const {
  size_t i = std::min(pos_ + ahead, tokens_.size() - 1);
  return tokens_[i];
}

const Token &Parser::advance() {
  const Token &token = tokens_[pos_];
  if (pos_ + 1 < tokens_.size())
    ++pos_;
  previous_ = &token;
  return token;
}

bool Parser::accept(TokenKind kind) {
  if (!check(kind))
    return false;
  advance();
  return true;
}

bool Parser::expect(TokenKind kind, const llvm::Twine &what) {
  if (accept(kind))
    return true;
  error_at(peek(), "expected " + what + ", got " + describe(peek()));
  return false;
}

bool Parser::expect_member_name(Ident &out, const llvm::Twine &what) {
  // PyTorch names members freely (`self.attention`), so a keyword is a name here: nothing else
  // may follow `param` or `self.`.
  if (peek().is_keyword()) {
    const Token &token = advance();
    out.name = token.text.str();
    out.range = token.range();
    return true;
  }
  return expect_ident(out, what);
}

bool Parser::expect_ident(Ident &out, const llvm::Twine &what) {
  if (!check(TokenKind::Identifier)) {
    error_at(peek(), "expected " + what + ", got " + describe(peek()));
    return false;
  }
  const Token &token = advance();
  out.name = token.text.str();
  out.range = token.range();
  return true;
}

bool Parser::continues(TokenKind kind) const {
  return check(kind) && (nest_ > 0 || !peek().at_line_start);
}

bool Parser::expect_line_end(const llvm::Twine &what) {
  const Token &token = peek();
  if (token.at_line_start || token.is(TokenKind::RBrace) || token.is(TokenKind::Eof))
    return true;
  if (error_at(token, "expected the end of the line after " + what + ", got " + describe(token)) &&
      token.is(TokenKind::Bar))
    diag_.note("'|' separates element types (f32 | bool[L, S]); the elementwise or is 'or'");
  return false;
}

bool Parser::error_at(const Token &token, const llvm::Twine &message) {
  if (panic_)
    return false;
  panic_ = true;
  if (token.is(TokenKind::Error))
    return false; // the lexer reported it
  if (token.is(TokenKind::Eof) && tokens_.size() >= 2 &&
      tokens_[tokens_.size() - 2].is(TokenKind::Error))
    return false; // what is left open was swallowed by an unterminated comment or a bad byte
  diag_.error(token.range(), message);
  return true;
}

bool Parser::error_at(SMRange range, const llvm::Twine &message) {
  if (panic_)
    return false;
  panic_ = true;
  diag_.error(range, message);
  return true;
}

bool Parser::at_top_level_keyword() const {
  const Token &token = peek();
  return token.at_line_start && (token.is(TokenKind::KwModule) ||
                                 token.is(TokenKind::KwAttention) || token.is(TokenKind::KwImport));
}

void Parser::synchronize(std::initializer_list<TokenKind> stops) {
  int depth = 0;
  while (!check(TokenKind::Eof)) {
    const Token &token = peek();
    if (depth == 0) {
      if (at_top_level_keyword())
        return;
      if (token.is(TokenKind::RBrace))
        return; // closes the enclosing block
      if (token.at_line_start)
        for (TokenKind stop : stops)
          if (token.is(stop))
            return;
    }
    if (token.is(TokenKind::LBrace) || token.is(TokenKind::LParen) || token.is(TokenKind::LBracket))
      ++depth;
    else if ((token.is(TokenKind::RBrace) || token.is(TokenKind::RParen) ||
              token.is(TokenKind::RBracket)) &&
             depth > 0)
      --depth;
    advance();
  }
}

SMRange Parser::range_from(SMLoc start) const {
  SMLoc end = previous_ ? SMLoc::getFromPointer(previous_->text.end()) : start;
  if (end.getPointer() < start.getPointer())
    end = start;
  return SMRange(start, end);
}

//===----------------------------------------------------------------------===//
// Declarations
//===----------------------------------------------------------------------===//

void Parser::parse() {
  while (!check(TokenKind::Eof)) {
    panic_ = false;
    switch (peek().kind) {
    case TokenKind::KwImport:
      parse_import();
      break;
    case TokenKind::KwModule:
      parse_module();
      break;
    case TokenKind::KwAttention:
      parse_attention();
      break;
    default:
      error_at(peek(), "expected 'module', 'attention' or 'import', got " + describe(peek()));
      advance();
      synchronize({});
      if (check(TokenKind::RBrace))
        advance(); // a stray '}' at the top level
      break;
    }
  }
}

void Parser::parse_import() {
  advance(); // 'import'
  if (!check(TokenKind::String)) {
    error_at(peek(), "expected a string after 'import' (import \"nn\"), got " + describe(peek()));
    synchronize({});
    return;
  }
  const Token &path = advance();
  file_.imports.push_back(ImportDecl{unescape_string(path.text), path.range()});
  if (!expect_line_end("the import"))
    synchronize({});
}

bool Parser::parse_hyperparameters(std::vector<Hyperparameter> &out) {
  NestGuard nest(nest_);
  advance(); // '('
  while (!check(TokenKind::RParen)) {
    Hyperparameter h;
    if (!expect_ident(h.name, "a hyperparameter name"))
      return false;
    if (!check(TokenKind::Colon)) {
      error_at(peek(), "expected ':' and a type after hyperparameter '" + h.name.name + "' (" +
                           h.name.name + ": int), got " + describe(peek()));
      return false;
    }
    advance();
    Ident type;
    if (!expect_ident(type, "a hyperparameter type (int, float, bool or string)"))
      return false;
    auto scalar = llvm::StringSwitch<std::optional<ScalarType>>(type.name)
                      .Case("int", ScalarType::Int)
                      .Case("float", ScalarType::Float)
                      .Case("bool", ScalarType::Bool)
                      .Case("string", ScalarType::String)
                      .Default(std::nullopt);
    if (!scalar) {
      error_at(type.range, "unknown hyperparameter type '" + type.name +
                               "': expected int, float, bool or string");
      suggest(diag_, type.name, {"int", "float", "bool", "string"});
      return false;
    }
    h.type = *scalar;
    h.type_range = type.range;
    if (accept(TokenKind::Equal)) {
      h.default_value = parse_expr();
      if (panic_)
        return false;
    }
    out.push_back(std::move(h));
    if (!accept(TokenKind::Comma))
      break;
  }
  return expect(TokenKind::RParen, "',' or ')' in the hyperparameter list");
}

void Parser::parse_module() {
  advance(); // 'module'
  auto module = std::make_unique<ModuleDecl>();
  module->file = &file_;
  if (!expect_ident(module->name, "a module name after 'module'") ||
      (check(TokenKind::LParen) && !parse_hyperparameters(module->hyperparameters)) ||
      !expect(TokenKind::LBrace, "'{' to open the body of module '" + module->name.name + "'")) {
    synchronize({});
    if (check(TokenKind::RBrace))
      advance();
    return;
  }
  SMRange open = previous_->range();
  std::string name = module->name.name;
  while (!check(TokenKind::RBrace) && !check(TokenKind::Eof) && !at_top_level_keyword()) {
    panic_ = false;
    if (check(TokenKind::KwForward)) {
      parse_forward(*module);
    } else if (check(TokenKind::KwParam) || check(TokenKind::KwIf) || check(TokenKind::KwFor) ||
               at_member_assert()) {
      parse_member_item(*module, module->members);
    } else {
      error_at(peek(), "expected 'param', 'forward', 'if', 'for' or 'assert' in module '" + name +
                           "', got " + describe(peek()));
      advance();
      synchronize({TokenKind::KwParam, TokenKind::KwForward, TokenKind::KwIf, TokenKind::KwFor});
    }
  }
  panic_ = false;
  if (!accept(TokenKind::RBrace)) {
    if (error_at(peek(), "expected '}' to close module '" + name + "'"))
      diag_.note(open, "module '" + name + "' opened here");
  }
  file_.modules.push_back(std::move(module));
}

void Parser::parse_param(ModuleDecl &module, std::vector<MemberNode> &into) {
  SMRange keyword = advance().range(); // 'param'
  ParamDecl param;
  auto fail = [&] {
    synchronize({TokenKind::KwParam, TokenKind::KwForward, TokenKind::KwIf, TokenKind::KwFor});
  };
  int name_height = 1;
  if (!expect_member_name(param.name, "a parameter name after 'param'") ||
      !parse_name_parts(param.name, param.name_parts, name_height))
    return fail();
  if (accept(TokenKind::Colon)) {
    param.tensor = parse_tensor_type();
    if (!param.tensor)
      return fail();
  } else if (accept(TokenKind::Equal)) {
    if (at_container()) {
      param.container = parse_container();
      if (!param.container)
        return fail();
    } else {
      Ident callee;
      if (!expect_ident(callee, "a module name (param " + param.name.name + " = Linear(4, 8))"))
        return fail();
      if (!check(TokenKind::LParen)) {
        error_at(peek(), "expected '(' and the arguments of module '" + callee.name + "', got " +
                             describe(peek()));
        return fail();
      }
      ExprPtr call = parse_call(callee, /*self_call=*/false, callee.range.Start);
      if (panic_ || !llvm::isa<CallExpr>(call.get()))
        return fail();
      param.instance.reset(static_cast<CallExpr *>(call.release()));
    }
  } else {
    error_at(peek(), "expected ':' and a tensor type, or '=' and a module, after parameter '" +
                         param.name.name + "', got " + describe(peek()));
    return fail();
  }
  // A family: `param w_{k}: f32[d] for k in range(n)` is a one-member `for` block.
  std::optional<RangeLoop> family;
  if (continues(TokenKind::KwFor)) {
    family.emplace();
    if (!parse_range_loop(*family))
      return fail();
  }
  if (!expect_line_end("the parameter"))
    return fail();
  module.params.push_back(std::move(param));
  MemberNode node;
  node.kind = MemberNode::Kind::Param;
  node.param = module.params.size() - 1;
  node.range = keyword;
  if (!family) {
    into.push_back(std::move(node));
    return;
  }
  MemberNode loop;
  loop.kind = MemberNode::Kind::For;
  loop.range = family->range;
  loop.loop = std::move(family);
  loop.family = true;
  loop.body.push_back(std::move(node));
  into.push_back(std::move(loop));
}

void Parser::parse_forward(ModuleDecl &module) {
  auto forward = std::make_unique<ForwardDecl>();
  forward->keyword_range = advance().range();
  auto fail = [&] {
    synchronize({TokenKind::KwParam, TokenKind::KwForward, TokenKind::KwIf, TokenKind::KwFor});
  };
  if (!expect(TokenKind::LParen, "'(' after 'forward'"))
    return fail();
  {
    NestGuard nest(nest_);
    while (!check(TokenKind::RParen)) {
      ForwardArg arg;
      if (!expect_ident(arg.name, "an argument name"))
        return fail();
      if (!check(TokenKind::Colon)) {
        error_at(peek(), "expected ':' and a tensor type after argument '" + arg.name.name + "' (" +
                             arg.name.name + ": f32[B, S, 64]), got " + describe(peek()));
        return fail();
      }
      advance();
      auto type = parse_tensor_type(/*several=*/true);
      if (!type)
        return fail();
      arg.type = std::move(*type);
      if (accept(TokenKind::Equal))
        arg.default_value = parse_expr();
      if (panic_)
        return fail();
      forward->args.push_back(std::move(arg));
      if (!accept(TokenKind::Comma))
        break;
    }
    if (!expect(TokenKind::RParen, "',' or ')' in the argument list"))
      return fail();
  }
  if (accept(TokenKind::Arrow)) {
    forward->has_result_types = true;
    bool tuple = accept(TokenKind::LParen);
    NestGuard nest(nest_);
    do {
      auto type = parse_tensor_type();
      if (!type)
        return fail();
      forward->results.push_back(std::move(*type));
    } while (tuple && accept(TokenKind::Comma) && !check(TokenKind::RParen));
    if (tuple && !expect(TokenKind::RParen, "',' or ')' in the result types"))
      return fail();
  }
  if (!expect(TokenKind::LBrace, "'{' to open the body of forward"))
    return fail();
  SMRange open = previous_->range();
  auto at_member = [&] {
    return peek().at_line_start && (check(TokenKind::KwParam) || check(TokenKind::KwForward));
  };
  while (!check(TokenKind::RBrace) && !check(TokenKind::Eof) && !at_top_level_keyword() &&
         !at_member()) {
    panic_ = false;
    if (!parse_statement(forward->body)) {
      forward->body_has_errors = true;
      synchronize({TokenKind::KwLet, TokenKind::KwReturn, TokenKind::KwIf, TokenKind::KwFor,
                   TokenKind::KwParam, TokenKind::KwForward});
    }
  }
  panic_ = false;
  if (!check(TokenKind::RBrace)) {
    forward->body_has_errors = true;
    if (error_at(peek(), "expected '}' to close forward"))
      diag_.note(open, "forward opened here");
  } else {
    forward->close_brace = advance().range();
  }
  if (module.forward) {
    diag_.error(forward->keyword_range, "module '" + module.name.name + "' has two forwards");
    diag_.note(module.forward->keyword_range, "the first forward is here");
    return;
  }
  module.forward = std::move(forward);
}

bool Parser::parse_statement(std::vector<Stmt> &body) {
  if (check(TokenKind::KwIf))
    return parse_if_statement(body);
  if (check(TokenKind::KwFor))
    return parse_for_statement(body);
  Stmt stmt;
  SMLoc start = peek().loc();
  if (accept(TokenKind::KwLet)) {
    stmt.kind = Stmt::Kind::Let;
    // After an error the names are kept, bound to an error, so their uses raise nothing more.
    auto keep_names = [&] {
      stmt.values.clear();
      stmt.values.push_back(error_expr(start));
      stmt.range = range_from(start);
      body.push_back(std::move(stmt));
      return false;
    };
    do {
      Ident name;
      if (!expect_ident(name, "a name after 'let'"))
        return stmt.names.empty() ? false : keep_names();
      stmt.names.push_back(std::move(name));
    } while (accept(TokenKind::Comma));
    if (!expect(TokenKind::Equal, "'=' after the name"))
      return keep_names();
    stmt.values.push_back(check(TokenKind::KwScan) ? parse_scan() : parse_expr());
    if (panic_ || !expect_line_end("the statement"))
      return keep_names();
  } else if (accept(TokenKind::KwReturn)) {
    stmt.kind = Stmt::Kind::Return;
    if (peek().at_line_start || check(TokenKind::RBrace)) {
      error_at(range_from(start), "expected a value after 'return'");
      return false;
    }
    do
      stmt.values.push_back(parse_expr());
    while (!panic_ && accept(TokenKind::Comma));
  } else {
    if (error_at(peek(), "expected 'let', 'return', 'if' or 'for', got " + describe(peek())) &&
        check(TokenKind::Identifier) && peek(1).is(TokenKind::Equal))
      diag_.note("bind a name with 'let " + peek().text.str() + " = ...'");
    return false;
  }
  if (panic_ || !expect_line_end("the statement"))
    return false;
  stmt.range = range_from(start);
  body.push_back(std::move(stmt));
  return true;
}

} // namespace attn::dsl
