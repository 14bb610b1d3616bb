// CPU and GPU schedules of the op families. CPU: outputs are split into row tiles that run in
// parallel, vectorised along the innermost axis, with the reductions register-blocked; tails
// are guarded on outputs and rounded up inside (kernel inputs are clamped, so over-computing
// at an edge never reads outside a buffer). GPU: the same stages as GPU tiles, reductions
// looped inside a thread; correct first, tuned later.
#include "Schedules.h"

#include <algorithm>

using namespace Halide;

namespace attn::compiler::lowering {

ScheduleContext make_schedule_context(const Target &target) {
  ScheduleContext ctx;
  ctx.target = target;
  ctx.gpu = target.has_gpu_feature();
  ctx.vector_size = std::max(4, target.natural_vector_size(Float(32)));
  return ctx;
}

void bound_output_axes(const HTensor &out, const std::vector<int64_t> &static_extents) {
  Func f = out.func;
  auto args = f.args();
  for (size_t axis = 0; axis < static_extents.size(); ++axis) {
    int dim = static_cast<int>(static_extents.size() - 1 - axis);
    f.output_buffer().dim(dim).set_min(0);
    if (static_extents[axis] >= 0)
      f.bound(args[dim], 0, static_cast<int>(static_extents[axis]));
  }
}

void schedule_kernel(const OpFamily &family, const std::vector<ReduceFuncs> &reductions,
                     const HTensor &root, const ScheduleContext &ctx) {
  auto args = root.func.args();
  KernelOutput out{root.func, std::vector<Var>(args.rbegin(), args.rend())};
  if (auto *mm = std::get_if<MatmulFuncs>(&family))
    schedule_matmul(*mm, out, ctx);
  else if (auto *sm = std::get_if<SoftmaxFuncs>(&family))
    schedule_softmax(*sm, out, ctx);
  else if (auto *at = std::get_if<AttentionFuncs>(&family))
    schedule_attention(*at, out, ctx);
  else if (auto *cv = std::get_if<ConvFuncs>(&family))
    schedule_conv2d(*cv, out, ctx);
  else if (!reductions.empty())
    schedule_row_reductions(reductions, out, ctx);
  else
    schedule_pointwise(out, ctx);
  if (!std::holds_alternative<std::monostate>(family))
    schedule_reductions_at_root(reductions, ctx);
}

// Helpers shared with the other schedule files (declared in Schedules.h).

/// Fuses `outer` (Halide loop order: innermost first) into `into`, returning the fused var.
Var fuse_all(Stage s, Var into, const std::vector<Var> &outer) {
  Var fused = into;
  for (const Var &v : outer) {
    Var next(fused.name() + "_" + v.name());
    s.fuse(fused, v, next);
    fused = next;
  }
  return fused;
}

/// Row-major vars [0, count) in Halide loop order (innermost first).
std::vector<Var> reversed_prefix(const std::vector<Var> &vars, size_t count) {
  return std::vector<Var>(vars.rbegin() + (vars.size() - count), vars.rend());
}

/// The vars of a Func in row-major order.
std::vector<Var> row_major_args(const Func &f) {
  auto args = f.args();
  return std::vector<Var>(args.rbegin(), args.rend());
}

void vectorize_padded(Func f, Var v, int vec) {
  f.vectorize(v, vec, TailStrategy::GuardWithIf).align_storage(v, vec);
}

/// CPU: vectorise the innermost axis, run everything outside it in parallel. Returns the
/// parallel loop (the level at which per-row producers are computed).
LoopLevel cpu_rows(Stage s, const std::vector<Var> &vars, int vec) {
  if (vars.empty())
    return LoopLevel::root();
  s.vectorize(vars.back(), vec, TailStrategy::GuardWithIf);
  if (vars.size() == 1)
    return LoopLevel::root();
  Var row = vars[vars.size() - 2];
  Var par = fuse_all(s, row, reversed_prefix(vars, vars.size() - 2));
  s.parallel(par);
  return LoopLevel::root(); // callers that need the row level compute at the Func's var
}

/// GPU: a 2-D tile of threads over the two innermost axes, the rest fused into blocks.
/// Returns the innermost thread var, and in `block` the innermost block var.
Var gpu_tiles(Stage s, const std::vector<Var> &vars, Var *block) {
  if (vars.empty()) {
    Var unit("unit");
    return unit;
  }
  if (vars.size() == 1) {
    Var o("t_o"), i("t_i");
    s.gpu_tile(vars[0], o, i, 64, TailStrategy::GuardWithIf);
    if (block)
      *block = o;
    return i;
  }
  Var x = vars.back(), y = vars[vars.size() - 2];
  Var xo("t_xo"), yo("t_yo"), xi("t_xi"), yi("t_yi");
  s.gpu_tile(x, y, xo, yo, xi, yi, 16, 16, TailStrategy::GuardWithIf);
  if (block)
    *block = xo;
  if (vars.size() > 2) {
    auto outer = reversed_prefix(vars, vars.size() - 2);
    Var first = outer.front();
    std::vector<Var> rest(outer.begin() + 1, outer.end());
    Var blocks = fuse_all(s, first, rest);
    s.gpu_blocks(blocks);
  }
  return xi;
}

namespace {

void cpu_pointwise(KernelOutput out, const ScheduleContext &ctx) {
  cpu_rows(out.func, out.vars, ctx.vector_size);
}

} // namespace

void schedule_pointwise(KernelOutput out, const ScheduleContext &ctx) {
  if (ctx.gpu)
    gpu_tiles(out.func, out.vars);
  else
    cpu_pointwise(out, ctx);
}

namespace {

/// GPU: 16 × 16 output tiles, a block each, one thread per output. Each block runs over k in
/// chunks of 16: its threads first copy the chunk's 16 × 16 tile of each operand into shared
/// memory, then each thread sums the chunk's 16 products in a register
/// and adds that to its output's accumulator (in shared memory, once per chunk). So each operand
/// element is read from global memory once per block rather than once per thread. The right
/// operand is packed [K, N] by a kernel of its own, so that a tile's rows are contiguous for a
/// transposed weight too.
void gpu_matmul(MatmulFuncs mm, KernelOutput out) {
  const int tile = 16;
  size_t nb = out.vars.size() - 2;
  Var block;
  Var thread = gpu_tiles(out.func, out.vars, &block);
  std::vector<Var> pv = row_major_args(mm.packed);
  mm.packed.compute_root();
  gpu_tiles(mm.packed, pv);
  if (mm.vars.size() != out.vars.size()) {
    // The kernel's output is a view of the product with other axes (`matmul(a, b)[..., 0]`):
    // its thread tiles do not map onto the product's, so each thread computes what it reads.
    mm.prod.compute_at(out.func, thread);
    return;
  }
  Var pm = mm.vars[nb], pn = mm.vars[nb + 1];
  // A whole tile even at the edges: fixed extents give fixed shared-memory tiles; the rows and
  // columns past the output are computed from clamped reads and never stored.
  mm.prod.compute_at(out.func, block)
      .bound_extent(pn, tile)
      .bound_extent(pm, tile)
      .gpu_threads(pn, pm);
  RVar ko("mm_ko"), ki("mm_ki");
  Var chunk("mm_chunk");
  Stage update = mm.prod.update();
  update.split(mm.k.x, ko, ki, tile, TailStrategy::GuardWithIf);
  Func partial = update.rfactor(ko, chunk);
  update.reorder(pn, pm, ko).gpu_threads(pn, pm);
  partial.compute_at(mm.prod, pn);
  // Thread loops need the same extents in every chunk. The packed operand is defined everywhere
  // (clamped), so its tiles are whole: 16 × 16 threads, one element each. The left operand may
  // be read only inside [0, K): a thread per row copies the row's part of the chunk (the last
  // chunk is shorter), the rows past M clamped.
  Func packed_tile = mm.packed.in(partial);
  std::vector<Var> kn = row_major_args(packed_tile);
  packed_tile.compute_at(mm.prod, ko)
      .bound_extent(kn.back(), tile)
      .bound_extent(kn[kn.size() - 2], tile)
      .gpu_threads(kn.back(), kn[kn.size() - 2]);
  Func lhs_tile = mm.lhs.in(partial);
  std::vector<Var> mk = row_major_args(lhs_tile);
  lhs_tile.compute_at(mm.prod, ko)
      .bound_extent(mk[mk.size() - 2], tile)
      .gpu_threads(mk[mk.size() - 2]);
}

} // namespace

void schedule_matmul(MatmulFuncs mm, KernelOutput out, const ScheduleContext &ctx) {
  const int vec = ctx.vector_size;
  size_t nb = out.vars.size() - 2;
  Var m = out.vars[nb], n = out.vars[nb + 1];
  std::vector<Var> pv = row_major_args(mm.packed);
  if (ctx.gpu) {
    gpu_matmul(mm, out);
    return;
  }
  // Output tiles of `rows` × `panel_vecs` vectors, accumulated in registers over all of k: on
  // AVX-512 4 × 4 (16 of 32 registers; per k, 4 broadcasts and 4 loads feed 16 FMAs, and only
  // 4 rows of the left operand are live, which keeps its row offsets in general registers), on
  // AVX2 4 × 2 (8 of 16). A static N narrower than the panel narrows it, so that a Linear with
  // few outputs does not compute a full panel of rounded-up columns.
  // A task is a panel of columns × a block of `block_tiles` row tiles. The panel of the right
  // operand (K × cols) is copied at the start of each task, so that within the task it is one
  // contiguous stream from L2 (rows of the [K, N] operand itself lie N floats apart: for large
  // power-of-two N every k touches another page and the same L1 set), and the tiles of the
  // block reuse it. Copying it per block costs 1/(rows × block_tiles) of the multiply-adds.
  const int rows = 4;
  int panel_vecs = vec >= 16 ? 4 : 2;
  if (const int64_t *n_static = Internal::as_const_int(mm.out.extents[nb + 1]))
    panel_vecs = std::max(1, std::min<int>(panel_vecs, (*n_static + vec - 1) / vec));
  const int cols = panel_vecs * vec;
  const int block_tiles = 32;
  Var mo("mo"), mi("mi"), no("no"), ni("ni"), mb("mb"), mt("mt");
  out.func.split(m, mo, mi, rows, TailStrategy::GuardWithIf)
      .split(n, no, ni, cols, TailStrategy::GuardWithIf)
      .split(mo, mb, mt, block_tiles, TailStrategy::GuardWithIf)
      .reorder(ni, mi, mt, mb, no)
      .vectorize(ni, vec);
  std::vector<Var> outer = reversed_prefix(out.vars, nb);
  outer.insert(outer.begin(), no);
  Var par = fuse_all(out.func, mb, outer);
  out.func.parallel(par);
  Var pn = mm.vars[nb + 1], pm = mm.vars[nb];
  // A whole tile even at the edges (fixed extents keep the accumulators in registers; the
  // column panel is not split by the loop partitioning that the parallel loop does not get).
  mm.prod.compute_at(out.func, mt)
      .bound_extent(pn, cols)
      .bound_extent(pm, rows)
      .vectorize(pn, vec)
      .unroll(pm);
  Var pno("pno"), pni("pni"), pnu("pnu"), pnv("pnv"), pmo("pmo"), pmi("pmi");
  std::vector<VarOrRVar> order = {pnv, pnu, pmi, mm.k.x, pno, pmo};
  for (size_t b = nb; b-- > 0;)
    order.push_back(mm.vars[b]);
  // Rounded up inside the tile: rows past M read clamped rows; columns past N read the packed
  // operand, which is computed over the rounded region.
  mm.prod.update()
      .split(pn, pno, pni, cols)
      .split(pni, pnu, pnv, vec)
      .split(pm, pmo, pmi, rows)
      .reorder(order)
      .vectorize(pnv)
      .unroll(pnu)
      .unroll(pmi);
  // The right operand is packed once per call as [K, N]: for a Linear it is the transposed
  // weight, read across rows with gathers, too slow to repeat per task (it took 43% of a
  // 2048 × 1024 × 256 feed-forward product). Each task then copies its panel out of that with
  // dense vector loads.
  Func panel = mm.packed.in(mm.prod);
  panel.compute_at(out.func, par);
  vectorize_padded(panel, panel.args()[0], vec);
  mm.packed.compute_root().vectorize(pv.back(), vec, TailStrategy::GuardWithIf);
  if (pv.size() >= 2)
    mm.packed.parallel(pv[pv.size() - 2]);
}

void schedule_softmax(SoftmaxFuncs sm, KernelOutput out, const ScheduleContext &ctx) {
  if (ctx.gpu) {
    gpu_tiles(out.func, out.vars);
    for (Func f : {sm.max, sm.sum}) {
      auto vars = row_major_args(f);
      f.compute_root();
      gpu_tiles(f, vars);
      gpu_tiles(f.update(), vars);
    }
    return;
  }
  const int vec = ctx.vector_size;
  if (out.vars.size() < 2) {
    out.func.vectorize(out.vars.back(), vec, TailStrategy::GuardWithIf);
    return;
  }
  out.func.vectorize(out.vars.back(), vec, TailStrategy::GuardWithIf);
  Var row = out.vars[out.vars.size() - 2];
  Var par = fuse_all(out.func, row, reversed_prefix(out.vars, out.vars.size() - 2));
  out.func.parallel(par);
  for (Func f : {sm.max, sm.exp, sm.sum})
    f.compute_at(out.func, par);
  vectorize_padded(sm.exp, sm.vars.back(), vec);
}

} // namespace attn::compiler::lowering
