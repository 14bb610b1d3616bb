// `scan (items) { statements }`, the value of a `let` (SPEC.md §6.5).
#include "ParserImpl.h"

namespace attn::dsl {

ExprPtr Parser::parse_scan() {
  SMLoc start = peek().loc();
  SMRange keyword = advance().range(); // 'scan'
  DepthGuard guard(depth_);
  if (guard.too_deep()) {
    error_at(keyword, "scans nest too deeply (more than " + llvm::Twine(kMaxNesting) + " levels)");
    return error_expr(start);
  }
  std::vector<ScanItem> items;
  if (!expect(TokenKind::LParen,
              "'(' and the scan's sequences and carries (scan (x in xs, h = h0))"))
    return error_expr(start);
  {
    NestGuard nest(nest_);
    while (!check(TokenKind::RParen)) {
      ScanItem item;
      if (!expect_ident(item.name,
                        "a sequence ('x in xs'), a carry ('h = h0') or the position's name"))
        return error_expr(start);
      if (check(TokenKind::KwIn)) {
        advance();
        item.kind = ScanItem::Kind::Sequence;
        item.value = parse_expr();
      } else if (accept(TokenKind::Equal)) {
        item.kind = item.name.name == "reverse" ? ScanItem::Kind::Reverse : ScanItem::Kind::Carry;
        item.value = parse_expr();
      } else {
        item.kind = ScanItem::Kind::Position;
      }
      if (panic_)
        return error_expr(start);
      items.push_back(std::move(item));
      if (!accept(TokenKind::Comma))
        break;
    }
    if (!expect(TokenKind::RParen, "',' or ')' in the scan's header"))
      return error_expr(start);
  }
  // The node's range is the header, where errors about the whole scan point.
  auto scan = std::make_unique<ScanExpr>(range_from(start), keyword);
  scan->items = std::move(items);
  if (!expect(TokenKind::LBrace, "'{' to open the body of the scan"))
    return error_expr(start);
  SMRange open = previous_->range();
  while (!check(TokenKind::RBrace) && !check(TokenKind::Eof) && !at_top_level_keyword()) {
    panic_ = false;
    if (!parse_statement(scan->body)) {
      scan->body_has_errors = true;
      synchronize({TokenKind::KwLet, TokenKind::KwReturn});
    }
  }
  panic_ = false;
  if (!check(TokenKind::RBrace)) {
    scan->body_has_errors = true;
    if (error_at(peek(), "expected '}' to close the scan"))
      diag_.note(open, "the scan's body opened here");
    return error_expr(start);
  }
  scan->close_brace = advance().range();
  return scan;
}

} // namespace attn::dsl
