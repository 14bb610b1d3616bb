// Elementwise activations that Halide has no intrinsic for (or only a scalar one: tanh), as f32
// expressions. erf is the one
// that needs care: GELU is checked against PyTorch's exact (erf) form, so it must be accurate to
// a few float ulps everywhere, including the tails where 1 + erf(x) cancels.
#include "Algorithms.h"

#include <cmath>

using namespace Halide;

namespace attn::compiler::lowering {

namespace {

/// Horner's rule, highest coefficient first.
Expr horner(Expr x, std::initializer_list<float> coefficients) {
  Expr acc;
  for (float c : coefficients)
    acc = acc.defined() ? acc * x + c : Expr(c);
  return acc;
}

} // namespace

Expr erf_f32(Expr x) {
  // Near 0, the odd rational x P(x²) / Q(x²) of Eigen and XLA (approximation error 7e-8): its
  // relative error stays small as erf(x) goes to 0. The argument is clamped so the unused
  // branch cannot overflow.
  Expr xs = clamp(x, -1.0f, 1.0f);
  Expr x2 = xs * xs;
  Expr p = xs * horner(x2, {-2.72614225801306e-10f, 2.77068142495902e-08f, -2.10102402082508e-06f,
                            -5.69250639462346e-05f, -7.34990630326855e-04f, -2.95459980854025e-03f,
                            -1.60960333262415e-02f});
  Expr q = horner(x2, {-1.45660718464996e-05f, -2.13374055278905e-04f, -1.68282697438203e-03f,
                       -7.37332916720468e-03f, -1.42647390514189e-02f});
  Expr small = p / q;
  // Elsewhere, 1 - erfc(|x|) with erfc from Numerical Recipes' erfcc (relative error 1.2e-7):
  // a ratio close to 1 loses a few ulps in f32, a small erfc subtracted from 1 does not.
  Expr a = abs(x);
  Expr t = 1.0f / (1.0f + 0.5f * a);
  Expr poly = horner(t, {0.17087277f, -0.82215223f, 1.48851587f, -1.13520398f, 0.27886807f,
                         -0.18628806f, 0.09678418f, 0.37409196f, 1.00002368f, -1.26551223f});
  Expr erfc = t * exp(-a * a + poly);
  Expr large = 1.0f - erfc;
  return select(a < 0.75f, small, select(x < 0.0f, -large, large));
}

Expr tanh_f32(Expr x) {
  // Halide's tanh calls libm's tanhf once per lane; this form vectorises (Halide's exp is a
  // polynomial) and stays within 2 float ulps of tanh. Near 0, an odd polynomial x P(x²) fitted
  // by least squares to tanh(x) / x on Chebyshev nodes of [0, 0.625] (1.2 ulps): the ratio below
  // would cancel there. Elsewhere (1 - e) / (1 + e) with e = exp(-2|x|) in (0, 1], which cannot
  // overflow and gives ±1 for large |x|.
  Expr a = abs(x);
  Expr xs = x;
  Expr small =
      xs * horner(xs * xs, {-0.005709814373403788f, 0.020642109215259552f, -0.053739793598651886f,
                            0.13331417739391327f, -0.33333277702331543f, 1.0f});
  Expr e = exp(-2.0f * a);
  Expr large = (1.0f - e) / (1.0f + e);
  // Halide's float math assumes no NaN (it compiles with fast-math flags): a NaN gives ±1 here.
  return select(a < 0.625f, small, x < 0.0f, -large, large);
}

Expr gelu_erf(Expr x) { return 0.5f * x * (1.0f + erf_f32(x * 0.70710678118654752f)); }

Expr elu(Expr x, float alpha) { return select(x > 0.0f, x, alpha * (exp(x) - 1.0f)); }

Expr leaky_relu(Expr x, float negative_slope) { return select(x > 0.0f, x, negative_slope * x); }

Expr pow_constant(Expr x, float exponent) {
  // Integer exponents by repeated squaring: exact signs for negative bases, as in PyTorch.
  if (exponent == std::nearbyint(exponent) && std::fabs(exponent) <= 64.0f) {
    int n = static_cast<int>(std::fabs(exponent));
    Expr result, base = x;
    for (; n > 0; n >>= 1) {
      if (n & 1)
        result = result.defined() ? result * base : base;
      if (n > 1)
        base = base * base;
    }
    if (!result.defined())
      return Expr(1.0f); // x ** 0 is 1 for every x
    return exponent < 0 ? 1.0f / result : result;
  }
  if (exponent == 0.5f)
    return sqrt(x);
  return pow(x, exponent);
}

} // namespace attn::compiler::lowering
