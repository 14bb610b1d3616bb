// Halide definitions of the op families. See Algorithms.h for the conventions.
#include "Algorithms.h"

#include <cfloat>

using namespace Halide;

namespace attn::compiler::lowering {

std::vector<Var> make_vars(int rank, const std::string &prefix) {
  std::vector<Var> vars;
  for (int i = 0; i < rank; ++i)
    vars.emplace_back(prefix + std::to_string(i));
  return vars;
}

std::vector<Expr> to_exprs(const std::vector<Var> &vars) {
  return std::vector<Expr>(vars.begin(), vars.end());
}

Expr at(const HTensor &t, const std::vector<Expr> &index) {
  std::vector<Expr> reversed(index.rbegin(), index.rend());
  return t.func(reversed);
}

void define(Func f, const std::vector<Var> &vars, Expr body) {
  std::vector<Var> reversed(vars.rbegin(), vars.rend());
  f(reversed) = body;
}

HInput define_input(const std::string &name, const std::vector<int64_t> &static_extents,
                    Type type) {
  int rank = static_cast<int>(static_extents.size());
  HInput in{ImageParam(type, rank, name), {}};
  std::vector<Expr> clamped;
  auto vars = make_vars(rank);
  for (int axis = 0; axis < rank; ++axis) {
    Internal::Dimension dim = in.param.dim(rank - 1 - axis);
    dim.set_min(0);
    Expr extent = dim.extent();
    if (static_extents[axis] >= 0) {
      dim.set_extent(static_cast<int>(static_extents[axis]));
      extent = static_cast<int>(static_extents[axis]);
    }
    in.tensor.extents.push_back(extent);
    // The innermost axis of a float input is read as it is, so vector loads stay dense;
    // schedules never round it up (they guard it). The outer axes are clamped: row tiles may
    // round up. Integer inputs (ids) are clamped on every axis: a gather indexes them by the
    // output's outer axes, which tiles do round up.
    bool dense = axis == rank - 1 && type.is_float();
    clamped.push_back(dense ? Expr(vars[axis]) : clamp(vars[axis], 0, extent - 1));
  }
  in.tensor.func = Func(name + "_in");
  std::vector<Expr> reversed(clamped.rbegin(), clamped.rend());
  define(in.tensor.func, vars, in.param(reversed));
  return in;
}

Expr broadcast_at(const HTensor &t, const std::vector<bool> &ones,
                  const std::vector<Expr> &out_index) {
  size_t offset = out_index.size() - t.extents.size();
  std::vector<Expr> index;
  for (size_t a = 0; a < t.extents.size(); ++a)
    index.push_back(ones[a] ? Expr(0) : out_index[offset + a]);
  return at(t, index);
}

std::vector<Expr> clamped_index(const HTensor &t, const std::vector<Expr> &index) {
  std::vector<Expr> out;
  for (size_t a = 0; a < index.size(); ++a)
    out.push_back(clamp(index[a], 0, t.extents[a] - 1));
  return out;
}

HTensor define_pointwise(const std::string &name, const std::vector<Expr> &extents,
                         const std::function<Expr(const std::vector<Expr> &)> &body) {
  HTensor out{Func(name), extents};
  auto vars = make_vars(static_cast<int>(extents.size()));
  define(out.func, vars, body(to_exprs(vars)));
  return out;
}

HTensor define_transpose(const std::string &name, const HTensor &in,
                         const std::vector<int64_t> &perm) {
  std::vector<Expr> extents;
  for (int64_t p : perm)
    extents.push_back(in.extents[p]);
  return define_pointwise(name, extents, [&](const std::vector<Expr> &o) {
    std::vector<Expr> index(perm.size());
    for (size_t i = 0; i < perm.size(); ++i)
      index[perm[i]] = o[i];
    return at(in, index);
  });
}

HTensor define_reshape(const std::string &name, const HTensor &in,
                       const std::vector<Expr> &extents) {
  return define_pointwise(name, extents, [&](const std::vector<Expr> &o) {
    Expr linear = 0;
    for (size_t i = 0; i < o.size(); ++i)
      linear = linear * extents[i] + o[i];
    std::vector<Expr> index(in.extents.size());
    for (size_t a = in.extents.size(); a-- > 0;) {
      index[a] = linear % in.extents[a];
      linear = linear / in.extents[a];
    }
    return at(in, index);
  });
}

HTensor define_split_heads(const std::string &name, const HTensor &in, int64_t heads) {
  Expr head_dim = in.extents[2] / static_cast<int>(heads);
  std::vector<Expr> extents = {in.extents[0], static_cast<int>(heads), in.extents[1], head_dim};
  return define_pointwise(name, extents, [&](const std::vector<Expr> &o) {
    return at(in, {o[0], o[2], o[1] * head_dim + o[3]});
  });
}

HTensor define_merge_heads(const std::string &name, const HTensor &in) {
  Expr head_dim = in.extents[3];
  std::vector<Expr> extents = {in.extents[0], in.extents[2], in.extents[1] * head_dim};
  return define_pointwise(name, extents, [&](const std::vector<Expr> &o) {
    return at(in, {o[0], o[2] / head_dim, o[1], o[2] % head_dim});
  });
}

MatmulFuncs define_matmul(const std::string &name, const HTensor &lhs, const HTensor &rhs,
                          const std::vector<Expr> &batch_extents, const std::vector<bool> &lhs_ones,
                          const std::vector<bool> &rhs_ones) {
  MatmulFuncs mm;
  int nb = static_cast<int>(batch_extents.size());
  int lb = lhs.rank() - 2, rb = rhs.rank() - 2;
  Expr m_extent = lhs.extents[lb], k_extent = lhs.extents[lb + 1];
  Expr n_extent = rhs.extents[rb + 1];
  mm.k = RDom(0, k_extent, name + "_k");
  mm.vars = make_vars(nb + 2, "i");
  auto out_index = to_exprs(mm.vars);

  // The right operand, packed row-major [rhs batch..., K, N] so rows of N are contiguous.
  mm.packed = Func(name + "_packed");
  auto pvars = make_vars(rb + 2, "p");
  define(mm.packed, pvars, at(rhs, clamped_index(rhs, to_exprs(pvars))));

  std::vector<Expr> lhs_index, rhs_index;
  for (int t = 0; t < lb; ++t)
    lhs_index.push_back(lhs_ones[t] ? Expr(0) : out_index[nb - lb + t]);
  for (int t = 0; t < rb; ++t)
    rhs_index.push_back(rhs_ones[t] ? Expr(0) : out_index[nb - rb + t]);
  lhs_index.push_back(out_index[nb]);
  lhs_index.push_back(mm.k.x);
  rhs_index.push_back(mm.k.x);
  rhs_index.push_back(out_index[nb + 1]);

  mm.lhs = lhs.func;
  mm.prod = Func(name + "_prod");
  define(mm.prod, mm.vars, 0.0f);
  std::vector<Expr> prod_index(out_index.rbegin(), out_index.rend());
  std::vector<Expr> packed_index(rhs_index.rbegin(), rhs_index.rend());
  mm.prod(prod_index) += at(lhs, lhs_index) * mm.packed(packed_index);

  std::vector<Expr> extents = batch_extents;
  extents.push_back(m_extent);
  extents.push_back(n_extent);
  mm.out = HTensor{Func(name), extents};
  define(mm.out.func, mm.vars, mm.prod(prod_index));
  return mm;
}

SoftmaxFuncs define_softmax(const std::string &name, const HTensor &in, int axis) {
  SoftmaxFuncs sm;
  sm.axis = axis;
  sm.vars = make_vars(in.rank(), "s");
  RDom r(0, in.extents[axis], name + "_r");
  std::vector<Var> row_vars;
  for (int a = 0; a < in.rank(); ++a)
    if (a != axis)
      row_vars.push_back(sm.vars[a]);
  auto row_index = to_exprs(row_vars);
  std::vector<Expr> row_rev(row_index.rbegin(), row_index.rend());
  std::vector<Expr> reduce_index = to_exprs(sm.vars);
  reduce_index[axis] = r.x;

  sm.max = Func(name + "_max");
  define(sm.max, row_vars, -FLT_MAX);
  sm.max(row_rev) = max(sm.max(row_rev), at(in, reduce_index));
  sm.exp = Func(name + "_exp");
  define(sm.exp, sm.vars, exp(at(in, to_exprs(sm.vars)) - sm.max(row_rev)));
  sm.sum = Func(name + "_sum");
  define(sm.sum, row_vars, 0.0f);
  std::vector<Expr> exp_rev(reduce_index.rbegin(), reduce_index.rend());
  sm.sum(row_rev) += sm.exp(exp_rev);
  sm.out = HTensor{Func(name), in.extents};
  auto all = to_exprs(sm.vars);
  define(sm.out.func, sm.vars,
         sm.exp(std::vector<Expr>(all.rbegin(), all.rend())) / sm.sum(row_rev));
  return sm;
}

} // namespace attn::compiler::lowering
