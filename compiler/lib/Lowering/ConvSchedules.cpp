// Schedules of the convolutions (ConvFuncs). A convolution is a matrix product of the weight
// [O, C*kh*kw] with the image's windows [C*kh*kw, OH*OW], so the CPU schedule is the matmul's:
// an output tile of `rows` output channels × two vectors of one output row accumulates in
// registers over r (kernel column, kernel row, input channel), each step reading the weight as a
// broadcast scalar per channel and the staged image as one vector per register column. Tiles
// round up inside (the weight is clamped, the staged image is computed over the rounded region)
// and are guarded on the output. Rows of the output run in parallel.
#include "Schedules.h"

using namespace Halide;

namespace attn::compiler::lowering {

namespace {

void gpu_conv2d(ConvFuncs cv, KernelOutput out) {
  Var thread = gpu_tiles(out.func, out.vars);
  cv.prod.compute_at(out.func, thread);
  cv.padded.compute_root();
  auto pv = cv.padded.args();
  gpu_tiles(cv.padded, std::vector<Var>(pv.rbegin(), pv.rend()));
}

} // namespace

void schedule_conv2d(ConvFuncs cv, KernelOutput out, const ScheduleContext &ctx) {
  if (ctx.gpu) {
    gpu_conv2d(cv, out);
    return;
  }
  const int vec = ctx.vector_size;
  const int rows = vec >= 16 ? 8 : 4;
  Var n = out.vars[0], o = out.vars[1], y = out.vars[2], x = out.vars[3];
  Var oo("oo"), oi("oi"), xo("xo"), xi("xi");
  out.func.split(o, oo, oi, rows, TailStrategy::GuardWithIf)
      .split(x, xo, xi, 2 * vec, TailStrategy::GuardWithIf)
      .reorder(xi, oi, xo, oo, y, n)
      .vectorize(xi, vec);
  Var row = fuse_all(out.func, y, {n});
  out.func.parallel(row);

  Var pn = cv.vars[0], po = cv.vars[1], py = cv.vars[2], px = cv.vars[3];
  cv.prod.compute_at(out.func, xo).vectorize(px, vec).unroll(po);
  Var pxo("pxo"), pxi("pxi"), pxu("pxu"), pxv("pxv"), poo("poo"), poi("poi");
  Stage update = cv.prod.update();
  update.split(px, pxo, pxi, 2 * vec)
      .split(pxi, pxu, pxv, vec)
      .split(po, poo, poi, rows)
      .reorder({pxv, pxu, poi, cv.r.x, cv.r.y, cv.r.z, pxo, poo, py, pn})
      .vectorize(pxv)
      .unroll(pxu)
      .unroll(poi);
  if (cv.window.kernel[1] <= 8)
    update.unroll(cv.r.x);

  // The staged image, once per call: its rows in parallel, vectorised along them.
  std::vector<Var> pv = cv.padded.args(); // w, h, c, n
  cv.padded.compute_root().vectorize(pv[0], vec, TailStrategy::GuardWithIf);
  cv.padded.parallel(fuse_all(cv.padded, pv[1], {pv[2], pv[3]}));
}

} // namespace attn::compiler::lowering
