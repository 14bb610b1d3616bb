// Attention variants: `attention name(hyperparameters) : parent { score ...; mask ...; param ...
// }`. A variant with learned parameters also gets a module of its own name that holds them.
#include "ParserImpl.h"

namespace attn::dsl {

void Parser::parse_attention() {
  advance(); // 'attention'
  auto attention = std::make_unique<AttentionDecl>();
  attention->file = &file_;
  size_t hyperparameters_at = 0; // the token position of the hyperparameters' '(', if any
  auto header_ok = [&] {
    if (!expect_ident(attention->name, "an attention variant name after 'attention'"))
      return false;
    hyperparameters_at = check(TokenKind::LParen) ? pos_ : 0;
    if (check(TokenKind::LParen) && !parse_hyperparameters(attention->hyperparameters))
      return false;
    if (accept(TokenKind::Colon)) {
      Ident parent;
      if (!expect_ident(parent, "the name of the variant to extend after ':'"))
        return false;
      attention->parent = parent;
    }
    return expect(TokenKind::LBrace,
                  "'{' to open the body of attention '" + attention->name.name + "'");
  };
  if (!header_ok()) {
    synchronize({});
    if (check(TokenKind::RBrace))
      advance();
    return;
  }
  SMRange open = previous_->range();
  std::string name = attention->name.name;
  while (!check(TokenKind::RBrace) && !check(TokenKind::Eof) && !at_top_level_keyword()) {
    panic_ = false;
    if (check(TokenKind::Identifier) &&
        (peek().text == "score" || peek().text == "mask" || peek().text == "value")) {
      parse_region(*attention);
    } else if (check(TokenKind::Identifier) && peek().text == "normalize") {
      parse_normalize(*attention);
    } else if (check(TokenKind::KwLet)) {
      parse_attention_let(*attention);
    } else if (check(TokenKind::KwParam)) {
      parse_attention_param(*attention);
    } else {
      error_at(peek(), "expected 'score', 'mask', 'value', 'let', 'normalize' or 'param' in "
                       "attention '" +
                           name + "', got " + describe(peek()));
      advance();
      synchronize({TokenKind::Identifier, TokenKind::KwParam});
    }
  }
  panic_ = false;
  if (!accept(TokenKind::RBrace)) {
    if (error_at(peek(), "expected '}' to close attention '" + name + "'"))
      diag_.note(open, "attention '" + name + "' opened here");
  }
  if (attention->module)
    finish_attention_module(*attention, hyperparameters_at);
  file_.attentions.push_back(std::move(attention));
}

void Parser::parse_attention_param(AttentionDecl &attention) {
  if (!attention.module) {
    auto module = std::make_unique<ModuleDecl>();
    module->file = &file_;
    module->name = attention.name;
    module->attention = &attention;
    attention.module = module.get();
    file_.modules.push_back(std::move(module));
  }
  ModuleDecl &module = *attention.module;
  size_t before = module.params.size();
  SMLoc start = peek().range().Start;
  parse_param(module, module.members);
  if (module.params.size() == before)
    return; // reported
  const ParamDecl &param = module.params.back();
  if (!param.tensor || !param.name_parts.empty() ||
      module.members.back().kind != MemberNode::Kind::Param) {
    error_at(range_from(start), "an attention's parameters are tensors with plain names: "
                                "param W: f32[units, dim]");
    module.params.pop_back();
    module.members.pop_back();
  }
}

/// The module of a variant with parameters: the variant's hyperparameters (parsed again from
/// their tokens, so that the module owns its own copy), and the forward
/// `forward(query: f32[...], key: f32[...], value: f32[...], mask: [...] = 1) {
/// return attend<name(h...)>(query, key, value, mask) }`.
void Parser::finish_attention_module(AttentionDecl &attention, size_t hyperparameters_at) {
  ModuleDecl &module = *attention.module;
  if (hyperparameters_at) {
    size_t resume = pos_;
    const Token *previous = previous_;
    pos_ = hyperparameters_at;
    parse_hyperparameters(module.hyperparameters);
    pos_ = resume;
    previous_ = previous;
  }
  SMRange at = attention.name.range;
  auto forward = std::make_unique<ForwardDecl>();
  forward->keyword_range = at;
  forward->close_brace = at;
  for (const char *name : {"query", "key", "value"}) {
    ForwardArg arg;
    arg.name = Ident{name, at};
    arg.type.range = at;
    arg.type.leading_ellipsis = true;
    forward->args.push_back(std::move(arg));
  }
  // The optional mask (true or nonzero keeps a key), of any element type; left out, a fill of
  // 1 that keeps every key.
  ForwardArg mask;
  mask.name = Ident{"mask", at};
  mask.type.range = at;
  mask.type.leading_ellipsis = true;
  mask.type.any_element = true;
  mask.default_value = std::make_unique<NumberExpr>(at, /*is_int=*/true, 1, 1.0);
  forward->args.push_back(std::move(mask));
  auto call = std::make_unique<CallExpr>(at, Ident{"attend", at}, /*self_call=*/false, 2);
  call->variant = attention.name;
  for (const Hyperparameter &h : module.hyperparameters)
    call->variant_args.push_back(std::make_unique<NameExpr>(at, h.name.name));
  for (const char *name : {"query", "key", "value", "mask"})
    call->args.push_back(std::make_unique<NameExpr>(at, name));
  Stmt ret;
  ret.kind = Stmt::Kind::Return;
  ret.range = at;
  ret.values.push_back(std::move(call));
  forward->body.push_back(std::move(ret));
  module.forward = std::move(forward);
}

bool Parser::parse_idents_in_parens(std::vector<Ident> &out) {
  if (!expect(TokenKind::LParen, "'('"))
    return false;
  NestGuard nest(nest_);
  while (!check(TokenKind::RParen)) {
    Ident ident;
    if (!expect_ident(ident, "a parameter name"))
      return false;
    out.push_back(std::move(ident));
    if (!accept(TokenKind::Comma))
      break;
  }
  return expect(TokenKind::RParen, "',' or ')'");
}

void Parser::parse_region(AttentionDecl &attention) {
  const Token &keyword = advance();
  const std::string kind = keyword.text.str();
  RegionDecl region;
  region.keyword_range = keyword.range();
  auto fail = [&] { synchronize({TokenKind::Identifier}); };
  if (!parse_idents_in_parens(region.params))
    return fail();
  const char *expected = kind == "score"  ? "'=' and the score (score(q, k) = dot(q, k))"
                         : kind == "mask" ? "'=' and the mask (mask(i, j) = j <= i)"
                                          : "'=' and the value (value(v, i, j) = v + a[j - i])";
  if (!expect(TokenKind::Equal, expected))
    return fail();
  region.body = parse_expr();
  if (panic_ || !expect_line_end(("the " + kind).c_str()))
    return fail();
  auto &slot = kind == "score"  ? attention.score
               : kind == "mask" ? attention.mask
                                : attention.value;
  if (slot) {
    diag_.error(region.keyword_range,
                "attention '" + attention.name.name + "' already has a " + kind);
    diag_.note(slot->keyword_range, "the first one is here");
    return;
  }
  slot = std::move(region);
}

void Parser::parse_attention_let(AttentionDecl &attention) {
  LetDecl let;
  let.keyword_range = advance().range(); // 'let'
  auto fail = [&] { synchronize({TokenKind::Identifier, TokenKind::KwParam, TokenKind::KwLet}); };
  if (!expect_ident(let.name, "the let's name (let p(q, k) = ...)") ||
      !parse_idents_in_parens(let.params) ||
      !expect(TokenKind::Equal, "'=' and the let's value (let p(q, k) = len(k) * 0.5)"))
    return fail();
  let.body = parse_expr();
  if (panic_ || !expect_line_end("the let"))
    return fail();
  for (const LetDecl &other : attention.lets)
    if (other.name.name == let.name.name) {
      diag_.error(let.name.range, "attention '" + attention.name.name + "' already has a let '" +
                                      let.name.name + "'");
      diag_.note(other.name.range, "the first one is here");
      return;
    }
  attention.lets.push_back(std::move(let));
}

void Parser::parse_normalize(AttentionDecl &attention) {
  NormalizeDecl normalize;
  normalize.keyword_range = advance().range();
  auto fail = [&] { synchronize({TokenKind::Identifier, TokenKind::KwParam}); };
  if (!expect(TokenKind::Equal, "'=' and softmax, argmax or topk(k) after 'normalize'") ||
      !expect_ident(normalize.kind, "softmax, argmax or topk(k)"))
    return fail();
  if (accept(TokenKind::LParen)) {
    NestGuard nest(nest_);
    normalize.count = parse_expr();
    if (panic_ || !expect(TokenKind::RParen, "')' after topk's count"))
      return fail();
  }
  if (!expect_line_end("the normaliser"))
    return fail();
  if (attention.normalize) {
    diag_.error(normalize.keyword_range,
                "attention '" + attention.name.name + "' already has a normaliser");
    diag_.note(attention.normalize->keyword_range, "the first one is here");
    return;
  }
  attention.normalize = std::move(normalize);
}

} // namespace attn::dsl
