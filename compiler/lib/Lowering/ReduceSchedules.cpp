// Schedules of the reductions along one axis (ReduceFuncs). On CPUs a kernel that is
// elementwise over reductions — a LayerNorm: mean, centred mean of squares, normalise — runs its
// rows in parallel and computes every reduction a row needs inside the row loop, as softmax
// does, so the row is read from cache rather than memory for the second pass. On GPUs each
// reduction is a kernel over its own output, one thread per reduced row.
#include "Schedules.h"

using namespace Halide;

namespace attn::compiler::lowering {

namespace {

/// CPU: vectorises the accumulation along its innermost axis when that axis is not the one
/// reduced (a sum over axis 0 adds whole rows of vectors); a reduction along the innermost axis
/// stays a scalar loop over r.
void vectorize_acc(ReduceFuncs rf, int vec) {
  if (rf.inner || rf.vars.empty())
    return;
  Var v = rf.vars.back();
  vectorize_padded(rf.acc, v, vec);
  rf.acc.update().reorder(v, rf.r.x).vectorize(v, vec, TailStrategy::GuardWithIf);
}

void gpu_reduction(ReduceFuncs rf) {
  rf.acc.compute_root();
  if (rf.vars.empty())
    return;
  gpu_tiles(rf.acc, rf.vars);
  gpu_tiles(rf.acc.update(), rf.vars);
}

} // namespace

void schedule_row_reductions(const std::vector<ReduceFuncs> &reductions, KernelOutput out,
                             const ScheduleContext &ctx) {
  if (ctx.gpu) {
    gpu_tiles(out.func, out.vars);
    for (ReduceFuncs rf : reductions)
      gpu_reduction(rf);
    return;
  }
  const int vec = ctx.vector_size;
  if (!out.vars.empty())
    out.func.vectorize(out.vars.back(), vec, TailStrategy::GuardWithIf);
  // Rows: every axis outside the innermost, fused into one parallel loop. A kernel of rank 0
  // or 1 has no rows; its reductions are computed once, before it.
  LoopLevel row = LoopLevel::root();
  if (out.vars.size() >= 2) {
    Var par = fuse_all(out.func, out.vars[out.vars.size() - 2],
                       reversed_prefix(out.vars, out.vars.size() - 2));
    out.func.parallel(par);
    row = LoopLevel(out.func, par);
  }
  for (ReduceFuncs rf : reductions) {
    rf.acc.compute_at(row);
    vectorize_acc(rf, vec);
  }
}

void schedule_reductions_at_root(const std::vector<ReduceFuncs> &reductions,
                                 const ScheduleContext &ctx) {
  for (ReduceFuncs rf : reductions) {
    if (ctx.gpu) {
      gpu_reduction(rf);
      continue;
    }
    rf.acc.compute_root();
    vectorize_acc(rf, ctx.vector_size);
    if (rf.vars.size() >= 2)
      rf.acc.update().parallel(rf.vars.front());
  }
}

} // namespace attn::compiler::lowering
