// The checks each attn op makes on itself beyond its ODS constraints: attributes that must make
// sense on their own (a permutation, a positive head count, an axis in range), the form of the
// attention regions, and, where operand and result types are ranked, that their static sizes
// agree. Types may still be unranked (the front end builds results as `tensor<*xf32>`); those
// checks wait until shape inference has ranked them. Symbolic agreement (`Sq` against `Sk`) is
// the shape rules' job (ShapeRules.cpp), which see the dims' names.
#include "attn/compiler/Dialect/AttnDialect.h"

#include <string>

using namespace mlir;
using namespace mlir::attn;

namespace {

/// The ranked type of `value`, or null while it is unranked or not a tensor.
RankedTensorType ranked(Value value) { return value.getType().dyn_cast<RankedTensorType>(); }

std::string size_str(int64_t size) {
  return ShapedType::isDynamic(size) ? std::string("?") : std::to_string(size);
}

/// Sizes of two axes that must be equal: fine when either is dynamic.
bool sizes_agree(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

/// NumPy broadcasting of two static sizes: equal, or one of them 1.
bool sizes_broadcast(int64_t a, int64_t b) { return sizes_agree(a, b) || a == 1 || b == 1; }

/// The size of an axis counted from the end (`from_end` = 1 is the last axis).
int64_t axis_from_end(RankedTensorType type, int64_t from_end) {
  return type.getDimSize(type.getRank() - from_end);
}

/// Checks the broadcast of `lhs` and `rhs` (aligned at the last axis) against each other and,
/// when ranked, against `result`. `what` names the operands' role in messages.
LogicalResult verify_broadcast(Operation *op, RankedTensorType lhs, RankedTensorType rhs,
                               RankedTensorType result, const char *what) {
  if (!lhs || !rhs)
    return success();
  int64_t rank = std::max(lhs.getRank(), rhs.getRank());
  for (int64_t k = 1; k <= std::min(lhs.getRank(), rhs.getRank()); ++k) {
    int64_t a = axis_from_end(lhs, k), b = axis_from_end(rhs, k);
    if (!sizes_broadcast(a, b))
      return op->emitOpError() << what << " " << lhs << " and " << rhs
                               << " cannot be broadcast together: axis " << rank - k << " is " << a
                               << " on one side and " << b << " on the other";
  }
  if (!result)
    return success();
  if (result.getRank() != rank)
    return op->emitOpError() << "result " << result << " should have rank " << rank
                             << ", the larger of its operands' ranks";
  for (int64_t k = 1; k <= rank; ++k) {
    int64_t r = axis_from_end(result, k);
    // A size of 1 on one side stretches to the other's; otherwise both sides give the size.
    for (RankedTensorType side : {lhs, rhs}) {
      if (k > side.getRank())
        continue;
      int64_t s = axis_from_end(side, k);
      if (s != 1 && !sizes_agree(r, s))
        return op->emitOpError() << "result " << result << " disagrees with operand " << side
                                 << " at axis " << rank - k << " (" << size_str(r) << " vs "
                                 << size_str(s) << ")";
    }
  }
  return success();
}

template <typename BinaryOp> LogicalResult verify_binary(BinaryOp op) {
  return verify_broadcast(op, ranked(op.lhs()), ranked(op.rhs()), ranked(op.result()), "operands");
}

/// The values of an I64ArrayAttr.
SmallVector<int64_t> int_values(ArrayAttr array) {
  SmallVector<int64_t> values;
  for (Attribute a : array)
    values.push_back(a.cast<IntegerAttr>().getInt());
  return values;
}

/// Checks that `region` is empty or one block taking `arg_types` and ending in `attn.yield`
/// of `yield_type`. `name` and `signature` (the arguments, named) are for the messages.
LogicalResult verify_attention_region(Operation *op, Region &region, const char *name,
                                      ArrayRef<Type> arg_types, Type yield_type,
                                      const char *signature) {
  if (region.empty())
    return success();
  if (!region.hasOneBlock())
    return op->emitOpError() << "the " << name << " region must have a single block";
  Block &block = region.front();
  TypeRange actual = block.getArgumentTypes();
  if (actual != TypeRange(arg_types))
    return op->emitOpError() << "the " << name << " region must take " << signature;
  auto yield = block.empty() ? YieldOp() : dyn_cast<YieldOp>(block.back());
  if (!yield)
    return op->emitOpError() << "the " << name << " region must end in attn.yield";
  if (yield.value().getType() != yield_type)
    return op->emitOpError() << "the " << name << " region must yield " << yield_type << ", not "
                             << yield.value().getType();
  return success();
}

/// The score and mask regions shared by attn.attention and attn.attention_weights, and their
/// extra operands: f32 tensors that broadcast to the scores [..., Sq, Sk] (as many axes at
/// most, each 1 or equal), one more f32 argument of the score region each.
LogicalResult verify_attention_regions(Operation *op, Region &score, Region &mask,
                                       ValueRange extras, RankedTensorType q, RankedTensorType k) {
  MLIRContext *context = op->getContext();
  Type f32 = FloatType::getF32(context), index = IndexType::get(context);
  Type i1 = IntegerType::get(context, 1);
  SmallVector<Type> score_args = {f32, index, index, index, index};
  for (Value extra : extras) {
    auto type = extra.getType().dyn_cast<TensorType>();
    if (!type || !type.getElementType().isF32())
      return op->emitOpError() << "needs f32 extra operands, got " << extra.getType();
    score_args.push_back(f32);
    auto e = ranked(extra);
    if (!e || !q || !k)
      continue;
    if (e.getRank() > q.getRank())
      return op->emitOpError() << "needs extra operands of rank " << q.getRank()
                               << " at most (the scores' rank), got " << e;
    for (int64_t a = 0; a < e.getRank(); ++a) {
      int64_t axis = q.getRank() - e.getRank() + a;
      int64_t want = axis == q.getRank() - 1 ? k.getDimSize(k.getRank() - 2) : q.getDimSize(axis);
      int64_t got = e.getDimSize(a);
      // On the head axis, the key's heads (grouped-query attention) also serve.
      bool key_heads = q.getRank() == 4 && axis == 1 && sizes_agree(got, k.getDimSize(1));
      if (got != 1 && !sizes_agree(got, want) && !key_heads)
        return op->emitOpError() << "extra operand " << e << " does not broadcast to the scores "
                                 << "on axis " << axis << " (" << got << " vs " << want << ")";
    }
  }
  if (failed(verify_attention_region(
          op, score, "score", score_args, f32,
          extras.empty()
              ? "(s: f32, b: index, h: index, i: index, j: index)"
              : "(s: f32, b: index, h: index, i: index, j: index) and an f32 per extra operand")))
    return failure();
  // The mask region takes the indices, and may take the extras as the score region does.
  SmallVector<Type> mask_args = {index, index, index, index};
  if (!mask.empty() && mask.front().getNumArguments() > 4)
    mask_args.append(score_args.begin() + 5, score_args.end());
  if (failed(verify_attention_region(op, mask, "mask", mask_args, i1,
                                     extras.empty() ? "(b: index, h: index, i: index, j: index)"
                                                    : "(b: index, h: index, i: index, j: index), "
                                                      "and optionally an f32 per extra operand")))
    return failure();
  return success();
}

/// The feature region (null or empty: none) and its vectors (the last `count` extras): rank-1
/// f32 tensors as long as the query's and key's vectors; the region takes (qa, ka) and an f32
/// per vector.
LogicalResult verify_feature_region(Operation *op, Region *region, Optional<uint64_t> count,
                                    ValueRange vectors, RankedTensorType q) {
  bool present = region && !region->empty();
  if (present != count.hasValue())
    return op->emitOpError("needs a feature region exactly when num_features is set");
  if (!present)
    return success();
  if (*count > static_cast<uint64_t>(vectors.size()))
    return op->emitOpError() << "num_features is " << *count << " but there are only "
                             << vectors.size() << " extra operands";
  Type f32 = FloatType::getF32(op->getContext());
  SmallVector<Type> args = {f32, f32};
  for (Value vector : vectors.take_back(*count)) {
    auto type = vector.getType().dyn_cast<TensorType>();
    if (!type || !type.getElementType().isF32())
      return op->emitOpError() << "needs f32 feature vectors, got " << vector.getType();
    args.push_back(f32);
    auto w = ranked(vector);
    if (w && w.getRank() != 1)
      return op->emitOpError() << "needs feature vectors of rank 1, got " << w;
    if (w && q && !sizes_agree(w.getDimSize(0), q.getDimSize(q.getRank() - 1)))
      return op->emitOpError() << "feature vector " << w << " differs in length from the query "
                               << q;
  }
  return verify_attention_region(op, *region, "feature", args, f32,
                                 "(qa: f32, ka: f32) and an f32 per feature vector");
}

/// The contribution region of attn.attention, if any: (v: f32, b, h, i, j, e: index) and an
/// f32 per score extra, yielding the f32 that key j gives to element e of query i's result.
LogicalResult verify_contribution_region(AttentionOp op) {
  if (op.contribution().size() > 1)
    return op.emitOpError() << "has at most one contribution region, got "
                            << op.contribution().size();
  if (op.contribution().empty())
    return success();
  Type f32 = FloatType::getF32(op.getContext()), index = IndexType::get(op.getContext());
  SmallVector<Type> args = {f32, index, index, index, index, index};
  args.append(op.score_extras().size(), f32);
  return verify_attention_region(op, op.contribution().front(), "contribution", args, f32,
                                 "(v: f32, b: index, h: index, i: index, j: index, e: index) "
                                 "and an f32 per score extra");
}

/// Tables: f32 tensors of rank 1 or more, as many as `count` says (the extras before the
/// feature vectors).
LogicalResult verify_tables(Operation *op, Optional<uint64_t> count, ValueRange extras,
                            unsigned feature_count) {
  if (!count)
    return success();
  if (*count + feature_count > static_cast<uint64_t>(extras.size()))
    return op->emitOpError() << "num_tables is " << *count << " but there are only "
                             << extras.size() - feature_count << " extra operands before the "
                             << "feature vectors";
  for (Value table : extras.drop_back(feature_count).take_back(*count)) {
    auto type = table.getType().dyn_cast<TensorType>();
    if (!type || !type.getElementType().isF32() || (type.hasRank() && type.getRank() == 0))
      return op->emitOpError() << "needs f32 tables of rank 1 or more, got " << table.getType();
  }
  return success();
}

/// How the weights come from the scores: softmax (the default), argmax, or topk with a
/// top_k of at least 1 (and only then).
LogicalResult verify_normalizer(Operation *op, Optional<StringRef> normalizer,
                                Optional<uint64_t> top_k) {
  StringRef kind = normalizer.getValueOr("softmax");
  if (kind != "softmax" && kind != "argmax" && kind != "topk")
    return op->emitOpError() << "has an unknown normalizer '" << kind
                             << "' (softmax, argmax or topk)";
  if ((kind == "topk") != top_k.hasValue())
    return op->emitOpError("needs top_k exactly when the normalizer is topk");
  if (top_k && static_cast<int64_t>(*top_k) < 1)
    return op->emitOpError() << "needs top_k >= 1, got " << static_cast<int64_t>(*top_k);
  return success();
}

} // namespace

namespace mlir::attn {

LogicalResult verify_op(ParamOp op) {
  if (op.name().empty())
    return op.emitOpError("needs the name of a parameter, got an empty name");
  return success();
}

LogicalResult verify_op(AddOp op) { return verify_binary(op); }
LogicalResult verify_op(SubOp op) { return verify_binary(op); }
LogicalResult verify_op(MulOp op) { return verify_binary(op); }
LogicalResult verify_op(DivOp op) { return verify_binary(op); }
LogicalResult verify_op(MaxOp op) { return verify_binary(op); }
LogicalResult verify_op(MinOp op) { return verify_binary(op); }
LogicalResult verify_op(LtOp op) { return verify_binary(op); }
LogicalResult verify_op(LeOp op) { return verify_binary(op); }
LogicalResult verify_op(GtOp op) { return verify_binary(op); }
LogicalResult verify_op(GeOp op) { return verify_binary(op); }
LogicalResult verify_op(EqOp op) { return verify_binary(op); }
LogicalResult verify_op(NeOp op) { return verify_binary(op); }

LogicalResult verify_op(WhereOp op) {
  auto condition = ranked(op.condition()), on_true = ranked(op.true_value());
  auto on_false = ranked(op.false_value());
  if (failed(verify_broadcast(op, on_true, on_false, {}, "values")) ||
      failed(verify_broadcast(op, condition, on_true, {}, "condition and value")) ||
      failed(verify_broadcast(op, condition, on_false, {}, "condition and value")))
    return failure();
  // The result is the three-way broadcast: as large as the largest, each operand stretched.
  auto result = ranked(op.result());
  if (!result || !condition || !on_true || !on_false)
    return success();
  int64_t rank = std::max({condition.getRank(), on_true.getRank(), on_false.getRank()});
  if (result.getRank() != rank)
    return op.emitOpError() << "result " << result << " should have rank " << rank
                            << ", the largest of its operands' ranks";
  for (RankedTensorType side : {condition, on_true, on_false})
    for (int64_t k = 1; k <= side.getRank(); ++k) {
      int64_t s = axis_from_end(side, k), r = axis_from_end(result, k);
      if (s != 1 && !sizes_agree(r, s))
        return op.emitOpError() << "result " << result << " disagrees with operand " << side
                                << " at axis " << rank - k << " (" << size_str(r) << " vs "
                                << size_str(s) << ")";
    }
  return success();
}

LogicalResult verify_op(MatmulOp op) {
  auto lhs = ranked(op.lhs()), rhs = ranked(op.rhs()), result = ranked(op.result());
  for (auto [type, name] :
       {std::pair(lhs, "lhs"), std::pair(rhs, "rhs"), std::pair(result, "result")})
    if (type && type.getRank() < 2)
      return op.emitOpError() << "needs matrices (rank 2 or more), but the " << name << " is "
                              << type;
  if (lhs && rhs) {
    int64_t k_lhs = axis_from_end(lhs, 1), k_rhs = axis_from_end(rhs, 2);
    if (!sizes_agree(k_lhs, k_rhs))
      return op.emitOpError() << "contracts the lhs's last axis (" << k_lhs
                              << ") with the rhs's second-to-last (" << k_rhs
                              << "); they must be equal: " << lhs << " and " << rhs;
    // The batch axes broadcast; their result sizes are checked with the rows and columns below.
    auto batch = [](RankedTensorType t) {
      return RankedTensorType::get(t.getShape().drop_back(2), t.getElementType());
    };
    if (failed(verify_broadcast(op, batch(lhs), batch(rhs), {}, "batch axes of")))
      return failure();
  }
  if (result) {
    if (lhs && !sizes_agree(axis_from_end(result, 2), axis_from_end(lhs, 2)))
      return op.emitOpError() << "result " << result << " should have as many rows as the lhs "
                              << lhs;
    if (rhs && !sizes_agree(axis_from_end(result, 1), axis_from_end(rhs, 1)))
      return op.emitOpError() << "result " << result << " should have as many columns as the rhs "
                              << rhs;
  }
  return success();
}

LogicalResult verify_op(TransposeOp op) {
  SmallVector<int64_t> perm = int_values(op.perm());
  int64_t n = static_cast<int64_t>(perm.size());
  SmallVector<bool> seen(n, false);
  for (int64_t p : perm) {
    if (p < 0 || p >= n || seen[p])
      return op.emitOpError() << "perm " << op.perm() << " is not a permutation of the axes 0.."
                              << n - 1;
    seen[p] = true;
  }
  auto input = ranked(op.input()), result = ranked(op.result());
  if (input && input.getRank() != n)
    return op.emitOpError() << "perm " << op.perm() << " has " << n << " axes but the input "
                            << input << " has rank " << input.getRank();
  if (result && result.getRank() != n)
    return op.emitOpError() << "perm " << op.perm() << " has " << n << " axes but the result "
                            << result << " has rank " << result.getRank();
  if (input && result)
    for (int64_t i = 0; i < n; ++i)
      if (!sizes_agree(result.getDimSize(i), input.getDimSize(perm[i])))
        return op.emitOpError() << "result axis " << i << " should be input axis " << perm[i]
                                << ": " << input << " transposed by " << op.perm() << " is not "
                                << result;
  return success();
}

LogicalResult verify_op(ReshapeOp op) {
  SmallVector<int64_t> shape = int_values(op.shape());
  if (llvm::count(shape, -1) > 1)
    return op.emitOpError() << "shape " << op.shape()
                            << " may leave at most one size to infer (-1)";
  for (int64_t s : shape)
    if (s < -1)
      return op.emitOpError() << "shape " << op.shape() << " has a negative size " << s;
  auto input = ranked(op.input()), result = ranked(op.result());
  if (result) {
    if (result.getRank() != static_cast<int64_t>(shape.size()))
      return op.emitOpError() << "result " << result << " should have rank " << shape.size()
                              << " to match shape " << op.shape();
    for (size_t i = 0; i < shape.size(); ++i)
      if (shape[i] != -1 && !sizes_agree(result.getDimSize(i), shape[i]))
        return op.emitOpError() << "result " << result << " does not have shape " << op.shape();
  }
  if (input && result && input.hasStaticShape() && result.hasStaticShape() &&
      input.getNumElements() != result.getNumElements())
    return op.emitOpError() << "cannot reshape " << input << " (" << input.getNumElements()
                            << " elements) to " << result << " (" << result.getNumElements()
                            << " elements)";
  return success();
}

LogicalResult verify_op(SplitHeadsOp op) {
  int64_t heads = op.num_heads();
  if (heads <= 0)
    return op.emitOpError() << "needs a positive number of heads, got " << heads;
  auto input = ranked(op.input()), result = ranked(op.result());
  if (input && input.getRank() != 3)
    return op.emitOpError() << "needs an input [batch, sequence, features], got " << input;
  if (result && result.getRank() != 4)
    return op.emitOpError() << "gives [batch, heads, sequence, head_dim], not " << result;
  if (input) {
    int64_t features = input.getDimSize(2);
    if (!ShapedType::isDynamic(features) && features % heads != 0)
      return op.emitOpError() << "cannot split " << features << " features into " << heads
                              << " heads of equal size";
  }
  if (result && !sizes_agree(result.getDimSize(1), heads))
    return op.emitOpError() << "result " << result << " should have " << heads
                            << " heads on axis 1";
  return success();
}

LogicalResult verify_op(MergeHeadsOp op) {
  auto input = ranked(op.input()), result = ranked(op.result());
  if (input && input.getRank() != 4)
    return op.emitOpError() << "needs an input [batch, heads, sequence, head_dim], got " << input;
  if (result && result.getRank() != 3)
    return op.emitOpError() << "gives [batch, sequence, features], not " << result;
  return success();
}

LogicalResult verify_op(SoftmaxOp op) {
  int64_t axis = op.axis();
  if (axis < 0)
    return op.emitOpError() << "axis " << axis << " is negative; axes count from 0";
  auto input = ranked(op.input());
  if (input && axis >= input.getRank())
    return op.emitOpError() << "axis " << axis << " is out of range for " << input << " (rank "
                            << input.getRank() << ")";
  return success();
}

/// Whether `kv_heads` key/value heads can serve `query_heads` query heads (grouped-query
/// attention): one serves any number, else both static, the first dividing the second.
static bool divides(int64_t kv_heads, int64_t query_heads) {
  if (kv_heads == 1)
    return true;
  return kv_heads > 0 && query_heads > 0 && !ShapedType::isDynamic(kv_heads) &&
         !ShapedType::isDynamic(query_heads) && query_heads % kv_heads == 0;
}

/// Whether a key or value of `kv` on leading axis `axis` serves a query of `query` there: the
/// same size, a 1 that every query batch (or head) shares, or grouped heads.
static bool serves(int64_t query, int64_t kv, int64_t axis, int64_t rank) {
  return sizes_agree(query, kv) || kv == 1 || (axis == 1 && rank == 4 && divides(kv, query));
}

LogicalResult verify_op(AttentionOp op) {
  auto q = ranked(op.query()), k = ranked(op.key()), v = ranked(op.value());
  // The counts of feature vectors and tables first: the score's extras are what they leave.
  if (failed(verify_feature_region(op, &op.feature(), op.num_features(), op.extras(), q)) ||
      failed(verify_tables(op, op.num_tables(), op.extras(), op.feature_count())) ||
      failed(verify_attention_regions(op, op.score(), op.mask(), op.score_extras(), q, k)) ||
      failed(verify_contribution_region(op)) ||
      failed(verify_normalizer(op, op.normalizer(), op.top_k())))
    return failure();

  auto result = ranked(op.result());
  for (auto [type, name] : {std::pair(q, "query"), std::pair(k, "key"), std::pair(v, "value"),
                            std::pair(result, "result")})
    if (type && (type.getRank() < 2 || type.getRank() > 4))
      return op.emitOpError() << "needs a " << name << " of rank 2 to 4 ([..., S, D]), got "
                              << type;
  auto check = [&](RankedTensorType a, const char *a_name, RankedTensorType b, const char *b_name,
                   int64_t from_end, const char *what) -> LogicalResult {
    if (!a || !b)
      return success();
    if (a.getRank() != b.getRank())
      return op.emitOpError() << "needs " << a_name << " and " << b_name
                              << " of the same rank, got " << a << " and " << b;
    int64_t x = axis_from_end(a, from_end), y = axis_from_end(b, from_end);
    if (!sizes_agree(x, y))
      return op.emitOpError() << a_name << " and " << b_name << " differ in " << what << " (" << x
                              << " vs " << y << "): " << a << " and " << b;
    return success();
  };
  if (failed(check(q, "query", k, "key", 1, "vector length")) ||
      failed(check(k, "key", v, "value", 2, "sequence length")) ||
      failed(check(q, "query", result, "result", 2, "sequence length")) ||
      failed(check(v, "value", result, "result", 1, "vector length")))
    return failure();
  // The leading (batch, head) axes are the query's for the result. The key and value may
  // each have 1 there (shared), or fewer heads (axis 1 of rank 4) dividing the query's.
  for (auto [type, name] :
       {std::pair(k, "key"), std::pair(v, "value"), std::pair(result, "result")}) {
    if (!q || !type)
      continue;
    bool grouped = llvm::StringRef(name) != "result";
    for (int64_t i = 0; i + 2 < q.getRank(); ++i)
      if (grouped ? !serves(q.getDimSize(i), type.getDimSize(i), i, q.getRank())
                  : !sizes_agree(q.getDimSize(i), type.getDimSize(i)))
        return op.emitOpError() << "query and " << name << " differ on leading axis " << i << " ("
                                << q.getDimSize(i) << " vs " << type.getDimSize(i) << "): " << q
                                << " and " << type;
  }
  if (k && v)
    for (int64_t i = 0; i + 2 < k.getRank(); ++i)
      if (!sizes_agree(k.getDimSize(i), v.getDimSize(i)) && k.getDimSize(i) != 1 &&
          v.getDimSize(i) != 1)
        return op.emitOpError() << "key and value differ on leading axis " << i << ": " << k
                                << " and " << v;
  return success();
}

LogicalResult verify_op(AttentionWeightsOp op) {
  auto q = ranked(op.query()), k = ranked(op.key()), result = ranked(op.result());
  // The counts of feature vectors and tables first: the score's extras are what they leave.
  if (op.feature().size() > 1)
    return op.emitOpError() << "has at most one feature region, got " << op.feature().size();
  Region *feature = op.feature().empty() ? nullptr : &op.feature().front();
  if (failed(verify_feature_region(op, feature, op.num_features(), op.extras(), q)) ||
      failed(verify_tables(op, op.num_tables(), op.extras(), op.feature_count())) ||
      failed(verify_attention_regions(op, op.score(), op.mask(), op.score_extras(), q, k)) ||
      failed(verify_normalizer(op, op.normalizer(), op.top_k())))
    return failure();
  for (auto [type, name] :
       {std::pair(q, "query"), std::pair(k, "key"), std::pair(result, "result")})
    if (type && (type.getRank() < 2 || type.getRank() > 4))
      return op.emitOpError() << "needs a " << name << " of rank 2 to 4 ([..., S, D]), got "
                              << type;
  if (!q || !k)
    return success();
  if (q.getRank() != k.getRank() || (result && result.getRank() != q.getRank()))
    return op.emitOpError() << "needs query, key and result of one rank, got " << q << ", " << k
                            << " and " << result;
  int64_t n = q.getRank();
  if (!sizes_agree(q.getDimSize(n - 1), k.getDimSize(n - 1)))
    return op.emitOpError() << "query and key differ in vector length: " << q << " and " << k;
  for (int64_t i = 0; i + 2 < n; ++i)
    if (!serves(q.getDimSize(i), k.getDimSize(i), i, n) ||
        (result && !sizes_agree(q.getDimSize(i), result.getDimSize(i))))
      return op.emitOpError() << "query, key and result differ on leading axis " << i;
  if (result && (!sizes_agree(q.getDimSize(n - 2), result.getDimSize(n - 2)) ||
                 !sizes_agree(k.getDimSize(n - 2), result.getDimSize(n - 1))))
    return op.emitOpError() << "needs a result of [..., Sq, Sk] for query " << q << " and key " << k
                            << ", got " << result;
  return success();
}

LogicalResult verify_op(LookupOp op) {
  Operation *parent = op->getParentOp();
  Region *region = op->getParentRegion();
  OperandRange tables = OperandRange(nullptr, 0);
  if (auto attention = dyn_cast_or_null<AttentionOp>(parent);
      attention && (region == &attention.score() || (!attention.contribution().empty() &&
                                                     region == &attention.contribution().front())))
    tables = attention.tables();
  else if (auto weights = dyn_cast_or_null<AttentionWeightsOp>(parent);
           weights && region == &weights.score())
    tables = weights.tables();
  else
    return op.emitOpError(
        "is only meaningful in the score or contribution region of an attn.attention");
  uint64_t table = op.table();
  if (table >= tables.size())
    return op.emitOpError() << "reads table " << table << " of an attention with " << tables.size()
                            << " tables";
  auto type = ranked(tables[table]);
  if (type && type.getRank() != static_cast<int64_t>(op.indices().size()))
    return op.emitOpError() << "needs " << type.getRank() << " indices for table " << type
                            << ", got " << op.indices().size();
  // In the contribution region, the value's element index `e` reads along an axis as long as
  // the value's rows.
  auto attention = dyn_cast_or_null<AttentionOp>(parent);
  if (!type || !attention || region == &attention.score() || region->front().getNumArguments() < 6)
    return success();
  Value element = region->front().getArgument(5);
  auto v = ranked(attention.value());
  for (auto entry : llvm::enumerate(op.indices())) {
    if (entry.value() != element || !v)
      continue;
    int64_t row = type.getDimSize(entry.index()), length = v.getDimSize(v.getRank() - 1);
    // A value whose length is known only at run time could differ from the rows: refused.
    if (ShapedType::isDynamic(length) && !ShapedType::isDynamic(row))
      return op.emitOpError() << "reads rows of " << row << " elements from table " << type
                              << " for values whose length is known only at run time; "
                              << "declare the value's last axis as " << row;
    if (!sizes_agree(row, length))
      return op.emitOpError() << "reads rows of " << size_str(row) << " elements from table "
                              << type << " for values of " << size_str(length) << " elements";
  }
  return success();
}

LogicalResult verify_op(ScoreDimOp op) {
  for (Operation *parent = op->getParentOp(); parent; parent = parent->getParentOp())
    if (isa<AttentionOp, AttentionWeightsOp>(parent))
      return success();
  return op.emitOpError("is only meaningful inside the score or mask of an attn.attention");
}

LogicalResult verify_op(AssertShapeOp op) {
  ArrayAttr dims = op.dims();
  for (auto entry : llvm::enumerate(dims)) {
    Attribute a = entry.value();
    if (auto i = a.dyn_cast<IntegerAttr>()) {
      if (i.getInt() < 0)
        return op.emitOpError() << "declares a negative size " << i.getInt();
      continue;
    }
    auto s = a.dyn_cast<StringAttr>();
    if (!s || s.getValue().empty())
      return op.emitOpError() << "dims entries must be sizes or symbol names, got " << a;
    if (s.getValue() == "..." && entry.index() != 0)
      return op.emitOpError("may only start with \"...\", not have it after another axis");
  }
  return success();
}

} // namespace mlir::attn
