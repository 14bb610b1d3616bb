// Schedules of attention (AttentionFuncs). CPU: query rows in tiles that run in parallel over
// batch × heads × tiles. The online form steps each tile through blocks of keys, scoring one
// block at a time (register blocks of rows × key vectors) and summing its weighted values in
// register blocks of rows × value vectors that merge into the running state in place; the
// whole-row form scores a tile against all its keys (or, for a decoder step, key by key),
// reduces per row and then sums the weighted values. GPU: the whole-row form, its scores
// materialised, a thread per output.
#include "Schedules.h"

using namespace Halide;

namespace attn::compiler::lowering {
namespace {

/// A decoder step: fewer query rows than a register block (kRowBlock), known at compile time;
/// typically one. Each key then serves that few rows, so a transposed copy of the keys would
/// cost more than it saves: the keys are read where they are, each dot product a vector sum
/// over the head dim, and tiles and register blocks hold exactly the query rows.
bool is_decoder_step(const AttentionFuncs &at) {
  return at.query_rows > 0 && at.query_rows < kRowBlock;
}

/// The query rows of a tile (the parallel loop's unit) and of a register block.
/// A tile of 32 rows reads each block of keys and values once for twice the rows of 16 (which
/// it was): 5% to 10% faster at S = 4096 and 8192 on AVX-512, the same or better below.
int query_tile(const AttentionFuncs &at) {
  return is_decoder_step(at) ? at.query_rows : kQueryTile;
}
int row_block(const AttentionFuncs &at) { return is_decoder_step(at) ? at.query_rows : kRowBlock; }

/// CPU, a decoder step: the scores of the tile's rows against all keys, one key at a time,
/// each dot product accumulated as a vector of partial sums over the head dim (as narrow as a
/// static head dim below the vector width needs, so that few lanes are summed in the end).
void schedule_decoder_scores(AttentionFuncs at, KernelOutput out, Var par,
                             const ScheduleContext &ctx) {
  int vec = ctx.vector_size;
  if (const int64_t *d = Internal::as_const_int(Internal::simplify(at.d.x.extent())))
    while (vec > 1 && vec / 2 >= *d)
      vec /= 2;
  at.score.compute_at(out.func, par);
  at.dot.compute_at(at.score, at.key);
  if (vec < 2) // a head dim of 1
    return;
  RVar dout("dout"), din("din");
  Var lane("lane");
  Func part =
      at.dot.update().split(at.d.x, dout, din, vec, TailStrategy::GuardWithIf).rfactor(din, lane);
  part.compute_at(at.dot, at.key).vectorize(lane, vec);
  part.update().vectorize(lane, vec);
}

void schedule_tile_scores(AttentionFuncs at, LoopLevel level, const ScheduleContext &ctx);

/// Row reductions over keys computed at `level`, each as kKeyBlock partial results per row
/// (rfactor over `lane`, the key within a run of kKeyBlock), so that they run on whole vectors.
void reduce_by_lanes(const std::vector<Func> &reductions, RVar lane_key, LoopLevel level, Var qi,
                     int vec) {
  for (Func f : reductions) {
    Var lane("lane");
    Func partial = f.update().rfactor(lane_key, lane);
    f.compute_at(level);
    partial.compute_at(f, qi).vectorize(lane, vec).unroll(lane);
    partial.update().vectorize(lane, vec).unroll(lane);
  }
}

/// CPU: the stages up to the softmax's numerator and denominator, computed per tile of query
/// rows (`par`, the parallel loop of `out`): the scores against all keys live in a tile × Sk
/// scratch buffer, so extra memory grows with Sk, not Sq × Sk.
void schedule_attention_scores(AttentionFuncs at, KernelOutput out, Var par,
                               const ScheduleContext &ctx) {
  const int vec = ctx.vector_size;
  size_t nb = out.vars.size() - 2;
  Var qi = at.vars[nb];
  if (is_decoder_step(at))
    schedule_decoder_scores(at, out, par, ctx);
  else
    schedule_tile_scores(at, LoopLevel(out.func, par), ctx);

  // The row maximum and sum over keys (and argmax's first key).
  std::vector<Func> row_reductions = {at.max, at.sum};
  if (at.first.defined())
    row_reductions.push_back(at.first);
  reduce_by_lanes(row_reductions, at.jb.y, LoopLevel(out.func, par), qi, vec);
  // Top-k's thresholds: a few scalar passes over each row's scores in the tile's scratch.
  for (Func f : at.thresholds)
    f.compute_at(out.func, par);
  at.exp.compute_at(out.func, par).vectorize(at.key, vec);
  if (at.weighted.defined())
    at.weighted.compute_at(out.func, par).vectorize(at.key, vec);
}

/// CPU, tiles of many query rows: the keys transposed once, so that the scores are computed in
/// register blocks of rows × key vectors.
void schedule_tile_scores(AttentionFuncs at, LoopLevel level, const ScheduleContext &ctx) {
  const int vec = ctx.vector_size;
  size_t nb = at.vars.size() - 2;
  std::vector<Var> key_vars = row_major_args(at.keys);
  at.keys.compute_root().vectorize(key_vars.back(), vec, TailStrategy::GuardWithIf);
  if (key_vars.size() >= 3) {
    // One task per (batch, head): fuse the leading axes.
    std::vector<Var> lead(key_vars.begin(), key_vars.end() - 2);
    Var first = lead.back();
    lead.pop_back();
    at.keys.parallel(fuse_all(at.keys, first, std::vector<Var>(lead.rbegin(), lead.rend())));
  }

  // Scores in blocks of rows × key vectors, each block's dot products accumulated over d in
  // registers (`dot` is computed per block, a constant-sized allocation LLVM keeps in
  // registers); blocks of keys outermost, so a block of the transposed keys stays in L1 while
  // every row of the tile uses it. Blocks are rounded up: the scratch holds whole blocks and
  // the inputs are clamped, so the extra rows and keys read nothing outside a buffer.
  Var qi = at.vars[nb];
  // AVX-512 has 32 vector registers: 4 rows × 4 key vectors of accumulators (16), 10% to 12%
  // faster than 4 × 2 at S = 2048 and 4096; AVX2's 16 registers hold 4 × 3.
  const int rows = 4, key_vectors = vec >= 16 ? 4 : 3;
  // Each head-dim row of the transposed keys is padded by a cache line: rows Sk floats apart
  // (a power of two, often) fall in the same L1 set, and a block of keys reads one line from
  // each of D rows (3% to 8% at S = 1024 to 4096). Without an index mask the scores cover Sk
  // rounded up to the row reductions' blocks (argmax and top-k read them there), then to whole
  // score blocks, which the padding comes after; in the whole-row form an index mask can move
  // the blocks a tile needs past Sk (a window ahead of a row beyond the last key), so its keys
  // are not padded, nor in the online form, where bounds inference over a masked tile is loose.
  // Otherwise the online form's scores never pass Sk rounded up to a key block.
  const int block_keys = key_vectors * vec;
  if (!at.index_mask) {
    auto round_up = [](Expr x, int m) { return ((x + (m - 1)) / m) * m; };
    // The online form's scores cover whole key blocks, multiples of block_keys.
    Expr covered = at.key_block > 0 ? round_up(at.j.x.extent(), at.key_block)
                                    : round_up(round_up(at.j.x.extent(), kKeyBlock), block_keys);
    at.keys.bound_storage(key_vars.back(), covered + 16);
  }
  Var ko("ko"), ki("ki"), ro("ro"), ri("ri");
  at.score.compute_at(level)
      .split(at.key, ko, ki, block_keys, TailStrategy::RoundUp)
      .split(qi, ro, ri, rows, TailStrategy::RoundUp)
      .reorder(ki, ri, ro, ko)
      .vectorize(ki, vec)
      .unroll(ki)
      .unroll(ri);
  if (at.dot_by_position) {
    // Bounds inference trims the block to the positions that use the dot, an extent that is
    // not constant where the query rows are: vectors with a guarded tail, not unrolled.
    at.dot.compute_at(at.score, ro).vectorize(at.key, vec, TailStrategy::GuardWithIf);
    at.dot.update().reorder(at.key, qi, at.d.x).vectorize(at.key, vec, TailStrategy::GuardWithIf);
    return;
  }
  at.dot.compute_at(at.score, ro).vectorize(at.key, vec).unroll(at.key).unroll(qi);
  at.dot.update().reorder(at.key, qi, at.d.x).vectorize(at.key, vec).unroll(at.key).unroll(qi);
}

/// GPU: the dot products for all keys, and each row's max and sum, as kernels of their own.
void gpu_score_stages(AttentionFuncs &at, const std::vector<Var> &score_vars,
                      const std::vector<Var> &row_vars) {
  at.dot.compute_root();
  gpu_tiles(at.dot, score_vars);
  gpu_tiles(at.dot.update(), score_vars);
  std::vector<Func> row_reductions = {at.max, at.sum};
  if (at.first.defined())
    row_reductions.push_back(at.first);
  row_reductions.insert(row_reductions.end(), at.thresholds.begin(), at.thresholds.end());
  for (Func f : row_reductions) {
    f.compute_root();
    gpu_tiles(f, row_vars);
    gpu_tiles(f.update(), row_vars);
  }
}

/// The weights alone: tiles of query rows as for attention, each row's weights written as
/// vectors of keys.
void schedule_attention_weights(AttentionFuncs at, KernelOutput out, const ScheduleContext &ctx) {
  size_t nb = out.vars.size() - 2;
  std::vector<Var> row_vars(at.vars.begin(), at.vars.begin() + nb + 1);
  std::vector<Var> score_vars = at.vars;
  if (ctx.gpu) {
    gpu_tiles(out.func, out.vars);
    gpu_score_stages(at, score_vars, row_vars);
    return;
  }
  const int tile = query_tile(at);
  Var i = out.vars[nb], key = out.vars[nb + 1];
  Var io("io"), ii("ii");
  out.func.split(i, io, ii, tile, TailStrategy::GuardWithIf)
      .vectorize(key, ctx.vector_size, TailStrategy::GuardWithIf);
  Var par = fuse_all(out.func, io, reversed_prefix(out.vars, nb));
  out.func.parallel(par);
  schedule_attention_scores(at, out, par, ctx);
}

/// A weighted sum of values `acc` (rows qi × value dim dvv, an update over `key`) computed at
/// `level` where Dv is not a whole number of vectors: the value dim as vectors with a guarded
/// tail, `rows` rows unrolled per step over the keys.
void sum_values_by_vectors(Func acc, LoopLevel level, Var qi, Var dvv, RVar key, int rows,
                           int vec) {
  acc.compute_at(level).vectorize(dvv, vec, TailStrategy::GuardWithIf);
  Var ao("ao"), ai("ai");
  acc.update()
      .split(qi, ao, ai, rows)
      .reorder(dvv, ai, key, ao)
      .vectorize(dvv, vec, TailStrategy::GuardWithIf)
      .unroll(ai);
}

/// How the weighted sum of values is register-blocked along the value dim: vectors of `lanes`,
/// `block` of them per register block; `block` is 0 where Dv is not static or not a whole
/// number of vectors (the value input's innermost axis is not clamped, so blocks never round it
/// up).
struct ValueBlocks {
  int lanes = 0, block = 0;
};
ValueBlocks value_blocks(const AttentionFuncs &at, int vec) {
  const int value_dim = at.value_dim;
  const bool pow2 = value_dim > 0 && (value_dim & (value_dim - 1)) == 0;
  ValueBlocks vb;
  vb.lanes = pow2 && value_dim < vec ? value_dim : vec;
  if (value_dim > 0 && value_dim % vb.lanes == 0) {
    int vectors = vec >= 16 ? 4 : 2;
    while (vectors > 1 && (value_dim / vb.lanes) % vectors != 0)
      --vectors;
    vb.block = vectors * vb.lanes;
  }
  return vb;
}

/// CPU, the online form: per tile of query rows, one step of `state` per block of keys, inside
/// which the block's scores (tile × key_block), maximum, weights and sum are computed; the
/// block's weighted values are summed in register blocks of rows × value vectors and merged
/// into the state in the same registers.
void schedule_online(AttentionFuncs at, KernelOutput out, Var par, const ScheduleContext &ctx) {
  const int vec = ctx.vector_size;
  size_t nb = out.vars.size() - 2;
  Var qi = at.vars[nb], dvv = at.vars[nb + 1], row = at.tile_row;
  RVar r = at.blocks.x;
  ValueBlocks vb = value_blocks(at, vec);
  at.state.compute_at(out.func, par);
  if (vb.block > 0) {
    Var ro("ro"), ri("ri"), dvo("dvo"), dvi("dvi");
    out.func.vectorize(out.vars[nb + 1], vb.lanes);
    at.state.vectorize(dvv, vb.lanes);
    at.state.update()
        .split(row, ro, ri, kRowBlock, TailStrategy::GuardWithIf)
        .split(dvv, dvo, dvi, vb.block)
        .reorder(dvi, ri, dvo, ro, r)
        .vectorize(dvi, vb.lanes)
        .unroll(dvi)
        .unroll(ri);
    at.block_acc.compute_at(at.state, dvo)
        .bound_extent(qi, kRowBlock)
        .bound_extent(dvv, vb.block)
        .vectorize(dvv, vb.lanes)
        .unroll(dvv)
        .unroll(qi);
    at.block_acc.update()
        .reorder(dvv, qi, at.block_keys.x)
        .vectorize(dvv, vb.lanes)
        .unroll(dvv)
        .unroll(qi);
  } else {
    out.func.vectorize(out.vars[nb + 1], vec, TailStrategy::GuardWithIf);
    at.state.vectorize(dvv, vec, TailStrategy::GuardWithIf);
    at.state.update().reorder(dvv, row, r).vectorize(dvv, vec, TailStrategy::GuardWithIf);
    sum_values_by_vectors(at.block_acc, LoopLevel(at.state, r), qi, dvv, at.block_keys.x, kRowBlock,
                          vec);
  }
  schedule_tile_scores(at, LoopLevel(at.state, r), ctx);
  reduce_by_lanes({at.block_max, at.block_sum}, at.block_lanes.y, LoopLevel(at.state, r), qi, vec);
  std::vector<Var> weight_vars = row_major_args(at.weights);
  at.weights.compute_at(at.state, r).vectorize(weight_vars.back(), vec);
  if (at.weighted.defined()) {
    at.weighted.compute_at(at.state, r).vectorize(weight_vars.back(), vec);
    at.weighted.bound_extent(at.key_blk, 1);
  }
  // A block's scratch holds one block (under an index mask bounds inference cannot tell that a
  // step needs one block only). It is allocated per step, which cost 1% to 3% of the kernel.
  for (Func f : {at.score, at.weights, at.block_max, at.block_sum})
    f.bound_extent(at.key_blk, 1);
  at.dot.bound_extent(at.key_blk, 1);
  at.block_acc.bound_extent(at.key_blk, 1);
}

} // namespace

int attention_key_block(const ScheduleContext &ctx) {
  // A multiple of the tile schedule's blocks of keys (4 or 3 vectors) and of kKeyBlock; 256
  // keys of a 32-row tile's scores and weights are 32 KiB each.
  if (ctx.gpu)
    return 0;
  return ctx.vector_size >= 16 ? 256 : 192;
}

void schedule_attention(AttentionFuncs at, KernelOutput out, const ScheduleContext &ctx) {
  if (at.weights_only)
    return schedule_attention_weights(at, out, ctx);
  size_t nb = out.vars.size() - 2;
  std::vector<Var> row_vars(at.vars.begin(), at.vars.begin() + nb + 1);
  std::vector<Var> score_vars = row_vars;
  score_vars.push_back(at.key);
  if (ctx.gpu) {
    // Scores for all keys are materialised (memory grows with Sq × Sk); per-thread rows.
    Var thread = gpu_tiles(out.func, out.vars);
    gpu_score_stages(at, score_vars, row_vars);
    if (!at.first.defined())
      at.acc.compute_at(out.func, thread);
    return;
  }
  const int vec = ctx.vector_size;
  // Query rows in tiles; for each tile the scores of one block of keys (the online form) or
  // against all keys (a tile × Sk scratch buffer) live at a time, so extra memory grows with Sk
  // at most, not Sq × Sk.
  const int tile = query_tile(at), acc_rows = row_block(at);
  Var i = out.vars[nb], dv = out.vars[nb + 1];
  Var io("io"), ii("ii");
  out.func.split(i, io, ii, tile, TailStrategy::GuardWithIf);
  Var par = fuse_all(out.func, io, reversed_prefix(out.vars, nb));
  out.func.parallel(par);
  if (at.key_block > 0)
    return schedule_online(at, out, par, ctx);
  schedule_attention_scores(at, out, par, ctx);
  if (at.first.defined()) { // hard attention reads one value per row
    out.func.vectorize(dv, vec, TailStrategy::GuardWithIf);
    return;
  }
  // The weighted sum of values. The head dim is the value input's innermost axis, which is not
  // clamped, so blocks never round it up. With a static Dv that whole vectors tile, rows × a
  // few vectors of it are accumulated in registers (a constant-sized Func per block; rows
  // round up inside it, the output's own tails are guarded):
  // - without an index mask, over blocks of 64 keys (rfactor), every register block of the tile
  //   in turn for one block of keys, so that block's values stay in L1;
  // - with one, over all the keys its rows may keep, since each block of rows has its own
  //   range of keys.
  // Otherwise `acc` holds the tile's rows, the head dim as vectors with a guarded tail.
  Var qi = at.vars[nb], dvv = at.vars[nb + 1];
  const ValueBlocks vb = value_blocks(at, vec);
  if (vb.block > 0) {
    const int lanes = vb.lanes, block = vb.block;
    Var ro("ro"), ri("ri"), dvo("dvo"), dvi("dvi");
    if (!at.index_mask) {
      const int key_block = 64;
      out.func.vectorize(dv, lanes);
      at.acc.compute_at(out.func, par).vectorize(dvv, lanes);
      RVar jo("jo"), ji("ji");
      Func part = at.acc.update()
                      .split(at.j.x, jo, ji, key_block, TailStrategy::GuardWithIf)
                      .rfactor(jo, Var("u"));
      at.acc.update()
          .split(qi, ro, ri, acc_rows, TailStrategy::GuardWithIf)
          .split(dvv, dvo, dvi, block)
          .reorder(dvi, ri, dvo, ro, jo)
          .vectorize(dvi, lanes)
          .unroll(dvi)
          .unroll(ri);
      part.compute_at(at.acc, dvo)
          .bound_extent(qi, acc_rows)
          .bound_extent(dvv, block)
          .vectorize(dvv, lanes)
          .unroll(dvv)
          .unroll(qi);
      part.update().reorder(dvv, qi, ji).vectorize(dvv, lanes).unroll(dvv).unroll(qi);
      return;
    }
    out.func.split(ii, ro, ri, acc_rows, TailStrategy::GuardWithIf)
        .split(dv, dvo, dvi, block)
        .reorder(dvi, ri, dvo, ro)
        .vectorize(dvi, lanes)
        .unroll(dvi)
        .unroll(ri);
    at.acc.compute_at(out.func, dvo)
        .bound_extent(qi, acc_rows)
        .bound_extent(dvv, block)
        .vectorize(dvv, lanes)
        .unroll(dvv)
        .unroll(qi);
    at.acc.update().reorder(dvv, qi, at.j.x).vectorize(dvv, lanes).unroll(dvv).unroll(qi);
    return;
  }
  out.func.vectorize(dv, vec, TailStrategy::GuardWithIf);
  sum_values_by_vectors(at.acc, LoopLevel(out.func, par), qi, dvv, at.j.x, acc_rows, vec);
}

} // namespace attn::compiler::lowering
