// Schedules of the convolutions (ConvFuncs). A convolution is a matrix product of the weight
// [O, C*kh*kw] with the image's windows [C*kh*kw, OH*OW], so the CPU schedule is the matmul's:
// an output tile of `rows` output channels × two vectors of one output row accumulates in
// registers over r (kernel column, kernel row, input channel). Each step reads the tile's
// weights as broadcast scalars at constant offsets of the packed weight and the staged image as
// one dense vector per register column (the image's columns are split by phase, so strided
// windows read dense vectors too). Tiles round up inside (the packed weight and the staged image
// are computed over the rounded region) and are guarded or shifted on the output. Rows of the
// output run in parallel. Measured against PyTorch by bench/conv2d_vs_pytorch.py.
#include "Schedules.h"

#include <algorithm>

using namespace Halide;

namespace attn::compiler::lowering {

namespace {

void gpu_conv2d(ConvFuncs cv, KernelOutput out) {
  Var thread = gpu_tiles(out.func, out.vars);
  cv.prod.compute_at(out.func, thread);
  cv.packed.compute_inline();
  cv.padded.compute_root();
  auto pv = cv.padded.args(); // q, phase, h, c, n: threads over (q, h)
  cv.padded.reorder(pv[0], pv[2], pv[1], pv[3], pv[4]);
  gpu_tiles(cv.padded, {pv[4], pv[3], pv[1], pv[2], pv[0]});
}

} // namespace

void schedule_conv2d(ConvFuncs cv, KernelOutput out, const ScheduleContext &ctx) {
  if (ctx.gpu) {
    gpu_conv2d(cv, out);
    return;
  }
  const int vec = ctx.vector_size;
  int rows = vec >= 16 ? 8 : 4;
  // Two vectors of an output row per tile; one, with twice the channels, when a row is no longer
  // than a vector (a ViT's 14 patches a row), so that the tile's lanes are not mostly idle.
  int vecs = 2;
  const int64_t *width = Internal::as_const_int(Internal::simplify(cv.out.extents[3]));
  if (width && *width <= vec) {
    vecs = 1;
    rows *= 2;
  }
  // The output channels are static. A last tile that would stick out is shifted back onto the
  // tile before it (recomputing a few channels) rather than guarded: a guarded tail is a second
  // copy of the accumulation loop, which LLVM compiled with spilled accumulators, 3x slower.
  const int channels = cv.window.out_channels;
  rows = std::min(rows, channels);
  Var n = out.vars[0], o = out.vars[1], y = out.vars[2], x = out.vars[3];
  Var oo("oo"), oi("oi"), xo("xo"), xi("xi");
  out.func.split(o, oo, oi, rows, TailStrategy::ShiftInwards)
      .split(x, xo, xi, vecs * vec, TailStrategy::GuardWithIf)
      .reorder(xi, oi, xo, oo, y, n)
      .vectorize(xi, vec);
  Var row = fuse_all(out.func, y, {n});
  out.func.parallel(row);

  Var pn = cv.vars[0], po = cv.vars[1], py = cv.vars[2], px = cv.vars[3];
  // The tile's accumulators have a constant extent, also at the right and bottom edges, so that
  // their addresses are constant offsets and LLVM keeps them in registers over r.
  cv.prod.compute_at(out.func, xo)
      .bound_extent(px, vecs * vec)
      .bound_extent(po, rows)
      .vectorize(px, vec)
      .unroll(po);
  Var pxo("pxo"), pxi("pxi"), pxu("pxu"), pxv("pxv"), poo("poo"), poi("poi");
  Stage update = cv.prod.update();
  update.split(px, pxo, pxi, vecs * vec)
      .split(pxi, pxu, pxv, vec)
      .split(po, poo, poi, rows)
      .reorder({pxv, pxu, poi, cv.r.x, cv.r.y, cv.r.z, pxo, poo, py, pn})
      .vectorize(pxv)
      .unroll(pxu)
      .unroll(poi);
  if (cv.window.kernel[1] <= 8)
    update.unroll(cv.r.x);

  cv.packed.compute_root();

  // The staged image, once per call: its rows in parallel, vectorised along them.
  std::vector<Var> pv = cv.padded.args(); // q, phase, h, c, n
  cv.padded.compute_root().vectorize(pv[0], vec, TailStrategy::GuardWithIf);
  cv.padded.parallel(fuse_all(cv.padded, pv[2], {pv[3], pv[4]}));
}

} // namespace attn::compiler::lowering
