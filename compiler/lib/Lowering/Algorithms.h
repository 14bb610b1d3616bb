// The algorithm of each op family, in Halide, kept apart from its schedules (Schedules.h).
// Tensors are row-major; Halide numbers dimensions from the innermost, so every definition here
// indexes with row-major index lists and `at`/`define` reverse them. Each family returns the
// Funcs its schedule needs to place.
#pragma once

#include "Halide.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace attn::compiler::lowering {

/// A tensor-valued Halide Func with its extents (row-major, axis 0 first).
struct HTensor {
  Halide::Func func;
  std::vector<Halide::Expr> extents;
  int rank() const { return static_cast<int>(extents.size()); }
};

/// Row-major variables for a tensor of `rank` axes, named <prefix>0, <prefix>1, ...
std::vector<Halide::Var> make_vars(int rank, const std::string &prefix = "a");
/// The element of `t` at the row-major index `index`.
Halide::Expr at(const HTensor &t, const std::vector<Halide::Expr> &index);
/// Defines `f(vars) = body` with row-major `vars`.
void define(Halide::Func f, const std::vector<Halide::Var> &vars, Halide::Expr body);
std::vector<Halide::Expr> to_exprs(const std::vector<Halide::Var> &vars);

/// A kernel input: a buffer whose outer axes are read through a clamp to its bounds, so that
/// schedules may round row tiles up at edges without reading outside the buffer. The innermost
/// axis of a float input is not clamped (dense vector loads); schedules must not round it up.
/// Integer inputs (ids, read by gathers along the output's outer axes) are clamped everywhere.
struct HInput {
  Halide::ImageParam param;
  HTensor tensor;
};
HInput define_input(const std::string &name, const std::vector<int64_t> &static_extents,
                    Halide::Type type = Halide::Float(32));

/// `index` clamped into `t`'s extents: for staging copies (packed operands), which are computed
/// over rounded-up regions.
std::vector<Halide::Expr> clamped_index(const HTensor &t, const std::vector<Halide::Expr> &index);

/// NumPy broadcasting: `out_extents` is the broadcast shape; an operand axis of static size 1
/// (given by `ones`) is read at index 0.
Halide::Expr broadcast_at(const HTensor &t, const std::vector<bool> &ones,
                          const std::vector<Halide::Expr> &out_index);

HTensor
define_pointwise(const std::string &name, const std::vector<Halide::Expr> &extents,
                 const std::function<Halide::Expr(const std::vector<Halide::Expr> &)> &body);

HTensor define_transpose(const std::string &name, const HTensor &in,
                         const std::vector<int64_t> &perm);
HTensor define_reshape(const std::string &name, const HTensor &in,
                       const std::vector<Halide::Expr> &extents);
HTensor define_split_heads(const std::string &name, const HTensor &in, int64_t heads);
HTensor define_merge_heads(const std::string &name, const HTensor &in);

struct MatmulFuncs {
  HTensor out;         // pure: out = prod
  Halide::Func prod;   // the accumulation, with an update over k
  Halide::Func packed; // the right operand copied so that its columns are contiguous
  Halide::Func lhs;    // the left operand's Func, as the product reads it
  Halide::RDom k;
  std::vector<Halide::Var> vars; // row-major vars of out
  bool packs_rhs = true;
};
/// lhs [..., M, K] x rhs [..., K, N] with batch axes broadcast (`lhs_ones`, `rhs_ones` mark the
/// batch axes of static size 1, aligned to the output's batch axes).
MatmulFuncs define_matmul(const std::string &name, const HTensor &lhs, const HTensor &rhs,
                          const std::vector<Halide::Expr> &batch_extents,
                          const std::vector<bool> &lhs_ones, const std::vector<bool> &rhs_ones);

struct SoftmaxFuncs {
  HTensor out;
  Halide::Func max, exp, sum;
  std::vector<Halide::Var> vars;
  int axis = 0;
};
SoftmaxFuncs define_softmax(const std::string &name, const HTensor &in, int axis);
/// log(softmax(in)) along `axis` as in - max - log(sum(exp(in - max))); the same Funcs as
/// softmax, so it shares softmax's schedules (ReduceAlgorithms.cpp).
SoftmaxFuncs define_log_softmax(const std::string &name, const HTensor &in, int axis);

/// Reductions along one axis (ReduceAlgorithms.cpp). `acc` accumulates over `r` at the
/// output's index (with the reduced axis kept or dropped); sums are taken relative to the row's
/// first element, which `out` adds back (and the mean divides). `out` is pure, so it inlines
/// into its readers while `acc` is placed by the kernel's schedule.
enum class ReduceKind { Sum, Mean, Max, Min };
struct ReduceFuncs {
  HTensor out;
  Halide::Func acc;
  Halide::RDom r;
  std::vector<Halide::Var> vars; // row-major vars of acc and out
  bool inner = false;            // the reduced axis is the input's innermost
};
ReduceFuncs define_reduce(const std::string &name, const HTensor &in, int axis, bool keepdim,
                          ReduceKind kind);

/// Elementwise activations as expressions (ActivationAlgorithms.cpp).
Halide::Expr erf_f32(Halide::Expr x);  // |error| < 2e-7
Halide::Expr tanh_f32(Halide::Expr x); // within 2 ulps, vectorisable
Halide::Expr gelu_erf(Halide::Expr x);
Halide::Expr elu(Halide::Expr x, float alpha);
Halide::Expr leaky_relu(Halide::Expr x, float negative_slope);
Halide::Expr pow_constant(Halide::Expr x, float exponent);

/// Data movement (MoveAlgorithms.cpp). Positions are Python-style: a negative `start`, `end` or
/// `index` counts from the end of its axis. Reads along an axis whose extent is not a constant
/// are clamped to it, since the shape rules could not check them (see attn.slice).
/// 16-bit floats are held in kernels as their bit patterns (UInt(16)): Halide's own f16 and
/// bf16 do not reach every GPU backend (OpenCL wants an extension for them, and LLVM 14's PTX
/// backend fails on bf16), so their conversions are integer arithmetic, the same on every target.
enum class HalfKind { F16, BF16 };
/// The f32 value of 16-bit `bits` (exact).
Halide::Expr widen_half(Halide::Expr bits, HalfKind kind);
/// The 16-bit pattern of f32 `value`, rounded to nearest even (overflow to infinity, NaN kept).
Halide::Expr narrow_half(Halide::Expr value, HalfKind kind);
/// `in` converted to `type`, element by element; `from` and `to` say that the input or the
/// result is a 16-bit float held as bits (`type` is then UInt(16)).
HTensor define_cast(const std::string &name, const HTensor &in, Halide::Type type,
                    std::optional<HalfKind> from = std::nullopt,
                    std::optional<HalfKind> to = std::nullopt);
/// table [N, rest...] at ids [...] (integers, clamped to 0..N-1) → [..., rest...].
HTensor define_gather(const std::string &name, const HTensor &table, const HTensor &ids);
HTensor define_concat(const std::string &name, const std::vector<HTensor> &inputs, int axis);
HTensor define_slice(const std::string &name, const HTensor &in, int axis, int64_t start,
                     std::optional<int64_t> end);
HTensor define_select(const std::string &name, const HTensor &in, int axis, int64_t index);
HTensor define_unsqueeze(const std::string &name, const HTensor &in, int axis);
/// [extent] holding 0..extent-1 as `type`.
HTensor define_arange(const std::string &name, Halide::Expr extent, Halide::Type type);

/// The per-element score and mask of an attention, as Halide expressions built from the op's
/// regions: `score(s, b, h, i, j)` maps the dot product to the logit; `mask(b, h, i, j)` is
/// empty-able (undefined Expr: every key is kept).
struct AttentionRegions {
  std::function<Halide::Expr(Halide::Expr s, Halide::Expr b, Halide::Expr h, Halide::Expr i,
                             Halide::Expr j)>
      score;
  std::function<Halide::Expr(Halide::Expr b, Halide::Expr h, Halide::Expr i, Halide::Expr j)>
      mask; // may be empty
  /// What key j gives to element e of query row i's result, from the value's element v;
  /// empty: v.
  std::function<Halide::Expr(Halide::Expr v, Halide::Expr b, Halide::Expr h, Halide::Expr i,
                             Halide::Expr j, Halide::Expr e)>
      value;
  /// When the value region is `v * scale` with a scale of the indices and extras alone (local-p's
  /// Gaussian), that scale, applied to each weight once rather than to every element; `value`
  /// is then empty.
  std::function<Halide::Expr(Halide::Expr b, Halide::Expr h, Halide::Expr i, Halide::Expr j)>
      value_scale;
  /// The raw score's term for feature `a` of query and key elements qa, ka; empty: qa * ka.
  std::function<Halide::Expr(Halide::Expr qa, Halide::Expr ka, Halide::Expr a)> feature;
  /// How a row's scores become weights (the op's normalizer; top_k for TopK).
  enum class Normalizer { Softmax, Argmax, TopK } normalizer = Normalizer::Softmax;
  int top_k = 0;
};

/// The row reductions of attention (max, sum) run over keys in aligned blocks of this many: a
/// multiple of every CPU vector width, so a block's condition is uniform across a vector.
constexpr int kKeyBlock = 16;
/// The value sum of attention visits keys for aligned blocks of this many query rows (the rows
/// of a CPU register block), so that the rows of a block share one loop over keys.
constexpr int kRowBlock = 4;
/// The query rows of a tile of attention's online form (AttentionFuncs::state).
constexpr int kQueryTile = 32;
struct AttentionFuncs {
  HTensor out;
  Halide::Func keys, dot, score, max, exp, sum, acc;
  /// exp (the online form: weights) times the value region's scale, when it has one
  /// (AttentionRegions::value_scale).
  Halide::Func weighted;
  Halide::RDom d, j; // j: the keys of acc (masked per key by an index-only mask)
  Halide::RDom jb;   // max and sum: jb.x blocks of kKeyBlock keys, jb.y a key in the block
  std::vector<Halide::Var> vars; // row-major vars of out: [batch..., i, dv]
  Halide::Var key;               // the key-position var of score/exp
  int value_dim = -1;            // Dv when static, for register blocking; -1 otherwise
  int query_rows = -1;           // Sq when static (a decoder step's 1); -1 otherwise
  bool weights_only = false;     // define_attention_weights: no acc, out is [batch..., i, key]
  bool index_mask = false;       // a mask of the indices alone bounds the loops over keys
  /// The score uses the dot product on some positions only (`dot(q, k) if j <= i else ...`), so
  /// a block of scores may need the dot on part of the block.
  bool dot_by_position = false;
  /// Argmax: the row's first key with the largest score (Sk when the row keeps none); the
  /// output reads that key's value, and exp, sum and acc are not used.
  Halide::Func first;
  /// TopK: per row, the count of kept keys at or above the current threshold and the largest
  /// score below it, one Func per step that lowers the threshold from the row maximum to the
  /// k-th largest score (exp is zero below it).
  std::vector<Halide::Func> thresholds;
  /// The online form (key_block > 0; out, keys, dot and score as above, max/exp/sum/acc unused):
  /// keys in blocks of key_block. Each block's weights are exp(score - the block's maximum),
  /// summed per row (block_sum) and applied to the block's values (block_acc, over
  /// [batch..., kb, i, dv]). `state` ([batch..., tile, tile_row, dv], a Tuple of the running
  /// maximum, sum and weighted sum, the first two the same for every dv) takes in one block per
  /// step of `blocks`, scaling what it holds to the larger maximum. A schedule computes a
  /// block's stages inside that step, so scratch is a tile of rows × key_block, whatever Sk.
  int key_block = 0;
  Halide::Var key_blk; // the online form's dot and score are over [batch..., i, key_blk, key]
  Halide::Var tile, tile_row; // state is over [batch..., tile, tile_row, dv]
  Halide::Func block_max, weights, block_sum, block_acc, state;
  Halide::RDom blocks;      // state's update: the key blocks
  Halide::RDom block_lanes; // block_max, block_sum: x a run of kKeyBlock keys, y a key in it
  Halide::RDom block_keys;  // block_acc: the keys of a block (those below Sk)
};
/// q [..., Sq, D], k [..., Sk, D], v [..., Sk, Dv] → [..., Sq, Dv] (AttentionAlgorithms.cpp); up to
/// two leading axes (batch, head). Softmax over keys with the row maximum subtracted; a row whose
/// keys are all masked gives zeros. `key_block` > 0 asks for the online form where it applies
/// (a softmax, no mask of the indices alone, more query rows than a decoder step); it must be a
/// multiple of kKeyBlock.
AttentionFuncs define_attention(const std::string &name, const HTensor &q, const HTensor &k,
                                const HTensor &v, const AttentionRegions &regions,
                                int key_block = 0);
/// The weights alone (AttentionAlgorithms.cpp): q [..., Sq, D], k [..., Sk, D] → [..., Sq, Sk],
/// the softmax over keys of the same stages as define_attention; `vars` end in `key`.
AttentionFuncs define_attention_weights(const std::string &name, const HTensor &q, const HTensor &k,
                                        const AttentionRegions &regions);

/// Convolution networks on NCHW images (ConvAlgorithms.cpp). A window's output size is
/// `(n + 2*padding - kernel) / stride + 1`, rounding down.
struct ConvWindow {
  int kernel[2], stride[2], padding[2]; // rows, columns
  int out_channels = 0;                 // conv2d: the weight's O
};
struct ConvFuncs {
  HTensor out;         // pure: prod, plus the bias
  Halide::Func padded; // the input in its zero border, columns by phase (ConvAlgorithms.cpp)
  Halide::Func packed; // the weight as [C, kh, kw, O], a tile's output channels adjacent
  Halide::Func prod;   // the accumulation, with an update over r
  Halide::RDom r;      // r.x the kernel column, r.y its row, r.z the input channel
  std::vector<Halide::Var> vars; // row-major vars of out and prod: n, o, y, x
  ConvWindow window;
};
/// in [N, C, H, W], weight [O, C, kh, kw] (static), bias [O] or null → [N, O, OH, OW].
ConvFuncs define_conv2d(const std::string &name, const HTensor &in, const HTensor &weight,
                        const HTensor *bias, const ConvWindow &window);
/// in [..., H, W] → [..., OH, OW], the maximum of each window (the border is -inf).
HTensor define_max_pool2d(const std::string &name, const HTensor &in, const ConvWindow &window);
/// Axes `start..end` of `in` merged into one, row-major.
HTensor define_flatten(const std::string &name, const HTensor &in, int start, int end);

} // namespace attn::compiler::lowering
