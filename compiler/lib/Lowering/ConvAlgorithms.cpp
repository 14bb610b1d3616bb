// Halide definitions of the convolution-network ops: conv2d, max_pool2d and flatten. See
// Algorithms.h for the conventions.
#include "Algorithms.h"

#include <limits>

using namespace Halide;

namespace attn::compiler::lowering {

namespace {

/// The output size of a window along an axis of extent `n`.
Expr window_extent(const Expr &n, int kernel, int stride, int padding) {
  return (n + (2 * padding - kernel)) / stride + 1;
}

} // namespace

ConvFuncs define_conv2d(const std::string &name, const HTensor &in, const HTensor &weight,
                        const HTensor *bias, const ConvWindow &window) {
  ConvFuncs cv;
  cv.window = window;
  const int kh = window.kernel[0], kw = window.kernel[1];
  Expr height = in.extents[2], width = in.extents[3];
  const int ph = window.padding[0], pw = window.padding[1];

  // The input staged inside its zero border, so that the accumulation reads it without tests,
  // and with its columns split by phase: padded(q, phase, h, c, n) is column q*sw + phase of
  // the padded image, so that the columns a vector of outputs reads for one kernel column are
  // adjacent whatever the stride (for sw = 1 it is the padded image itself). It is computed over
  // whatever region the schedule's tiles need (rounded up at the edges), reading the input
  // clamped.
  const int sw = window.stride[1];
  cv.padded = Func(name + "_padded");
  Var q("q"), phase("phase"), ph_row("h"), pc("c"), pn("n");
  Expr h = ph_row - ph, w = q * sw + phase - pw;
  Expr value = at(in, {pn, pc, clamp(h, 0, height - 1), clamp(w, 0, width - 1)});
  if (ph > 0 || pw > 0)
    value = select(h >= 0 && h < height && w >= 0 && w < width, value, 0.0f);
  cv.padded(q, phase, ph_row, pc, pn) = value;

  // The weight transposed to [C, kh, kw, O]: the output channels of a tile are read as adjacent
  // scalars at constant offsets. Computed over the rounded-up channels (the weight is clamped).
  cv.packed = Func(name + "_packed");
  auto kv = make_vars(4, "k");
  define(cv.packed, kv, at(weight, clamped_index(weight, {kv[3], kv[0], kv[1], kv[2]})));

  cv.vars = make_vars(4, "c");
  Var n = cv.vars[0], o = cv.vars[1], y = cv.vars[2], x = cv.vars[3];
  cv.r = RDom(0, kw, 0, kh, 0, in.extents[1], name + "_r");
  cv.prod = Func(name + "_prod");
  define(cv.prod, cv.vars, 0.0f);
  std::vector<Expr> prod_index = {x, y, o, n};
  Expr row = y * window.stride[0] + cv.r.y;
  cv.prod(prod_index) += cv.packed(o, cv.r.x, cv.r.y, cv.r.z) *
                         cv.padded(x + cv.r.x / sw, cv.r.x % sw, row, cv.r.z, n);

  Expr result = cv.prod(prod_index);
  if (bias)
    result = result + at(*bias, {o});
  cv.out =
      HTensor{Func(name),
              {in.extents[0], weight.extents[0], window_extent(height, kh, window.stride[0], ph),
               window_extent(width, kw, window.stride[1], pw)}};
  define(cv.out.func, cv.vars, result);
  return cv;
}

HTensor define_max_pool2d(const std::string &name, const HTensor &in, const ConvWindow &window) {
  int rank = in.rank();
  Expr height = in.extents[rank - 2], width = in.extents[rank - 1];
  std::vector<Expr> extents(in.extents.begin(), in.extents.end() - 2);
  extents.push_back(window_extent(height, window.kernel[0], window.stride[0], window.padding[0]));
  extents.push_back(window_extent(width, window.kernel[1], window.stride[1], window.padding[1]));
  const bool padded = window.padding[0] > 0 || window.padding[1] > 0;
  return define_pointwise(name, extents, [&](const std::vector<Expr> &o) {
    // The element at row `i`, column `j` of the window on the output position `o`: -inf outside
    // the image, which every window overlaps (the padding is at most half the kernel).
    auto element = [&](Expr i, Expr j) {
      Expr h = o[rank - 2] * window.stride[0] + i - window.padding[0];
      Expr w = o[rank - 1] * window.stride[1] + j - window.padding[1];
      std::vector<Expr> index(o.begin(), o.end() - 2);
      index.push_back(clamp(h, 0, height - 1));
      index.push_back(clamp(w, 0, width - 1));
      Expr v = at(in, index);
      if (padded)
        v = select(h >= 0 && h < height && w >= 0 && w < width, v,
                   -std::numeric_limits<float>::infinity());
      return v;
    };
    // Small windows unrolled into one expression (vectorised along the row); large ones loop.
    if (window.kernel[0] * window.kernel[1] > 64) {
      RDom r(0, window.kernel[1], 0, window.kernel[0], name + "_r");
      return maximum(element(r.y, r.x));
    }
    Expr m;
    for (int i = 0; i < window.kernel[0]; ++i)
      for (int j = 0; j < window.kernel[1]; ++j)
        m = m.defined() ? max(m, element(i, j)) : element(i, j);
    return m;
  });
}

HTensor define_flatten(const std::string &name, const HTensor &in, int start, int end) {
  std::vector<Expr> extents(in.extents.begin(), in.extents.begin() + start);
  Expr merged = 1;
  for (int a = start; a <= end; ++a)
    merged = merged * in.extents[a];
  extents.push_back(Internal::simplify(merged));
  extents.insert(extents.end(), in.extents.begin() + end + 1, in.extents.end());
  return define_pointwise(name, extents, [&](const std::vector<Expr> &o) {
    std::vector<Expr> index(o.begin(), o.begin() + start);
    // The merged position, taken apart row-major (the last merged axis varies fastest).
    std::vector<Expr> parts(end - start + 1);
    Expr rest = o[start];
    for (int a = end; a > start; --a) {
      parts[a - start] = rest % in.extents[a];
      rest = rest / in.extents[a];
    }
    parts[0] = rest;
    index.insert(index.end(), parts.begin(), parts.end());
    index.insert(index.end(), o.begin() + start + 1, o.end());
    return at(in, index);
  });
}

} // namespace attn::compiler::lowering
