// The shape rule of every attn op (the ShapeInference interface). Each rule maps the operands'
// symbolic shapes to the result's, or reports at the op's source location why they cannot
// match, showing the shapes involved.
#include "attn/compiler/Dialect/AttnDialect.h"

using namespace mlir;
using namespace mlir::attn;
using ::attn::compiler::SymDim;
using ::attn::compiler::SymShape;
using ::attn::compiler::to_string;

namespace {

/// Reports the diagnostic (on destruction) and fails the shape rule.
FailureOr<SymShape> fail(const InFlightDiagnostic &) { return failure(); }

FailureOr<SymShape> broadcast(Operation *op, const SymShape &a, const SymShape &b) {
  size_t rank = std::max(a.size(), b.size());
  SymShape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    const SymDim *da = i < rank - a.size() ? nullptr : &a[i - (rank - a.size())];
    const SymDim *db = i < rank - b.size() ? nullptr : &b[i - (rank - b.size())];
    // A missing axis (the shorter shape) or a size of 1 stretches to the other side's size.
    if (!da || (db && da->is_static() && da->value() == 1))
      out[i] = *db;
    else if (!db || (db->is_static() && db->value() == 1) || *da == *db)
      out[i] = *da;
    else
      return fail(op->emitError() << "shapes " << to_string(a) << " and " << to_string(b)
                                  << " cannot be broadcast together: axis " << i << " is "
                                  << da->str() << " on one side and " << db->str()
                                  << " on the other");
  }
  return out;
}

FailureOr<SymShape> require_rank(Operation *op, const SymShape &shape, size_t min_rank,
                                 const char *what) {
  if (shape.size() < min_rank)
    return fail(op->emitError() << what << " needs a tensor of rank " << min_rank
                                << " or more, got " << to_string(shape));
  return shape;
}

} // namespace

FailureOr<SymShape> ParamOp::inferSymShape(ArrayRef<SymShape>) {
  SymShape shape;
  for (int64_t d : getType().cast<RankedTensorType>().getShape())
    shape.push_back(SymDim::constant(d));
  return shape;
}

FailureOr<SymShape> ConstantOp::inferSymShape(ArrayRef<SymShape>) { return SymShape{}; }

#define ATTN_BINARY_RULE(OP)                                                                       \
  FailureOr<SymShape> OP::inferSymShape(ArrayRef<SymShape> operands) {                             \
    return broadcast(getOperation(), operands[0], operands[1]);                                    \
  }
ATTN_BINARY_RULE(AddOp)
ATTN_BINARY_RULE(SubOp)
ATTN_BINARY_RULE(MulOp)
ATTN_BINARY_RULE(DivOp)
ATTN_BINARY_RULE(MaxOp)
ATTN_BINARY_RULE(MinOp)
ATTN_BINARY_RULE(LtOp)
ATTN_BINARY_RULE(LeOp)
ATTN_BINARY_RULE(GtOp)
ATTN_BINARY_RULE(GeOp)
ATTN_BINARY_RULE(EqOp)
ATTN_BINARY_RULE(NeOp)
#undef ATTN_BINARY_RULE

FailureOr<SymShape> WhereOp::inferSymShape(ArrayRef<SymShape> operands) {
  auto values = broadcast(*this, operands[1], operands[2]);
  if (failed(values))
    return failure();
  return broadcast(*this, operands[0], *values);
}

#define ATTN_UNARY_RULE(OP)                                                                        \
  FailureOr<SymShape> OP::inferSymShape(ArrayRef<SymShape> operands) { return operands[0]; }
ATTN_UNARY_RULE(NegOp)
ATTN_UNARY_RULE(ExpOp)
ATTN_UNARY_RULE(LogOp)
ATTN_UNARY_RULE(SqrtOp)
ATTN_UNARY_RULE(TanhOp)
ATTN_UNARY_RULE(SigmoidOp)
ATTN_UNARY_RULE(ReluOp)
ATTN_UNARY_RULE(AbsOp)
ATTN_UNARY_RULE(RsqrtOp)
ATTN_UNARY_RULE(GeluOp)
ATTN_UNARY_RULE(EluOp)
ATTN_UNARY_RULE(LeakyReluOp)
ATTN_UNARY_RULE(PowOp)
#undef ATTN_UNARY_RULE

FailureOr<SymShape> MatmulOp::inferSymShape(ArrayRef<SymShape> operands) {
  const SymShape &a = operands[0], &b = operands[1];
  if (failed(require_rank(*this, a, 2, "matmul")) || failed(require_rank(*this, b, 2, "matmul")))
    return failure();
  const SymDim &ka = a[a.size() - 1], &kb = b[b.size() - 2];
  if (ka != kb)
    return fail(emitError() << "matmul of " << to_string(a) << " and " << to_string(b)
                            << ": the contracted dimensions differ (" << ka.str() << " vs "
                            << kb.str() << ")");
  auto batch = broadcast(*this, SymShape(a.begin(), a.end() - 2), SymShape(b.begin(), b.end() - 2));
  if (failed(batch))
    return failure();
  SymShape out = *batch;
  out.push_back(a[a.size() - 2]);
  out.push_back(b[b.size() - 1]);
  return out;
}

FailureOr<SymShape> TransposeOp::inferSymShape(ArrayRef<SymShape> operands) {
  const SymShape &in = operands[0];
  std::vector<bool> seen(in.size(), false);
  SymShape out;
  if (perm().size() != in.size())
    return fail(emitError() << "transpose permutation has " << perm().size()
                            << " axes but the input " << to_string(in) << " has " << in.size());
  for (Attribute a : perm()) {
    int64_t p = a.cast<IntegerAttr>().getInt();
    if (p < 0 || p >= static_cast<int64_t>(in.size()) || seen[p])
      return fail(emitError() << "transpose permutation is not a permutation of the input's "
                              << in.size() << " axes");
    seen[p] = true;
    out.push_back(in[p]);
  }
  return out;
}

FailureOr<SymShape> ReshapeOp::inferSymShape(ArrayRef<SymShape> operands) {
  const SymShape &in = operands[0];
  SymDim total = SymDim::constant(1);
  for (const auto &d : in)
    total = total * d;
  SymShape out;
  SymDim known = SymDim::constant(1);
  int inferred = -1;
  for (auto entry : llvm::enumerate(shape())) {
    size_t i = entry.index();
    int64_t v = entry.value().cast<IntegerAttr>().getInt();
    if (v == -1) {
      if (inferred >= 0)
        return fail(emitError() << "reshape may infer at most one dimension (-1)");
      inferred = static_cast<int>(i);
      out.push_back(SymDim::constant(1));
      continue;
    }
    if (v < 0)
      return fail(emitError() << "reshape to a negative size " << v);
    out.push_back(SymDim::constant(v));
    known = known * SymDim::constant(v);
  }
  if (inferred >= 0) {
    auto rest = total.divide(known);
    if (!rest)
      return fail(emitError() << "cannot reshape " << to_string(in) << " (" << total.str()
                              << " elements) into groups of " << known.str());
    out[inferred] = *rest;
  } else if (known != total) {
    return fail(emitError() << "cannot reshape " << to_string(in) << " (" << total.str()
                            << " elements) to " << to_string(out) << " (" << known.str()
                            << " elements)");
  }
  return out;
}

FailureOr<SymShape> SplitHeadsOp::inferSymShape(ArrayRef<SymShape> operands) {
  const SymShape &in = operands[0];
  int64_t heads = num_heads();
  if (in.size() != 3)
    return fail(emitError() << "split_heads needs [batch, sequence, features], got "
                            << to_string(in));
  if (heads <= 0)
    return fail(emitError() << "split_heads needs a positive number of heads, got " << heads);
  if (!in[2].is_static())
    return fail(emitError() << "split_heads needs a static feature size, got " << in[2].str()
                            << " in " << to_string(in));
  auto head_dim = in[2].divide(heads);
  if (!head_dim)
    return fail(emitError() << "split_heads: the feature size " << in[2].str()
                            << " is not divisible by " << heads << " heads");
  return SymShape{in[0], SymDim::constant(heads), in[1], *head_dim};
}

FailureOr<SymShape> MergeHeadsOp::inferSymShape(ArrayRef<SymShape> operands) {
  const SymShape &in = operands[0];
  if (in.size() != 4)
    return fail(emitError() << "merge_heads needs [batch, heads, sequence, head_dim], got "
                            << to_string(in));
  return SymShape{in[0], in[2], in[1] * in[3]};
}

FailureOr<SymShape> SoftmaxOp::inferSymShape(ArrayRef<SymShape> operands) {
  const SymShape &in = operands[0];
  if (axis() < 0 || axis() >= static_cast<int64_t>(in.size()))
    return fail(emitError() << "softmax axis " << axis() << " is out of range for "
                            << to_string(in));
  return in;
}

/// Extra operands of an attention broadcast to its scores [..., Sq, Sk] (NumPy rules). On the
/// head axis of rank-4 scores an extra may also have the key's heads (grouped-query attention:
/// a term computed from the key alone), read at the key head each query head uses.
static LogicalResult check_extras(Operation *op, const SymShape &q, const SymShape &k,
                                  ArrayRef<SymShape> extras) {
  size_t n = q.size();
  SymShape scores(q.begin(), q.end() - 1);
  scores.push_back(k[n - 2]);
  for (const SymShape &extra : extras) {
    bool fits = extra.size() <= n;
    for (size_t a = 0; fits && a < extra.size(); ++a) {
      size_t axis = n - extra.size() + a;
      const SymDim &d = extra[a], &want = scores[axis];
      fits = d == want || (d.is_static() && d.value() == 1) || (n == 4 && axis == 1 && d == k[1]);
    }
    if (!fits)
      return op->emitError() << "attention: a mask or bias " << to_string(extra)
                             << " does not broadcast to the scores " << to_string(scores)
                             << " (each of its axes must be the scores' or 1)",
             failure();
  }
  return success();
}

/// The feature vectors of an attention's feature region: each [D], D the query's vector length.
static LogicalResult check_features(Operation *op, const SymShape &q, ArrayRef<SymShape> vectors) {
  for (const SymShape &w : vectors)
    if (w.size() != 1 || w[0] != q.back())
      return op->emitError() << op->getName() << ": feature vector " << to_string(w)
                             << " should be [" << q.back().str() << "], as long as the query's "
                             << "vectors",
             failure();
  return success();
}

/// Grouped-query attention: on the head axis (1 of [B, H, S, D]) the key and value may have
/// fewer heads than the query, each serving H / Hkv consecutive query heads. Both counts must
/// then be static, so that the grouping is checked here, unless there is one key/value head
/// (multi-query attention), which serves any number.
static bool static_group(const SymDim &query_heads, const SymDim &kv_heads) {
  if (kv_heads.is_static() && kv_heads.value() == 1)
    return true;
  return query_heads.is_static() && kv_heads.is_static() && kv_heads.value() > 0;
}

/// Whether a key or value with `kv` on leading axis `axis` (of `rank`) serves a query with
/// `query` there: the same size; a static 1, shared by every query row's batch (or head), as
/// the rows of a learned parameter indexed by key position (`W[j]`) are; or grouped heads.
/// The key and the value then agree, unless one of them is the shared 1.
static bool serves(const SymDim &query, const SymDim &kv, size_t axis, size_t rank) {
  if (query == kv || (kv.is_static() && kv.value() == 1))
    return true;
  return axis == 1 && rank == 4 && static_group(query, kv);
}

FailureOr<SymShape> AttentionOp::inferSymShape(ArrayRef<SymShape> operands) {
  const SymShape &q = operands[0], &k = operands[1], &v = operands[2];
  auto shapes = [&] {
    return "query " + to_string(q) + ", key " + to_string(k) + ", value " + to_string(v);
  };
  if (q.size() < 2 || q.size() > 4 || k.size() != q.size() || v.size() != q.size())
    return fail(emitError() << "attention needs query, key and value of one rank between 2 and 4, "
                            << "got " << shapes());
  size_t n = q.size();
  auto one = [](const SymDim &d) { return d.is_static() && d.value() == 1; };
  for (size_t i = 0; i + 2 < n; ++i) {
    bool kv_agree = k[i] == v[i] || one(k[i]) || one(v[i]);
    for (const SymDim &kv : {k[i], v[i]}) {
      if (!kv_agree || !serves(q[i], kv, i, n))
        return fail(emitError() << "attention: leading axis " << i << " differs between "
                                << shapes());
      if (q[i] != kv && q[i].is_static() && q[i].value() % kv.value() != 0)
        return fail(emitError() << "attention: " << q[i].value()
                                << " query heads are not a multiple of " << kv.value()
                                << " key/value heads: " << shapes());
    }
  }
  if (q[n - 1] != k[n - 1])
    return fail(emitError() << "attention: query and key vectors differ in length ("
                            << q[n - 1].str() << " vs " << k[n - 1].str() << "): " << shapes());
  if (k[n - 2] != v[n - 2])
    return fail(emitError() << "attention: key and value sequences differ in length ("
                            << k[n - 2].str() << " vs " << v[n - 2].str() << "): " << shapes());
  if (failed(check_extras(*this, q, k,
                          operands.drop_front(3).drop_back(feature_count() + table_count()))) ||
      failed(check_features(*this, q, operands.take_back(feature_count()))))
    return failure();
  SymShape out(q.begin(), q.end() - 1);
  out.push_back(v[n - 1]);
  return out;
}

FailureOr<SymShape> AttentionWeightsOp::inferSymShape(ArrayRef<SymShape> operands) {
  const SymShape &q = operands[0], &k = operands[1];
  auto shapes = [&] { return "query " + to_string(q) + ", key " + to_string(k); };
  if (q.size() < 2 || q.size() > 4 || k.size() != q.size())
    return fail(emitError() << "attention weights need query and key of one rank between 2 and "
                            << "4, got " << shapes());
  size_t n = q.size();
  for (size_t i = 0; i + 2 < n; ++i)
    if (!serves(q[i], k[i], i, n) ||
        (q[i] != k[i] && q[i].is_static() && q[i].value() % k[i].value() != 0))
      return fail(emitError() << "attention weights: leading axis " << i << " differs between "
                              << shapes());
  if (q[n - 1] != k[n - 1])
    return fail(emitError() << "attention weights: query and key vectors differ in length: "
                            << shapes());
  if (failed(check_extras(*this, q, k,
                          operands.drop_front(2).drop_back(feature_count() + table_count()))) ||
      failed(check_features(*this, q, operands.take_back(feature_count()))))
    return failure();
  SymShape out(q.begin(), q.end() - 1);
  out.push_back(k[n - 2]);
  return out;
}

FailureOr<SymShape> AssertShapeOp::inferSymShape(ArrayRef<SymShape> operands) {
  // The check binds symbols across a whole scope, so it lives in the shape-inference pass;
  // the value itself passes through.
  return operands[0];
}
