// Schedules for each op family, one set for CPUs and one for GPUs, chosen by target in one
// place (`schedule_kernel` dispatches on ScheduleContext::gpu). A schedule places the family's
// Funcs (Algorithms.h) relative to the kernel's output Func, which is either the family's own
// output or an elementwise epilogue over it with the same axes.
#pragma once

#include "Algorithms.h"

#include <variant>

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

/// The op family a kernel is built around (none: pointwise, or row reductions).
using OpFamily = std::variant<std::monostate, MatmulFuncs, SoftmaxFuncs, AttentionFuncs, ConvFuncs>;

/// Tells Halide the output's static sizes (`static_extents`, row-major, -1 where symbolic), so
/// loops over them have constant extents (exact vector tiling, unrolling) and a wrongly sized
/// output buffer is an error; and that every axis starts at 0 (the runtime's tensors always
/// do), so schedules may rely on tiles' alignment.
void bound_output_axes(const HTensor &out, const std::vector<int64_t> &static_extents);
/// Schedules a kernel: its family's schedule (or the pointwise / row-reduction one) for `root`,
/// the kernel's output, and the reductions of another family's kernel at root.
void schedule_kernel(const OpFamily &family, const std::vector<ReduceFuncs> &reductions,
                     const HTensor &root, const ScheduleContext &ctx);

void schedule_pointwise(KernelOutput out, const ScheduleContext &ctx);
void schedule_matmul(MatmulFuncs mm, KernelOutput out, const ScheduleContext &ctx);
void schedule_softmax(SoftmaxFuncs sm, KernelOutput out, const ScheduleContext &ctx);
/// Attention and its weights alone (AttentionSchedules.cpp).
void schedule_attention(AttentionFuncs at, KernelOutput out, const ScheduleContext &ctx);
/// The key block of attention's online form on this target (define_attention), 0 for none.
int attention_key_block(const ScheduleContext &ctx);

/// A kernel whose output is elementwise over reductions along one axis (a LayerNorm): its rows
/// run as in schedule_pointwise and each reduction is computed per row, inside the row loop, on
/// CPUs; on GPUs each reduction is a kernel of its own (ReduceSchedules.cpp).
void schedule_row_reductions(const std::vector<ReduceFuncs> &reductions, KernelOutput out,
                             const ScheduleContext &ctx);
/// Reductions inside a kernel of another family: computed once, before it.
void schedule_reductions_at_root(const std::vector<ReduceFuncs> &reductions,
                                 const ScheduleContext &ctx);

/// Convolutions (ConvSchedules.cpp): on CPUs, tiles of output channels × a row segment
/// accumulated in registers over the input channels and the kernel window; on GPUs, a thread
/// per output.
void schedule_conv2d(ConvFuncs cv, KernelOutput out, const ScheduleContext &ctx);

// Helpers shared by the schedule files (Schedules.cpp).
/// Fuses `outer` (Halide loop order: innermost first) into `into`, returning the fused var.
Halide::Var fuse_all(Halide::Stage s, Halide::Var into, const std::vector<Halide::Var> &outer);
/// Row-major vars [0, count) in Halide loop order (innermost first).
std::vector<Halide::Var> reversed_prefix(const std::vector<Halide::Var> &vars, size_t count);
/// The vars of a Func in row-major order.
std::vector<Halide::Var> row_major_args(const Halide::Func &f);
/// GPU: a 2-D tile of threads over the two innermost axes, the rest fused into blocks; returns
/// the innermost thread var.
Halide::Var gpu_tiles(Halide::Stage s, const std::vector<Halide::Var> &vars,
                      Halide::Var *block = nullptr);
/// CPU: vectorises an intermediate Func (not a kernel output) along `v` with a guarded tail and
/// pads its storage to whole vectors. With an exact allocation, Halide 14's simplifier can take a
/// consumer's guarded tail iteration for unreachable and drop it: the interleaving pass copies
/// each vector let into odd-lane lets, and one that starts past the allocation's end marks the
/// branch unreachable, though nothing reads it (a tanh epilogue reading a 17-wide row sum lost its
/// last column).
void vectorize_padded(Halide::Func f, Halide::Var v, int vec);

} // namespace attn::compiler::lowering
