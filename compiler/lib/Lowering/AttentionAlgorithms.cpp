// Halide definitions of attention (attn.attention) and of its weights alone
// (attn.attention_weights, for attention maps). Both share the stages up to the softmax's
// numerator and denominator, so a dumped map is computed exactly as the attention that uses it.
#include "Algorithms.h"

#include <cfloat>
#include <cmath>

using namespace Halide;

namespace attn::compiler::lowering {

namespace {

/// 2^t for t <= 0, relative error below 1e-7 down to the smallest normal float and 0 below it
/// (t is clamped to [-127, 0] first, so -inf gives 0 and rounding just above 0 gives 1): t = n + f
/// with n whole and |f| <= 1/2, 2^f by its Taylor series to degree 7 (error under 5e-9), 2^n
/// from exponent bits. About half the instructions of exp, which matters in attention's online
/// form (one per score).
Expr exp2_nonpositive(Expr t) {
  t = clamp(t, -127.0f, 0.0f);
  Expr n = cast<float>(cast<int32_t>(t - 0.5f)); // t - 0.5 rounded toward 0: up, for t < 0.5
  Expr f = t - n;
  const float c[] = {1.0f,           0.693147181f,   0.240226507f,   0.0555041087f,
                     0.00961812911f, 0.00133335581f, 1.54035304e-4f, 1.52527338e-5f};
  Expr p = c[7];
  for (int k = 6; k >= 0; --k)
    p = p * f + c[k];
  Expr scale = reinterpret(Float(32), cast<int32_t>(max(n, -126.0f) + 127.0f) << 23);
  return select(t < -126.0f, 0.0f, p * scale);
}

std::vector<Expr> with(std::vector<Expr> prefix, std::initializer_list<Expr> rest) {
  prefix.insert(prefix.end(), rest);
  return prefix;
}

/// The leading indices at which query row `batch` reads the key or value `kv`. A leading axis
/// of size 1 serves every query batch (or head): multi-query attention, and a parameter's rows
/// taking the key's place (`W[j]`). Grouped-query attention: `kv` may have fewer heads (axis 1
/// of [B, H, S, D], static, a divisor of the query's) and query head h then reads head
/// h / (Hq / Hkv), as PyTorch's repeat_interleave.
std::vector<Expr> kv_batch(std::vector<Expr> batch, const HTensor &q, const HTensor &kv) {
  using Halide::Internal::as_const_int, Halide::Internal::simplify;
  for (size_t a = 0; a < batch.size(); ++a) {
    const int64_t *nq = as_const_int(simplify(q.extents[a]));
    const int64_t *nkv = as_const_int(simplify(kv.extents[a]));
    if (nkv && *nkv == 1 && !(nq && *nq == 1))
      batch[a] = 0;
    else if (a == 1 && nq && nkv && *nkv > 0 && *nq != *nkv)
      batch[a] = batch[a] / static_cast<int>(*nq / *nkv);
  }
  return batch;
}

/// True when `e` reads a Func or a buffer (a mask given as a tensor), false when it is a function
/// of the indices alone (causal, windows).
bool reads_memory(const Expr &e) {
  class Finder : public Halide::Internal::IRVisitor {
  public:
    bool found = false;

  private:
    using IRVisitor::visit;
    void visit(const Halide::Internal::Call *op) override {
      if (op->call_type == Halide::Internal::Call::Halide ||
          op->call_type == Halide::Internal::Call::Image)
        found = true;
      IRVisitor::visit(op);
    }
  } finder;
  e.accept(&finder);
  return finder.found;
}

/// True when `e` reads the variable `name` other than in the arguments of a call to `f`.
bool uses_var_outside(const Expr &e, const std::string &name, const std::string &f) {
  class Finder : public Halide::Internal::IRVisitor {
  public:
    Finder(const std::string &name, const std::string &f) : name_(name), f_(f) {}
    bool found = false;

  private:
    using IRVisitor::visit;
    void visit(const Halide::Internal::Variable *op) override { found |= op->name == name_; }
    void visit(const Halide::Internal::Call *op) override {
      if (op->name != f_)
        IRVisitor::visit(op);
    }
    const std::string &name_, &f_;
  } finder(name, f);
  e.accept(&finder);
  return finder.found;
}

/// True when `e` calls `f` inside a branch of a select whose condition depends on `row` or `key`
/// (`dot(q, k) if j <= i else ...`): bounds inference then asks for `f` on the positions that
/// take that branch only. A condition on `f`'s value alone (the select inside `tanh` of the dot)
/// does not count, although `f`'s arguments are positions.
bool calls_under_position_select(const Expr &e, const Func &f, const Var &row, const Var &key) {
  class Finder : public Halide::Internal::IRVisitor {
  public:
    Finder(std::string f, const Var &row, const Var &key)
        : f_(std::move(f)), row_(row), key_(key) {}
    bool found = false;

  private:
    using IRVisitor::visit;
    void visit(const Halide::Internal::Select *op) override {
      op->condition.accept(this);
      bool by_position = uses_var_outside(op->condition, row_.name(), f_) ||
                         uses_var_outside(op->condition, key_.name(), f_);
      depth_ += by_position;
      op->true_value.accept(this);
      op->false_value.accept(this);
      depth_ -= by_position;
    }
    void visit(const Halide::Internal::Call *op) override {
      if (depth_ > 0 && op->name == f_)
        found = true;
      IRVisitor::visit(op);
    }
    std::string f_;
    Var row_, key_;
    int depth_ = 0;
  } finder(f.name(), row, key);
  e.accept(&finder);
  return finder.found;
}

/// An interval of a variable: `count` values from `first`.
struct Span {
  Var var;
  Expr first;
  int count;
};

/// Whether `mask` may hold for some point of the box `spans` (a block of keys, of query rows, or
/// a tile of rows × a block of keys): a necessary condition that does not vary within the box
/// (`true` where Halide's interval analysis cannot tell).
Expr may_keep_in_box(const Expr &mask, std::initializer_list<Span> spans) {
  Halide::Internal::Scope<Halide::Internal::Interval> box;
  for (const Span &s : spans)
    box.push(s.var.name(), Halide::Internal::Interval(s.first, s.first + (s.count - 1)));
  // and_condition_over_domain gives a condition that implies !mask over the whole box.
  Expr none = Halide::Internal::and_condition_over_domain(!mask, box);
  return Halide::Internal::simplify(!none);
}

Expr may_keep_in_block(const Expr &mask, const Var &var, const Expr &first, int count) {
  return may_keep_in_box(mask, {{var, first, count}});
}

/// Defines the stages of `at_` up to `exp` and `sum` (keys, dot, score, max, exp, sum) for
/// q [..., Sq, D] and k [..., Sk, D]; `at_.vars` must hold the output's row-major vars, whose
/// first nb + 1 are [batch..., i].
void define_scores(const std::string &name, const HTensor &q, const HTensor &k,
                   const AttentionRegions &regions, int key_block, AttentionFuncs &at_) {
  int nb = q.rank() - 2;
  Expr d_extent = q.extents[nb + 1];
  Expr sk = k.extents[nb];
  if (const int64_t *rows =
          Halide::Internal::as_const_int(Halide::Internal::simplify(q.extents[nb])))
    at_.query_rows = static_cast<int>(*rows);
  const bool decoder_step = at_.query_rows > 0 && at_.query_rows < kRowBlock;
  // The online form takes a softmax over more query rows than a decoder step.
  if (key_block > 0 && regions.normalizer == AttentionRegions::Normalizer::Softmax && !decoder_step)
    at_.key_block = key_block;
  const bool online = at_.key_block > 0;
  at_.key = Var("key");
  at_.key_blk = Var("kb");
  at_.d = RDom(0, d_extent, name + "_d");
  at_.j = RDom(0, sk, name + "_j");
  at_.jb = RDom(0, (sk + (kKeyBlock - 1)) / kKeyBlock, 0, kKeyBlock, name + "_jb");

  std::vector<Expr> batch(at_.vars.begin(), at_.vars.begin() + nb);
  Expr i = at_.vars[nb];
  Expr b = nb >= 1 ? batch[0] : Expr(0);
  Expr h = nb >= 2 ? batch[1] : Expr(0);
  // Funcs over [batch..., i, key] are called in Halide order (key, i, batch reversed).
  auto row_call = [&](Func f, Expr key) {
    std::vector<Expr> idx = with(batch, {i, key});
    return f(std::vector<Expr>(idx.rbegin(), idx.rend()));
  };
  // The dot products and scores of the online form are over [batch..., i, kb, key]: key block
  // kb, key a position within it.
  auto score_call = [&](Func f) {
    if (!online)
      return row_call(f, at_.key);
    std::vector<Expr> idx = with(batch, {i, at_.key_blk, at_.key});
    return f(std::vector<Expr>(idx.rbegin(), idx.rend()));
  };
  auto row_only = [&](Func f) {
    std::vector<Expr> idx = with(batch, {i});
    return f(std::vector<Expr>(idx.rbegin(), idx.rend()));
  };
  std::vector<Var> row_vars(at_.vars.begin(), at_.vars.begin() + nb + 1);
  std::vector<Var> score_vars = row_vars;
  if (online)
    score_vars.push_back(at_.key_blk);
  score_vars.push_back(at_.key);
  // The key position of a score.
  Expr key = online ? at_.key_blk * key_block + at_.key : Expr(at_.key);

  Func dot(name + "_dot");
  at_.dot = dot;
  define(dot, score_vars, 0.0f);
  // Keys transposed to [batch..., D, Sk], so that a vector of keys is contiguous; over the
  // key's own leading axes, so that a key head that serves several query heads (grouped
  // queries), or a key shared by the batch, is transposed once.
  at_.keys = Func(name + "_keys");
  Var kd("kd");
  std::vector<Var> key_vars(at_.vars.begin(), at_.vars.begin() + nb);
  std::vector<Expr> key_lead(key_vars.begin(), key_vars.end());
  key_vars.push_back(kd);
  key_vars.push_back(at_.key);
  define(at_.keys, key_vars, at(k, clamped_index(k, with(key_lead, {at_.key, kd}))));
  std::vector<Expr> keys_idx = with(kv_batch(batch, q, k), {at_.d.x, key});
  Expr qa = at(q, with(batch, {i, at_.d.x}));
  Expr ka = at_.keys(std::vector<Expr>(keys_idx.rbegin(), keys_idx.rend()));
  score_call(dot) += regions.feature ? regions.feature(qa, ka, at_.d.x) : qa * ka;

  Expr keep = regions.mask ? regions.mask(b, h, i, key) : Expr();
  // A mask of the indices alone bounds the reductions over keys instead: each row visits only
  // the keys it keeps, and bounds inference derives from it the keys a tile of rows needs, so
  // the scores of whole blocks of keys a tile cannot see (above the causal diagonal, outside a
  // window) are never computed. The scores themselves are then left unmasked, so that the
  // region of dot products a block of rows needs stays a box. A mask read from a tensor is
  // applied by value.
  const bool by_index = keep.defined() && !reads_memory(keep);
  // The row reductions (max, sum) visit keys in aligned blocks, skipping a block only when no
  // key of it is kept, so that a vector of a block's keys shares one condition; keys past Sk
  // and keys the mask drops inside a kept block are excluded by value.
  Expr block_key = at_.jb.x * kKeyBlock + at_.jb.y;
  Expr in_block = block_key < sk;
  at_.index_mask = by_index;
  if (by_index) {
    // The value sum visits, for an aligned block of kRowBlock rows, the keys some row of it
    // keeps: one condition for the rows a register block shares (exp is zero where a row's
    // own mask drops a key).
    Var row("row");
    at_.j.where(may_keep_in_block(regions.mask(b, h, row, at_.j.x), row,
                                  (i / kRowBlock) * kRowBlock, kRowBlock));
    at_.jb.where(
        may_keep_in_block(regions.mask(b, h, i, key), at_.key, at_.jb.x * kKeyBlock, kKeyBlock));
    in_block = in_block && regions.mask(b, h, i, block_key);
  }
  Expr logit = regions.score ? regions.score(score_call(dot), b, h, i, key) : score_call(dot);
  at_.dot_by_position = calls_under_position_select(logit, dot, at_.vars[nb], at_.key);
  at_.score = Func(name + "_score");
  define(at_.score, score_vars,
         keep.defined() && !by_index ? select(keep, logit, -FLT_MAX) : logit);
  if (online)
    return; // define_online takes it from here

  at_.max = Func(name + "_max");
  define(at_.max, row_vars, -FLT_MAX);
  row_only(at_.max) =
      max(row_only(at_.max), select(in_block, row_call(at_.score, block_key), -FLT_MAX));

  // A key counts for argmax and topk when it is in Sk and kept (by index or by value).
  Expr counts = in_block;
  if (keep.defined() && !by_index)
    counts = counts && regions.mask(b, h, i, block_key);
  if (regions.normalizer == AttentionRegions::Normalizer::Argmax) {
    at_.first = Func(name + "_first");
    define(at_.first, row_vars, sk);
    Expr is_max = counts && row_call(at_.score, block_key) == row_only(at_.max);
    row_only(at_.first) = min(row_only(at_.first), select(is_max, block_key, sk));
  }
  Expr threshold;
  if (regions.normalizer == AttentionRegions::Normalizer::TopK) {
    // From the row maximum down to the k-th largest score: each step keeps the threshold when
    // k keys reach it already, else lowers it to the largest score below it.
    threshold = row_only(at_.max);
    for (int step = 1; step < regions.top_k; ++step) {
      Func f(name + "_top" + std::to_string(step));
      f(std::vector<Var>(row_vars.rbegin(), row_vars.rend())) = Tuple(0, -FLT_MAX);
      Expr s = row_call(at_.score, block_key);
      Expr count = row_only(f)[0], below = row_only(f)[1];
      row_only(f) = Tuple(count + select(counts && s >= threshold, 1, 0),
                          max(below, select(counts && s < threshold, s, -FLT_MAX)));
      at_.thresholds.push_back(f);
      threshold = select(row_only(f)[0] >= regions.top_k, threshold, row_only(f)[1]);
    }
  }

  Expr e = exp(row_call(at_.score, key) - row_only(at_.max));
  if (threshold.defined())
    e = select(row_call(at_.score, key) >= threshold, e, 0.0f);
  at_.exp = Func(name + "_exp");
  define(at_.exp, score_vars, keep.defined() ? select(keep, e, 0.0f) : e);

  at_.sum = Func(name + "_sum");
  define(at_.sum, row_vars, 0.0f);
  row_only(at_.sum) += select(in_block, row_call(at_.exp, block_key), 0.0f);
}

/// The online form of define_attention (AttentionFuncs::key_block): the weighted sum built block
/// of keys by block, each block normalised by its own maximum and merged into a running state.
void define_online(const std::string &name, const HTensor &q, const HTensor &k, const HTensor &v,
                   const AttentionRegions &regions, AttentionFuncs &at_) {
  const int key_block = at_.key_block;
  int nb = q.rank() - 2;
  std::vector<Var> row_vars(at_.vars.begin(), at_.vars.begin() + nb + 1);
  std::vector<Expr> batch(at_.vars.begin(), at_.vars.begin() + nb);
  Var i = at_.vars[nb], dv = at_.vars[nb + 1], kb = at_.key_blk, jj("jj");
  Expr b = nb >= 1 ? batch[0] : Expr(0), h = nb >= 2 ? batch[1] : Expr(0);
  Expr sk = k.extents[nb];
  // A call of a Func over [batch..., rest...].
  auto call = [&](Func f, std::initializer_list<Expr> rest) {
    std::vector<Expr> idx = with(batch, rest);
    return f(std::vector<Expr>(idx.rbegin(), idx.rend()));
  };
  auto vars_of = [&](std::vector<Var> prefix, std::initializer_list<Var> rest) {
    prefix.insert(prefix.end(), rest);
    return prefix;
  };
  at_.blocks = RDom(0, (sk + (key_block - 1)) / key_block, name + "_r");
  at_.block_lanes = RDom(0, key_block / kKeyBlock, 0, kKeyBlock, name + "_jl");
  at_.block_keys = RDom(0, key_block, name + "_jk");
  // The position in its block of a key the maximum and sum visit, and the key the value sum does.
  Expr lane = at_.block_lanes.x * kKeyBlock + at_.block_lanes.y;
  Expr vkey = kb * key_block + at_.block_keys.x;
  // A mask of the indices alone bounds the loops instead of weighing keys by value only: a
  // tile's step skips a block no row of the tile keeps a key of, a row's maximum and sum visit
  // the runs of kKeyBlock keys some row of its tile keeps (one bound for the tile, so that the
  // scores a step needs are one box), and the value sum of a register block of kRowBlock rows
  // the keys some row of it keeps. Bounds inference derives from these the keys whose scores a
  // tile needs, so the blocks it cannot see (above the causal diagonal, outside a window) are
  // never scored.
  const bool by_index = at_.index_mask;
  Var tile("tile"), ii("ii");
  if (by_index) {
    Var key_var("key_pos"), row("row");
    Expr keeps = regions.mask(b, h, row, key_var);
    at_.blocks.where(may_keep_in_box(keeps, {{row, tile * kQueryTile, kQueryTile},
                                             {key_var, at_.blocks.x * key_block, key_block}}));
    at_.block_lanes.where(may_keep_in_box(
        keeps, {{row, (i / kQueryTile) * kQueryTile, kQueryTile},
                {key_var, kb * key_block + at_.block_lanes.x * kKeyBlock, kKeyBlock}}));
    at_.block_keys.where(vkey < sk && may_keep_in_block(regions.mask(b, h, row, vkey), row,
                                                        (i / kRowBlock) * kRowBlock, kRowBlock));
  } else {
    at_.block_keys.where(vkey < sk);
  }

  at_.block_max = Func(name + "_bmax");
  define(at_.block_max, vars_of(row_vars, {kb}), -FLT_MAX);
  Expr lane_key = kb * key_block + lane;
  call(at_.block_max, {i, kb}) =
      max(call(at_.block_max, {i, kb}),
          select(by_index ? lane_key < sk && regions.mask(b, h, i, lane_key) : lane_key < sk,
                 call(at_.score, {i, kb, lane}), -FLT_MAX));

  // A block's weights are exp(score - its maximum), as 2^((score - maximum) · log2 e): the
  // difference is exact near the maximum, so logits of 1e4 and more keep their precision.
  const float log2e = float(M_LOG2E);
  // A key past Sk, or one a mask drops, weighs 0.
  Expr key = kb * key_block + jj;
  Expr kept = key < sk;
  if (regions.mask)
    kept = kept && regions.mask(b, h, i, key);
  Expr t = (call(at_.score, {i, kb, jj}) - call(at_.block_max, {i, kb})) * log2e;
  Expr w = select(kept, exp2_nonpositive(t), 0.0f);
  at_.weights = Func(name + "_weights");
  define(at_.weights, vars_of(row_vars, {kb, jj}), w);
  Func weighted = at_.weights;
  if (regions.value_scale) {
    // The value region's scale applies to the values' sum only: the softmax's denominator sums
    // the weights unscaled (local-p's rows sum to less than 1).
    at_.weighted = Func(name + "_weighted");
    Expr e = call(at_.weights, {i, kb, jj});
    define(at_.weighted, vars_of(row_vars, {kb, jj}),
           select(e == 0.0f, 0.0f, e * regions.value_scale(b, h, i, key)));
    weighted = at_.weighted;
  }

  at_.block_sum = Func(name + "_bsum");
  define(at_.block_sum, vars_of(row_vars, {kb}), 0.0f);
  call(at_.block_sum, {i, kb}) += call(at_.weights, {i, kb, lane});

  std::vector<Var> lead(at_.vars.begin(), at_.vars.begin() + nb);
  at_.block_acc = Func(name + "_bacc");
  define(at_.block_acc, vars_of(lead, {kb, i, dv}), 0.0f);
  Expr weight = call(weighted, {i, kb, at_.block_keys.x});
  Expr v_element = at(v, with(kv_batch(batch, q, v), {vkey, dv}));
  Expr term = weight * (regions.value ? regions.value(v_element, b, h, i, vkey, dv) : v_element);
  // A dropped key's contribution, which the value region may make inf or NaN, is not added.
  call(at_.block_acc, {kb, i, dv}) += regions.value ? select(weight == 0.0f, 0.0f, term) : term;

  // Merging block r into the state: with m the larger of the state's maximum and the block's,
  // what the state holds is scaled by exp(its maximum - m) and the block's sums by
  // exp(block maximum - m); one of the two factors is 1 and the other exp(-|difference|). The
  // maxima start at -FLT_MAX, which every block's maximum reaches, so no difference is NaN.
  // The state is over [batch..., tile, ii, dv], row tile * kQueryTile + ii, so that a step can
  // be skipped for a whole tile.
  at_.state = Func(name + "_state");
  at_.tile = tile;
  at_.tile_row = ii;
  std::vector<Var> state_vars = vars_of(lead, {tile, ii, dv});
  at_.state(std::vector<Var>(state_vars.rbegin(), state_vars.rend())) = Tuple(-FLT_MAX, 0.0f, 0.0f);
  Expr r = at_.blocks.x, row_of = tile * kQueryTile + ii;
  Expr m = call(at_.state, {tile, ii, dv})[0], l = call(at_.state, {tile, ii, dv})[1];
  Expr a = call(at_.state, {tile, ii, dv})[2];
  Expr bm = call(at_.block_max, {row_of, r});
  Expr rises = bm > m, e = exp2_nonpositive(-abs(m - bm) * log2e);
  Expr old_scale = select(rises, e, 1.0f), block_scale = select(rises, 1.0f, e);
  call(at_.state, {tile, ii, dv}) =
      Tuple(max(m, bm), l * old_scale + call(at_.block_sum, {row_of, r}) * block_scale,
            a * old_scale + call(at_.block_acc, {r, row_of, dv}) * block_scale);
}

std::vector<Expr> batch_extents(const HTensor &q) {
  return std::vector<Expr>(q.extents.begin(), q.extents.end() - 2);
}

} // namespace

AttentionFuncs define_attention(const std::string &name, const HTensor &q, const HTensor &k,
                                const HTensor &v, const AttentionRegions &regions, int key_block) {
  AttentionFuncs at_;
  int nb = q.rank() - 2;
  at_.vars = make_vars(nb + 2, "o"); // [batch..., i, dv]
  define_scores(name, q, k, regions, key_block, at_);
  std::vector<Expr> batch(at_.vars.begin(), at_.vars.begin() + nb);
  Expr i = at_.vars[nb], jr = at_.j.x;
  std::vector<Expr> row_idx = with(batch, {i});
  Expr dv_extent = v.extents[nb + 1];
  std::vector<Expr> extents = batch_extents(q);
  extents.push_back(q.extents[nb]);
  extents.push_back(dv_extent);
  at_.out = HTensor{Func(name), extents};
  if (const int64_t *dv_static =
          Halide::Internal::as_const_int(Halide::Internal::simplify(dv_extent)))
    at_.value_dim = static_cast<int>(*dv_static);

  if (at_.key_block > 0) {
    define_online(name, q, k, v, regions, at_);
    std::vector<Expr> idx = with(batch, {i / kQueryTile, i % kQueryTile, at_.vars[nb + 1]});
    auto state = at_.state(std::vector<Expr>(idx.rbegin(), idx.rend()));
    // A row whose keys are all masked has sum 0: it yields zeros, not NaN.
    define(at_.out.func, at_.vars, select(state[1] > 0.0f, state[2] / state[1], 0.0f));
    return at_;
  }

  Expr total = at_.sum(std::vector<Expr>(row_idx.rbegin(), row_idx.rend()));
  at_.acc = Func(name + "_acc");
  define(at_.acc, at_.vars, 0.0f);
  Expr dv = at_.vars[nb + 1];
  std::vector<Expr> acc_idx = with(batch, {i, dv});
  std::vector<Expr> exp_idx = with(batch, {i, jr});
  Expr b = nb >= 1 ? batch[0] : Expr(0), h = nb >= 2 ? batch[1] : Expr(0);
  // What key `key` gives to element dv of row i: the value's element, or the value region's
  // function of it.
  auto contribution = [&](Expr v_element, Expr key) {
    return regions.value ? regions.value(v_element, b, h, i, key, dv) : v_element;
  };
  // A key the mask removes may still be visited (a block of rows shares its keys) with weight
  // 0: its contribution, which the value region may make inf or NaN there, is not added.
  Expr weight = at_.exp(std::vector<Expr>(exp_idx.rbegin(), exp_idx.rend()));
  if (regions.value_scale) {
    // The value region's scale applied once per weight, beside exp.
    std::vector<Var> weight_vars(at_.vars.begin(), at_.vars.begin() + nb + 1);
    weight_vars.push_back(at_.key);
    std::vector<Expr> at_key = with(batch, {i, at_.key});
    Expr e = at_.exp(std::vector<Expr>(at_key.rbegin(), at_key.rend()));
    at_.weighted = Func(name + "_weighted");
    define(at_.weighted, weight_vars,
           select(e == 0.0f, 0.0f, e * regions.value_scale(b, h, i, at_.key)));
    weight = at_.weighted(std::vector<Expr>(exp_idx.rbegin(), exp_idx.rend()));
  }
  Expr term = weight * contribution(at(v, with(kv_batch(batch, q, v), {jr, dv})), jr);
  at_.acc(std::vector<Expr>(acc_idx.rbegin(), acc_idx.rend())) +=
      regions.value ? select(weight == 0.0f, 0.0f, term) : term;

  Expr acc = at_.acc(std::vector<Expr>(acc_idx.rbegin(), acc_idx.rend()));
  if (at_.first.defined()) {
    // Hard attention: the value of the first key with the largest score.
    Expr first = at_.first(std::vector<Expr>(row_idx.rbegin(), row_idx.rend()));
    Expr picked =
        contribution(at(v, clamped_index(v, with(kv_batch(batch, q, v), {first, dv}))), first);
    if (regions.value_scale)
      picked = picked * regions.value_scale(b, h, i, first);
    define(at_.out.func, at_.vars, select(first < k.extents[nb], picked, 0.0f));
    return at_;
  }
  // A row whose keys are all masked has total 0: it yields zeros, not NaN.
  define(at_.out.func, at_.vars, select(total > 0.0f, acc / total, 0.0f));
  return at_;
}

AttentionFuncs define_attention_weights(const std::string &name, const HTensor &q, const HTensor &k,
                                        const AttentionRegions &regions) {
  AttentionFuncs at_;
  int nb = q.rank() - 2;
  // The output's last var is the key position, so that it indexes `exp` directly.
  at_.vars = make_vars(nb + 1, "o");
  at_.vars.push_back(Var("key"));
  define_scores(name, q, k, regions, 0, at_);
  at_.weights_only = true;
  std::vector<Expr> batch(at_.vars.begin(), at_.vars.begin() + nb);
  std::vector<Expr> row_idx = with(batch, {at_.vars[nb]});
  Expr total = at_.sum(std::vector<Expr>(row_idx.rbegin(), row_idx.rend()));
  std::vector<Expr> extents = batch_extents(q);
  extents.push_back(q.extents[nb]);
  extents.push_back(k.extents[nb]);
  at_.out = HTensor{Func(name), extents};
  std::vector<Expr> all = to_exprs(at_.vars);
  if (at_.first.defined()) {
    Expr first = at_.first(std::vector<Expr>(row_idx.rbegin(), row_idx.rend()));
    define(at_.out.func, at_.vars, select(at_.vars[nb + 1] == first, 1.0f, 0.0f));
    return at_;
  }
  Expr e = at_.exp(std::vector<Expr>(all.rbegin(), all.rend()));
  define(at_.out.func, at_.vars, select(total > 0.0f, e / total, 0.0f));
  return at_;
}

} // namespace attn::compiler::lowering
