// Halide definitions of the reductions along one axis and of log_softmax. See Algorithms.h for
// the conventions.
#include "Algorithms.h"

#include <limits>

using namespace Halide;

namespace attn::compiler::lowering {

ReduceFuncs define_reduce(const std::string &name, const HTensor &in, int axis, bool keepdim,
                          ReduceKind kind) {
  ReduceFuncs rf;
  int out_rank = keepdim ? in.rank() : in.rank() - 1;
  rf.vars = make_vars(out_rank, "y");
  rf.r = RDom(0, in.extents[axis], name + "_r");
  rf.inner = axis == in.rank() - 1;

  // The input is read at the output's index with the reduced axis replaced by r.
  std::vector<Expr> in_index;
  std::vector<Expr> extents;
  for (int a = 0, v = 0; a < in.rank(); ++a) {
    if (a == axis) {
      in_index.push_back(rf.r.x);
      if (keepdim) {
        extents.push_back(1);
        ++v;
      }
      continue;
    }
    in_index.push_back(rf.vars[v++]);
    extents.push_back(in.extents[a]);
  }
  Expr value = at(in, in_index);
  // Sums accumulate in f32 relative to the row's first element (a finite one), which they add
  // back at the end: a row of large values close together (a LayerNorm of large activations)
  // then sums its small differences, and its mean is as accurate as one rounding allows.
  std::vector<Expr> first_index = in_index;
  first_index[axis] = 0;
  Expr first = at(in, first_index);
  Expr shift = select(is_finite(first), first, 0.0f);

  const float inf = std::numeric_limits<float>::infinity();
  rf.acc = Func(name + "_acc");
  auto out_index = to_exprs(rf.vars);
  std::vector<Expr> acc_index(out_index.rbegin(), out_index.rend());
  switch (kind) {
  case ReduceKind::Sum:
  case ReduceKind::Mean:
    define(rf.acc, rf.vars, 0.0f);
    rf.acc(acc_index) += value - shift;
    break;
  case ReduceKind::Max:
    define(rf.acc, rf.vars, -inf);
    rf.acc(acc_index) = max(rf.acc(acc_index), value);
    break;
  case ReduceKind::Min:
    define(rf.acc, rf.vars, inf);
    rf.acc(acc_index) = min(rf.acc(acc_index), value);
    break;
  }
  Expr result = rf.acc(acc_index);
  Expr count = cast<float>(in.extents[axis]);
  if (kind == ReduceKind::Sum)
    result = shift * count + result;
  else if (kind == ReduceKind::Mean)
    result = shift + result / count;
  rf.out = HTensor{Func(name), extents};
  define(rf.out.func, rf.vars, result);
  return rf;
}

SoftmaxFuncs define_log_softmax(const std::string &name, const HTensor &in, int axis) {
  // The softmax's own output Func is left unused: only its max and sum are read.
  SoftmaxFuncs sm = define_softmax(name + "_softmax", in, axis);
  std::vector<Expr> row_index;
  for (int a = in.rank(); a-- > 0;)
    if (a != axis)
      row_index.push_back(sm.vars[a]);
  Expr shifted = at(in, to_exprs(sm.vars)) - sm.max(row_index);
  sm.out = HTensor{Func(name), in.extents};
  define(sm.out.func, sm.vars, shifted - log(sm.sum(row_index)));
  return sm;
}

} // namespace attn::compiler::lowering
