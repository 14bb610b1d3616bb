#include "LowerAttention.h"

#include "RegionEval.h"

#include "mlir/IR/BuiltinTypes.h"

#include <map>

namespace attn::compiler::lowering {

using Halide::Expr;

mlir::FailureOr<AttentionRegions> attention_regions(mlir::Operation *op, Expr score_dim,
                                                    const std::vector<AttentionExtra> &all_extras) {
  AttentionRegions regions;
  if (auto normalizer = op->getAttrOfType<mlir::StringAttr>("normalizer")) {
    if (normalizer.getValue() == "argmax")
      regions.normalizer = AttentionRegions::Normalizer::Argmax;
    if (normalizer.getValue() == "topk") {
      regions.normalizer = AttentionRegions::Normalizer::TopK;
      regions.top_k = static_cast<int>(op->getAttrOfType<mlir::IntegerAttr>("top_k").getInt());
    }
  }
  // The last num_features extras are the feature region's vectors, the num_tables before them
  // the tables of attn.lookup, the others broadcast to the scores.
  size_t feature_count = 0, table_count = 0;
  if (auto count = op->getAttrOfType<mlir::IntegerAttr>("num_features"))
    feature_count = static_cast<size_t>(count.getInt());
  if (auto count = op->getAttrOfType<mlir::IntegerAttr>("num_tables"))
    table_count = static_cast<size_t>(count.getInt());
  std::vector<AttentionExtra> extras(all_extras.begin(),
                                     all_extras.end() - feature_count - table_count);
  std::vector<HTensor> tables, vectors;
  for (size_t x = extras.size(); x < all_extras.size() - feature_count; ++x)
    tables.push_back(all_extras[x].tensor);
  for (size_t x = all_extras.size() - feature_count; x < all_extras.size(); ++x)
    vectors.push_back(all_extras[x].tensor);
  // A table's element at computed indices, clamped to the table (the region's indices are
  // placeholders, substituted with the rest of its expression).
  TableLookup lookup = [tables](int64_t table, const std::vector<Expr> &indices) {
    const HTensor &t = tables[static_cast<size_t>(table)];
    return at(t, clamped_index(t, indices));
  };
  auto placeholder = [](const char *name, bool is_float = false) {
    return Halide::Internal::Variable::make(is_float ? Halide::Float(32) : Halide::Int(32), name);
  };
  mlir::Region &score = op->getRegion(0), &mask = op->getRegion(1);
  // Leading axes of the scores: the query's rank less its last two.
  auto query = op->getOperand(0).getType().dyn_cast<mlir::RankedTensorType>();
  size_t leading = query ? static_cast<size_t>(query.getRank()) - 2 : 0;
  // The placeholders of the region's arguments, and their values at a score's indices: each
  // extra's element at (..., i, j), clamped, since score tiles may round the key axis up past
  // Sk (those scores are never used).
  auto extra_args = [&](std::vector<Expr> args) {
    for (size_t x = 0; x < extras.size(); ++x)
      args.push_back(placeholder(("re" + std::to_string(x)).c_str(), true));
    return args;
  };
  // An extra with the key's heads, fewer than the query's (grouped-query attention), is read
  // at the key head of query head h, h / group.
  std::vector<int> head_group(extras.size(), 1);
  for (size_t x = 0; x < extras.size(); ++x) {
    const HTensor &t = extras[x].tensor;
    if (leading != 2 || t.extents.size() != 4 || !query || query.isDynamicDim(1))
      continue;
    const int64_t *heads = Halide::Internal::as_const_int(Halide::Internal::simplify(t.extents[1]));
    if (heads && *heads > 1 && *heads != query.getDimSize(1) && query.getDimSize(1) % *heads == 0)
      head_group[x] = static_cast<int>(query.getDimSize(1) / *heads);
  }
  auto substitute = [extras, leading, head_group](const Expr &e, std::map<std::string, Expr> repl,
                                                  Expr b, Expr h, Expr i, Expr j) {
    repl.insert({{"rb", b}, {"rh", h}, {"ri", i}, {"rj", j}});
    std::vector<Expr> index = {b, h};
    index.resize(leading);
    index.push_back(i);
    index.push_back(j);
    for (size_t x = 0; x < extras.size(); ++x) {
      const HTensor &t = extras[x].tensor;
      std::vector<Expr> at_index;
      for (size_t a = 0; a < t.extents.size(); ++a)
        at_index.push_back(extras[x].ones[a] ? Expr(0)
                                             : index[index.size() - t.extents.size() + a]);
      if (head_group[x] > 1)
        at_index[1] = at_index[1] / head_group[x];
      repl["re" + std::to_string(x)] = at(t, clamped_index(t, at_index));
    }
    return Halide::Internal::substitute(repl, e);
  };
  if (!score.empty()) {
    auto body = eval_region(score,
                            extra_args({placeholder("rs", true), placeholder("rb"),
                                        placeholder("rh"), placeholder("ri"), placeholder("rj")}),
                            score_dim, lookup);
    if (failed(body))
      return mlir::failure();
    Expr e = *body;
    regions.score = [=](Expr s, Expr b, Expr h, Expr i, Expr j) {
      return substitute(e, {{"rs", s}}, b, h, i, j);
    };
  }
  if (!mask.empty()) {
    // The mask region takes the extras too when it reads a mask given as a tensor.
    std::vector<Expr> args = {placeholder("rb"), placeholder("rh"), placeholder("ri"),
                              placeholder("rj")};
    if (mask.front().getNumArguments() > args.size())
      args = extra_args(args);
    auto body = eval_region(mask, args, score_dim);
    if (failed(body))
      return mlir::failure();
    Expr e = *body;
    regions.mask = [=](Expr b, Expr h, Expr i, Expr j) { return substitute(e, {}, b, h, i, j); };
  }
  // The contribution region (attn.attention only): what key j gives to element e of row i.
  if (op->getNumRegions() > 3 && !op->getRegion(3).empty()) {
    auto body =
        eval_region(op->getRegion(3),
                    extra_args({placeholder("rv", true), placeholder("rb"), placeholder("rh"),
                                placeholder("ri"), placeholder("rj"), placeholder("rvd")}),
                    score_dim, lookup);
    if (failed(body))
      return mlir::failure();
    Expr e = *body;
    // v * scale, the scale free of v and of the element: a factor of the weight.
    const auto *product = e.as<Halide::Internal::Mul>();
    auto is_v = [](const Expr &x) {
      const auto *var = x.as<Halide::Internal::Variable>();
      return var && var->name == "rv";
    };
    Expr scale = !product           ? Expr()
                 : is_v(product->a) ? product->b
                 : is_v(product->b) ? product->a
                                    : Expr();
    if (scale.defined() && !Halide::Internal::expr_uses_var(scale, "rv") &&
        !Halide::Internal::expr_uses_var(scale, "rvd")) {
      regions.value_scale = [=](Expr b, Expr h, Expr i, Expr j) {
        return substitute(scale, {}, b, h, i, j);
      };
    } else {
      regions.value = [=](Expr v, Expr b, Expr h, Expr i, Expr j, Expr element) {
        return substitute(e, {{"rv", v}, {"rvd", element}}, b, h, i, j);
      };
    }
  }
  if (op->getNumRegions() > 2 && !op->getRegion(2).empty()) {
    std::vector<Expr> args = {placeholder("rq", true), placeholder("rk", true)};
    for (size_t x = 0; x < vectors.size(); ++x)
      args.push_back(placeholder(("rw" + std::to_string(x)).c_str(), true));
    auto body = eval_region(op->getRegion(2), args, score_dim);
    if (failed(body))
      return mlir::failure();
    Expr e = *body;
    regions.feature = [=](Expr qa, Expr ka, Expr a) {
      std::map<std::string, Expr> repl = {{"rq", qa}, {"rk", ka}};
      for (size_t x = 0; x < vectors.size(); ++x)
        repl["rw" + std::to_string(x)] = at(vectors[x], {a});
      return Halide::Internal::substitute(repl, e);
    };
  }
  return regions;
}

} // namespace attn::compiler::lowering
