// The dot product of a score written with vector expressions: `dot(q, matmul(W, k))` (Luong's
// general score), `dot(v, tanh(matmul(W, q) + matmul(U, k)))` (Bahdanau's additive score). The
// parts that read only the query or only the key are computed as tensors before the attention,
// once per row rather than once per (query, key) pair: `matmul(W, k)` becomes
// `matmul(k, transpose(W))` over all keys. When the dot then multiplies a query part by a key
// part, the attention is the plain dot product of the two. When it mixes them inside (additive
// attention), the attention's feature region computes the term of one feature from a query
// element, a key element and the elements of the vectors that only read parameters.
#include "MLIRGenImpl.h"

#include "attn/dsl/Sema.h"

namespace attn::mlirgen {

using dsl::Builtin;

namespace {

enum Side : unsigned { kQuery = 1, kKey = 2 };

} // namespace

const dsl::IndexExpr *relative_row_of(const dsl::CallExpr &dot, size_t *arg,
                                      const dsl::Expr **rest) {
  if (dot.builtin != Builtin::Dot)
    return nullptr;
  for (size_t a = 0; a < dot.args.size(); ++a) {
    const dsl::Expr *remainder = nullptr;
    if (const dsl::IndexExpr *row = dsl::relative_row_term(*dot.args[a], remainder)) {
      if (arg)
        *arg = a;
      if (rest)
        *rest = remainder;
      return row;
    }
  }
  return nullptr;
}

namespace {

unsigned sides(const dsl::Expr &e) {
  switch (e.kind()) {
  case dsl::Expr::Kind::Name: {
    dsl::Binding b = llvm::cast<dsl::NameExpr>(e).binding;
    return b == dsl::Binding::ScoreQuery ? kQuery : b == dsl::Binding::ScoreKey ? kKey : 0;
  }
  case dsl::Expr::Kind::Unary:
    return sides(*llvm::cast<dsl::UnaryExpr>(e).operand);
  case dsl::Expr::Kind::Binary: {
    const auto &b = llvm::cast<dsl::BinaryExpr>(e);
    return sides(*b.lhs) | sides(*b.rhs);
  }
  case dsl::Expr::Kind::Call: {
    unsigned s = 0;
    for (const dsl::ExprPtr &arg : llvm::cast<dsl::CallExpr>(e).args)
      s |= sides(*arg);
    return s;
  }
  case dsl::Expr::Kind::Index: // W[j], a row per key; a row at another index reads neither
    return dsl::is_key_position_row(llvm::cast<dsl::IndexExpr>(e)) ? kKey : 0;
  default:
    return 0;
  }
}

/// Whether `call` is a dot(...) that reads only the query or only the key (and no row at a
/// relative position).
bool is_one_sided_dot(const dsl::CallExpr &call) {
  unsigned s = sides(call);
  return call.builtin == Builtin::Dot && (s == kQuery || s == kKey) && !relative_row_of(call);
}

/// Whether `call` is the dot of the query and the key.
bool is_pair_dot(const dsl::CallExpr &call) {
  return call.builtin == Builtin::Dot && sides(call) == (kQuery | kKey);
}

/// What a score reads besides the dot of the query and the key: parameters outside dot(...)
/// (`b[j]`, `bias[h, j - i]`), the dots of one side (`dot(a, q)`) and the dots with a row at
/// a relative position (`dot(q, k + a[j - i])`), in the order met.
struct Reads {
  std::vector<const dsl::IndexExpr *> params;
  std::vector<const dsl::CallExpr *> dots, relative;
  std::vector<const dsl::LetDecl *> lets; // each once
};

void collect_reads(const dsl::Expr &e, const dsl::AttentionDecl *owner, Reads &reads);

/// What `variant`'s score reads, following `super`.
void collect_score_reads(const dsl::AttentionDecl *variant, Reads &reads) {
  variant = defining(variant, &dsl::AttentionDecl::score);
  if (variant)
    collect_reads(*variant->score->body, variant, reads);
}

void collect_reads(const dsl::Expr &e, const dsl::AttentionDecl *owner, Reads &reads) {
  switch (e.kind()) {
  case dsl::Expr::Kind::Name: {
    const auto &name = llvm::cast<dsl::NameExpr>(e);
    if (name.binding != dsl::Binding::AttentionLet)
      return;
    const dsl::LetDecl *let = dsl::find_let(owner, name.name);
    if (let && !llvm::is_contained(reads.lets, let))
      reads.lets.push_back(let);
    return;
  }
  case dsl::Expr::Kind::Index:
    reads.params.push_back(llvm::cast<dsl::IndexExpr>(&e));
    return;
  case dsl::Expr::Kind::Super:
    return collect_score_reads(owner->parent_decl, reads);
  case dsl::Expr::Kind::Unary:
    return collect_reads(*llvm::cast<dsl::UnaryExpr>(e).operand, owner, reads);
  case dsl::Expr::Kind::Binary: {
    const auto &b = llvm::cast<dsl::BinaryExpr>(e);
    collect_reads(*b.lhs, owner, reads);
    return collect_reads(*b.rhs, owner, reads);
  }
  case dsl::Expr::Kind::Conditional: {
    const auto &c = llvm::cast<dsl::ConditionalExpr>(e);
    collect_reads(*c.condition, owner, reads); // a let, compared
    collect_reads(*c.then_value, owner, reads);
    return collect_reads(*c.else_value, owner, reads);
  }
  case dsl::Expr::Kind::Call: {
    const auto &call = llvm::cast<dsl::CallExpr>(e);
    if (is_one_sided_dot(call))
      reads.dots.push_back(&call);
    if (call.builtin == Builtin::Dot && relative_row_of(call))
      reads.relative.push_back(&call);
    if (call.builtin == Builtin::Dot)
      return;
    for (const dsl::ExprPtr &arg : call.args)
      collect_reads(*arg, owner, reads);
    for (const dsl::KeywordArg &kwarg : call.kwargs)
      collect_reads(*kwarg.value, owner, reads);
    return;
  }
  default:
    return;
  }
}

/// The dot(...) of the query and the key in `variant`'s score, following `super`; null when
/// the variant has no score (the plain dot product) or its dots each read one side.
const dsl::CallExpr *find_dot(const dsl::AttentionDecl *variant);

const dsl::CallExpr *find_dot_in(const dsl::Expr &e, const dsl::AttentionDecl *owner) {
  switch (e.kind()) {
  case dsl::Expr::Kind::Super:
    return find_dot(owner->parent_decl);
  case dsl::Expr::Kind::Unary:
    return find_dot_in(*llvm::cast<dsl::UnaryExpr>(e).operand, owner);
  case dsl::Expr::Kind::Binary: {
    const auto &b = llvm::cast<dsl::BinaryExpr>(e);
    if (const dsl::CallExpr *dot = find_dot_in(*b.lhs, owner))
      return dot;
    return find_dot_in(*b.rhs, owner);
  }
  case dsl::Expr::Kind::Conditional: {
    const auto &c = llvm::cast<dsl::ConditionalExpr>(e);
    if (const dsl::CallExpr *dot = find_dot_in(*c.then_value, owner))
      return dot;
    return find_dot_in(*c.else_value, owner);
  }
  case dsl::Expr::Kind::Call: {
    const auto &call = llvm::cast<dsl::CallExpr>(e);
    if (call.builtin == Builtin::Dot)
      return is_pair_dot(call) ? &call : nullptr;
    for (const dsl::ExprPtr &arg : call.args)
      if (const dsl::CallExpr *dot = find_dot_in(*arg, owner))
        return dot;
    return nullptr;
  }
  default:
    return nullptr;
  }
}

const dsl::CallExpr *find_dot(const dsl::AttentionDecl *variant) {
  variant = defining(variant, &dsl::AttentionDecl::score);
  return variant ? find_dot_in(*variant->score->body, variant) : nullptr;
}

/// Whether `variant`'s score uses the dot product of the query and the key: a dot of both
/// sides, or `super` of a chain that ends at a variant without a score (the plain product).
bool uses_pair_dot(const dsl::AttentionDecl *variant);

bool pair_dot_in(const dsl::Expr &e, const dsl::AttentionDecl *owner) {
  switch (e.kind()) {
  case dsl::Expr::Kind::Super:
    return uses_pair_dot(owner->parent_decl);
  case dsl::Expr::Kind::Unary:
    return pair_dot_in(*llvm::cast<dsl::UnaryExpr>(e).operand, owner);
  case dsl::Expr::Kind::Binary: {
    const auto &b = llvm::cast<dsl::BinaryExpr>(e);
    return pair_dot_in(*b.lhs, owner) || pair_dot_in(*b.rhs, owner);
  }
  case dsl::Expr::Kind::Conditional: {
    const auto &c = llvm::cast<dsl::ConditionalExpr>(e);
    return pair_dot_in(*c.then_value, owner) || pair_dot_in(*c.else_value, owner);
  }
  case dsl::Expr::Kind::Call: {
    const auto &call = llvm::cast<dsl::CallExpr>(e);
    if (call.builtin == Builtin::Dot)
      return is_pair_dot(call);
    return llvm::any_of(call.args, [&](const dsl::ExprPtr &a) { return pair_dot_in(*a, owner); });
  }
  default:
    return false;
  }
}

bool uses_pair_dot(const dsl::AttentionDecl *variant) {
  variant = defining(variant, &dsl::AttentionDecl::score);
  return !variant || pair_dot_in(*variant->score->body, variant);
}

bool is_name(const dsl::Expr &e, dsl::Binding binding) {
  auto *name = llvm::dyn_cast<dsl::NameExpr>(&e);
  return name && name->binding == binding;
}

/// The parts of a mixed dot: the largest sub-expressions reading only the query, only the key,
/// or only parameters (a vector), in the order met.
struct Parts {
  const dsl::Expr *query = nullptr, *key = nullptr;
  std::vector<const dsl::Expr *> vectors;
  const dsl::Expr *conflict = nullptr;     // a second query or key part
  const dsl::Expr *mixed_matmul = nullptr; // matmul(W, x) of an x reading both
};

void collect_parts(const dsl::Expr &e, Parts &parts) {
  unsigned s = sides(e);
  if (s == kQuery || s == kKey) {
    const dsl::Expr *&slot = s == kQuery ? parts.query : parts.key;
    if (slot && !parts.conflict)
      parts.conflict = &e;
    slot = slot ? slot : &e;
    return;
  }
  if (s == 0) {
    if (e.type == dsl::ExprType::Tensor)
      parts.vectors.push_back(&e);
    return; // a number: a constant of the region
  }
  if (auto *u = llvm::dyn_cast<dsl::UnaryExpr>(&e))
    return collect_parts(*u->operand, parts);
  if (auto *b = llvm::dyn_cast<dsl::BinaryExpr>(&e)) {
    collect_parts(*b->lhs, parts);
    return collect_parts(*b->rhs, parts);
  }
  const auto &call = llvm::cast<dsl::CallExpr>(e);
  if (call.builtin == Builtin::Matmul) {
    parts.mixed_matmul = parts.mixed_matmul ? parts.mixed_matmul : &e;
    return;
  }
  for (const dsl::ExprPtr &arg : call.args)
    collect_parts(*arg, parts);
}

} // namespace

TensorValue Generator::key_position_rows(const dsl::IndexExpr &row, TensorValue key, Frame &frame) {
  mlir::Location at = loc(row.range());
  const auto &base = llvm::cast<dsl::NameExpr>(*row.base);
  TensorValue table = member_param(base.name, {}, base.range(), frame);
  if (!table || key.rank < 2)
    return {};
  mlir::Type i64 = builder_.getIntegerType(64);
  auto positions =
      builder_.create<ir::ArangeOp>(at, mlir::UnrankedTensorType::get(i64), key.value,
                                    builder_.getI64IntegerAttr(key.rank - 2), mlir::IntegerAttr());
  TensorValue rows{builder_.create<ir::GatherOp>(at, unranked(), table.value, positions),
                   table.rank};
  // A matrix's rows [Sk, D] take the key's place: leading axes of 1 broadcast over the batch
  // (and heads). A vector's elements [Sk] broadcast to the scores [..., Sq, Sk] as they are.
  while (table.rank == 2 && rows.rank < key.rank)
    rows = TensorValue{
        builder_.create<ir::UnsqueezeOp>(at, unranked(), rows.value, builder_.getI64IntegerAttr(0)),
        rows.rank + 1};
  return rows;
}

ScoreReads score_reads(const dsl::AttentionDecl &variant) {
  Reads all;
  collect_score_reads(&variant, all);
  // The lets the mask and the value clause use (the mask reads nothing else).
  if (const dsl::AttentionDecl *owner = defining(&variant, &dsl::AttentionDecl::mask))
    collect_reads(*owner->mask->body, owner, all);
  ScoreReads reads;
  reads.dots = all.dots;
  reads.relative = all.relative;
  reads.pair_dot = uses_pair_dot(&variant);
  // The value clause reads its parameters as tables (a row, `a[j - i]`, at each element).
  if (const dsl::AttentionDecl *owner = defining(&variant, &dsl::AttentionDecl::value)) {
    Reads value;
    collect_reads(*owner->value->body, owner, value);
    reads.value_tables = value.params;
    for (const dsl::LetDecl *let : value.lets)
      if (!llvm::is_contained(all.lets, let))
        all.lets.push_back(let);
  }
  reads.lets = all.lets;
  for (const dsl::IndexExpr *read : all.params) {
    // b[j], a vector's element at the key position: the elements of every key as a [Sk]
    // extra, read at the score's position like a bias. Any other index: a table lookup.
    auto *name = read->entries.size() == 1
                     ? llvm::dyn_cast<dsl::NameExpr>(read->entries[0].start.get())
                     : nullptr;
    bool key_element =
        name && name->binding == dsl::Binding::IndexVar && name->name == dsl::kIndexNames[3];
    (key_element ? reads.rows : reads.tables).push_back(read);
  }
  return reads;
}

TensorValue Generator::dot_part(const dsl::Expr &e, const TensorValue &query,
                                const TensorValue &key, Frame &frame) {
  auto tensor = [&](const dsl::Expr &sub) { return dot_part(sub, query, key, frame); };
  mlir::Location at = loc(e.range());
  mlir::Type type = unranked();
  if (e.type != dsl::ExprType::Tensor) {
    auto v = gen_scalar(e, frame);
    return v ? constant(v->as_double(), at) : TensorValue{};
  }
  switch (e.kind()) {
  case dsl::Expr::Kind::Index:
    return key_position_rows(llvm::cast<dsl::IndexExpr>(e), key, frame);
  case dsl::Expr::Kind::Name: {
    const auto &name = llvm::cast<dsl::NameExpr>(e);
    if (name.binding == dsl::Binding::ScoreQuery)
      return query;
    if (name.binding == dsl::Binding::ScoreKey)
      return key;
    return member_param(name.name, {}, name.range(), frame);
  }
  case dsl::Expr::Kind::Unary:
    return make_unary<ir::NegOp>(builder_, at, type,
                                 tensor(*llvm::cast<dsl::UnaryExpr>(e).operand));
  case dsl::Expr::Kind::Binary: {
    const auto &b = llvm::cast<dsl::BinaryExpr>(e);     // Sema: + - * / only
    TensorValue l = tensor(*b.lhs), r = tensor(*b.rhs); // in this order: the IR's
    return arithmetic(b.op, l, r, loc(b.op_range));
  }
  default:
    break;
  }
  const auto &call = llvm::cast<dsl::CallExpr>(e);
  if (call.builtin == Builtin::Matmul) {
    // Sema: one argument is a matrix parameter (a name), the other a vector.
    bool matrix_first =
        frame.instance->decl && is_name(*call.args[0], dsl::Binding::Param) &&
        frame.instance->decl->find_param(llvm::cast<dsl::NameExpr>(*call.args[0]).name)
                ->tensor->dims.size() == 2;
    TensorValue m = tensor(*call.args[matrix_first ? 0 : 1]);
    TensorValue x = tensor(*call.args[matrix_first ? 1 : 0]);
    if (!m || !x)
      return {};
    if (matrix_first) // matmul(W, x) of a vector x is x W^T
      m = TensorValue{
          builder_.create<ir::TransposeOp>(at, type, m.value, builder_.getI64ArrayAttr({1, 0})), 2};
    return make_binary<ir::MatmulOp>(builder_, at, type, x, m);
  }
  return elementwise(call.builtin, tensor(*call.args[0]), at);
}

TensorValue Generator::one_sided_dot(const dsl::CallExpr &dot, const TensorValue &query,
                                     const TensorValue &key, Frame &frame) {
  mlir::Location at = loc(dot.range());
  TensorValue x = dot_part(*dot.args[0], query, key, frame);
  TensorValue y = dot_part(*dot.args[1], query, key, frame);
  if (!x || !y)
    return {};
  TensorValue product = make_binary<ir::MulOp>(builder_, at, unranked(), x, y);
  int rank = std::max(x.rank, y.rank);
  if (rank < 2) {
    report(dot.range(), "a dot of one side needs the query and the key as [..., S, D] tensors");
    return {};
  }
  // Over the features: one number per row, [..., Sq, 1] for the query's rows and [..., 1, Sk]
  // for the key's, so that it broadcasts to the scores.
  bool query_side = sides(dot) == kQuery;
  auto axis = builder_.getI64IntegerAttr(rank - 1);
  TensorValue sum{builder_.create<ir::ReduceSumOp>(at, unranked(), product.value, axis,
                                                   builder_.getBoolAttr(query_side)),
                  query_side ? rank : rank - 1};
  if (query_side)
    return sum;
  return TensorValue{builder_.create<ir::UnsqueezeOp>(at, unranked(), sum.value,
                                                      builder_.getI64IntegerAttr(rank - 2)),
                     rank};
}

bool Generator::gen_dot_operands(const dsl::AttentionDecl &variant, TensorValue &q, TensorValue &k,
                                 Frame &frame, FeatureForm &form) {
  const dsl::CallExpr *dot = find_dot(&variant);
  if (!uses_pair_dot(&variant)) {
    // The score's dots each read one side (score extras): the attention's own dot product is
    // not needed, and a query and key of zero features keep only their rows.
    auto no_features = [&](const TensorValue &x) -> TensorValue {
      if (!x || x.rank < 2)
        return {};
      mlir::Location at = x.value.getLoc();
      return TensorValue{builder_.create<ir::SliceOp>(
                             at, unranked(), x.value, builder_.getI64IntegerAttr(x.rank - 1),
                             builder_.getI64IntegerAttr(0), builder_.getI64IntegerAttr(0)),
                         x.rank};
    };
    q = no_features(q);
    k = no_features(k);
    return q && k;
  }
  // A row at a relative position added to the key (dot(q, k + a[j - i])) is a table of the
  // attention (relative_table); the dot product keeps the key's term.
  const dsl::Expr *args[2] = {dot ? dot->args[0].get() : nullptr,
                              dot ? dot->args[1].get() : nullptr};
  size_t relative_arg = 0;
  const dsl::Expr *rest = nullptr;
  if (dot && relative_row_of(*dot, &relative_arg, &rest))
    args[relative_arg] = rest;
  if (!dot ||
      (is_name(*args[0], dsl::Binding::ScoreQuery) && is_name(*args[1], dsl::Binding::ScoreKey)))
    return true;
  const TensorValue query = q, key = k;
  auto tensor = [&](const dsl::Expr &e) { return dot_part(e, query, key, frame); };
  const dsl::Expr &x = *args[0], &y = *args[1];
  unsigned sx = sides(x), sy = sides(y);
  if ((sx == kQuery && sy == kKey) || (sx == kKey && sy == kQuery)) {
    q = tensor(sx == kQuery ? x : y);
    k = tensor(sx == kQuery ? y : x);
    return q && k;
  }

  // Mixed: the feature region computes x[a] * y[a] from the parts' elements.
  Parts parts;
  collect_parts(x, parts);
  collect_parts(y, parts);
  if (parts.mixed_matmul) {
    report(parts.mixed_matmul->range(),
           "matmul inside dot(...) multiplies the query or the key alone (matmul(W, q)), not an "
           "expression of both");
    return false;
  }
  if (parts.conflict || !parts.query || !parts.key) {
    report(parts.conflict ? parts.conflict->range() : dot->range(),
           "inside dot(...), the query and the key may each appear in one sub-expression that "
           "reads nothing of the other (such as matmul(W, q) and matmul(U, k)); this score "
           "reads one of them in two places");
    return false;
  }
  q = tensor(*parts.query);
  k = tensor(*parts.key);
  if (!q || !k)
    return false;
  for (const dsl::Expr *vector : parts.vectors) {
    form.vectors.push_back(tensor(*vector));
    if (!form.vectors.back())
      return false;
  }
  form.build = [this, dot, parts, &frame](ir::AttentionOp op) {
    mlir::OpBuilder::InsertionGuard guard(builder_);
    mlir::Location at = op.getLoc();
    mlir::FloatType f32 = builder_.getF32Type();
    std::vector<mlir::Type> types(2 + parts.vectors.size(), f32);
    std::vector<mlir::Location> locs(types.size(), at);
    mlir::Block *block = builder_.createBlock(&op.feature(), {}, types, locs);
    std::function<mlir::Value(const dsl::Expr &)> element = [&](const dsl::Expr &e) {
      mlir::Location where = loc(e.range());
      if (&e == parts.query)
        return mlir::Value(block->getArgument(0));
      if (&e == parts.key)
        return mlir::Value(block->getArgument(1));
      for (size_t v = 0; v < parts.vectors.size(); ++v)
        if (&e == parts.vectors[v])
          return mlir::Value(block->getArgument(2 + v));
      if (e.type != dsl::ExprType::Tensor) {
        auto value = gen_scalar(e, frame);
        float c = value ? float(value->as_double()) : 0.0f;
        return mlir::Value(
            builder_.create<mlir::arith::ConstantFloatOp>(where, llvm::APFloat(c), f32));
      }
      if (auto *u = llvm::dyn_cast<dsl::UnaryExpr>(&e))
        return mlir::Value(builder_.create<mlir::arith::NegFOp>(where, element(*u->operand)));
      if (auto *b = llvm::dyn_cast<dsl::BinaryExpr>(&e)) {
        mlir::Value l = element(*b->lhs), r = element(*b->rhs);
        return scalar_arith(builder_, b->op, l, r, loc(b->op_range));
      }
      const auto &call = llvm::cast<dsl::CallExpr>(e);
      return scalar_math(builder_, call.builtin, element(*call.args[0]), where);
    };
    mlir::Value term =
        builder_.create<mlir::arith::MulFOp>(at, element(*dot->args[0]), element(*dot->args[1]));
    builder_.create<ir::YieldOp>(at, term);
  };
  return true;
}

} // namespace attn::mlirgen
