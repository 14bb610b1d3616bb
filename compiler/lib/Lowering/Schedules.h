// Schedules for each op family, one set for CPUs and one for GPUs, chosen by target in one
// place (`schedule_kernel` dispatches on ScheduleContext::gpu). A schedule places the family's
// Funcs (Algorithms.h) relative to the kernel's output Func, which is either the family's own
// output or an elementwise epilogue over it with the same axes.
#pragma once

#include "Algorithms.h"

namespace attn::compiler::lowering {

struct ScheduleContext {
  Halide::Target target;
  bool gpu = false;
  int vector_size = 8; // f32 lanes of the target's natural vector
};

ScheduleContext make_schedule_context(const Halide::Target &target);

/// The kernel's output and the family whose Funcs live inside it.
struct KernelOutput {
  Halide::Func func;
  std::vector<Halide::Var> vars; // row-major
};

void schedule_pointwise(KernelOutput out, const ScheduleContext &ctx);
void schedule_matmul(MatmulFuncs mm, KernelOutput out, const ScheduleContext &ctx);
void schedule_softmax(SoftmaxFuncs sm, KernelOutput out, const ScheduleContext &ctx);
void schedule_attention(AttentionFuncs at, KernelOutput out, const ScheduleContext &ctx);

} // namespace attn::compiler::lowering
