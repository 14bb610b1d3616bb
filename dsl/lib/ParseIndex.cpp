// Postfix indexing: `x[i]`, `x[:, -1]`, `x[..., 1:3]`. The entries are compile-time ints; what
// they may index is checked by Sema (SemaMove.cpp), their ranges by the shape rules.
#include "ParserImpl.h"

namespace attn::dsl {

ExprPtr Parser::parse_index(ExprPtr base) {
  NestGuard nest(nest_);
  SMLoc start = base->loc();
  advance(); // '['
  std::vector<IndexEntry> entries;
  int height = base->height() + 1;
  while (!check(TokenKind::RBracket)) {
    IndexEntry entry;
    SMLoc entry_start = peek().loc();
    if (accept(TokenKind::Ellipsis)) {
      entry.kind = IndexEntry::Kind::Ellipsis;
    } else {
      if (!check(TokenKind::Colon))
        entry.start = parse_expr();
      if (accept(TokenKind::Colon)) {
        entry.kind = IndexEntry::Kind::Slice;
        if (!check(TokenKind::Comma) && !check(TokenKind::RBracket))
          entry.end = parse_expr();
      }
    }
    if (panic_)
      return error_expr(start);
    entry.range = range_from(entry_start);
    for (const Expr *e : {entry.start.get(), entry.end.get()})
      if (e)
        height = std::max(height, e->height() + 1);
    entries.push_back(std::move(entry));
    if (!accept(TokenKind::Comma))
      break;
  }
  if (!expect(TokenKind::RBracket, "',' or ']' in the index"))
    return error_expr(start);
  if (entries.empty()) {
    error_at(range_from(start), "an index needs at least one entry: x[0], x[:, -1], x[..., 1:3]");
    return error_expr(start);
  }
  if (height > kMaxNesting) {
    error_at(range_from(start),
             "expression is nested too deeply (more than " + llvm::Twine(kMaxNesting) + " levels)");
    return error_expr(start);
  }
  return std::make_unique<IndexExpr>(range_from(start), std::move(base), std::move(entries),
                                     height);
}

} // namespace attn::dsl
