// Halide definitions of the data-movement ops: cast, gather (embedding lookup), concat, slice,
// select, unsqueeze and arange. All are pointwise over their output: they inline into the kernels
// that read them, or, materialised, take the pointwise schedules. See Algorithms.h for conventions.
#include "Algorithms.h"

using namespace Halide;

namespace attn::compiler::lowering {

namespace {

/// Whether `extent` is a compile-time constant, so that the shape rules checked positions on
/// it; reads along other axes are clamped.
bool is_constant(const Expr &extent) {
  return Internal::as_const_int(Internal::simplify(extent)) != nullptr;
}

/// A position given Python-style (negative from the end) on an axis of `extent`.
Expr position(int64_t bound, const Expr &extent) {
  return bound < 0 ? extent + static_cast<int>(bound) : Expr(static_cast<int>(bound));
}

/// `index` read on an axis of `extent`: clamped when the extent is only known at run time.
Expr on_axis(const Expr &index, const Expr &extent) {
  return is_constant(extent) ? index : clamp(index, 0, extent - 1);
}

/// A uint32 constant: Halide's operators take int literals only.
Expr u32(uint32_t value) { return Expr(value); }

} // namespace

Expr widen_half(Expr bits, HalfKind kind) {
  Expr u = cast<uint32_t>(bits);
  if (kind == HalfKind::BF16)
    return reinterpret<float>(u << 16);
  Expr sign = (u & u32(0x8000)) << 16;
  Expr exponent = (u >> 10) & u32(0x1f);
  Expr mantissa = u & u32(0x3ff);
  // Subnormals (and zero) are mantissa * 2^-24; the rest only move their fields.
  Expr tiny = cast<float>(mantissa) * (1.0f / 16777216.0f);
  Expr wide = select(exponent == u32(31), sign | u32(0x7f800000) | (mantissa << 13),
                     sign | ((exponent + u32(112)) << 23) | (mantissa << 13));
  return select(exponent == u32(0), select(sign != u32(0), -tiny, tiny), reinterpret<float>(wide));
}

Expr narrow_half(Expr value, HalfKind kind) {
  Expr x = reinterpret<uint32_t>(value);
  Expr magnitude = x & u32(0x7fffffff);
  Expr nan = magnitude > u32(0x7f800000);
  if (kind == HalfKind::BF16) {
    Expr rounded = (x + u32(0x7fff) + ((x >> 16) & u32(1))) >> 16;
    return cast<uint16_t>(select(nan, (x >> 16) | u32(0x40), rounded));
  }
  Expr sign = (x >> 16) & u32(0x8000);
  // Drops the low `shift` bits of `bits`, rounding to nearest even. Integer arithmetic only: a
  // float rounding function would not round ties to even on every backend (Halide 14's OpenCL
  // `round` rounds them away from zero).
  auto shift_round = [](Expr bits, Expr shift) {
    Expr kept = bits >> shift;
    Expr rest = bits & ((u32(1) << shift) - u32(1));
    Expr half = u32(1) << (shift - u32(1));
    Expr up = rest > half || (rest == half && (kept & u32(1)) == u32(1));
    return kept + select(up, u32(1), u32(0));
  };
  // A normal f16: the exponent rebiased, 13 mantissa bits rounded off (a carry steps the
  // exponent, as it should).
  Expr normal =
      shift_round((magnitude & u32(0x7fffff)) | ((magnitude >> 23) - u32(112)) << 23, u32(13));
  // Below 2^-14: steps of 2^-24, the f32 significand (with its implicit bit) shifted right by
  // 126 - exponent (at most 31: whatever is shifted that far rounds to 0); 1024 steps is the
  // smallest normal.
  Expr exponent = magnitude >> 23;
  Expr significand = (magnitude & u32(0x7fffff)) | u32(0x800000);
  Expr tiny = shift_round(significand, min(u32(126) - exponent, u32(31)));
  return cast<uint16_t>(sign | select(nan, u32(0x7e00) | ((magnitude >> 13) & u32(0x1ff)),
                                      magnitude >= u32(0x477ff000), u32(0x7c00),
                                      magnitude < u32(0x38800000), tiny, normal));
}

HTensor define_cast(const std::string &name, const HTensor &in, Type type,
                    std::optional<HalfKind> from, std::optional<HalfKind> to) {
  return define_pointwise(name, in.extents, [&](const std::vector<Expr> &o) {
    Expr v = at(in, o);
    if (from)
      v = widen_half(v, *from);
    return to ? narrow_half(cast<float>(v), *to) : cast(type, v);
  });
}

HTensor define_gather(const std::string &name, const HTensor &table, const HTensor &ids) {
  std::vector<Expr> extents = ids.extents;
  extents.insert(extents.end(), table.extents.begin() + 1, table.extents.end());
  const Expr rows = table.extents[0];
  return define_pointwise(name, extents, [&](const std::vector<Expr> &o) {
    std::vector<Expr> id_index(o.begin(), o.begin() + ids.rank());
    // Clamped in 64 bits before narrowing: a huge id must not wrap into the table.
    Expr id = cast(Int(64), at(ids, id_index));
    Expr row = cast(Int(32), clamp(id, cast(Int(64), 0), cast(Int(64), rows - 1)));
    std::vector<Expr> index = {row};
    index.insert(index.end(), o.begin() + ids.rank(), o.end());
    return at(table, index);
  });
}

HTensor define_concat(const std::string &name, const std::vector<HTensor> &inputs, int axis) {
  std::vector<Expr> offsets = {Expr(0)};
  for (const HTensor &in : inputs)
    offsets.push_back(offsets.back() + in.extents[axis]);
  std::vector<Expr> extents = inputs.front().extents;
  extents[axis] = offsets.back();
  return define_pointwise(name, extents, [&](const std::vector<Expr> &o) {
    // From the last operand back, each earlier one takes the positions before its end. Every
    // operand is read at a position clamped into it: Halide bounds both sides of a select.
    auto read = [&](size_t k) {
      std::vector<Expr> index = o;
      index[axis] = clamp(o[axis] - offsets[k], 0, inputs[k].extents[axis] - 1);
      return at(inputs[k], index);
    };
    Expr value = read(inputs.size() - 1);
    for (size_t k = inputs.size() - 1; k-- > 0;)
      value = select(o[axis] < offsets[k + 1], read(k), value);
    return value;
  });
}

HTensor define_slice(const std::string &name, const HTensor &in, int axis, int64_t start,
                     std::optional<int64_t> end) {
  const Expr n = in.extents[axis];
  Expr begin = position(start, n);
  Expr finish = end ? position(*end, n) : n;
  std::vector<Expr> extents = in.extents;
  extents[axis] = finish - begin;
  return define_pointwise(name, extents, [&](const std::vector<Expr> &o) {
    std::vector<Expr> index = o;
    index[axis] = on_axis(o[axis] + begin, n);
    return at(in, index);
  });
}

HTensor define_select(const std::string &name, const HTensor &in, int axis, int64_t index) {
  const Expr n = in.extents[axis];
  std::vector<Expr> extents = in.extents;
  extents.erase(extents.begin() + axis);
  return define_pointwise(name, extents, [&](const std::vector<Expr> &o) {
    std::vector<Expr> full = o;
    full.insert(full.begin() + axis, on_axis(position(index, n), n));
    return at(in, full);
  });
}

HTensor define_unsqueeze(const std::string &name, const HTensor &in, int axis) {
  std::vector<Expr> extents = in.extents;
  extents.insert(extents.begin() + axis, Expr(1));
  return define_pointwise(name, extents, [&](const std::vector<Expr> &o) {
    std::vector<Expr> index = o;
    index.erase(index.begin() + axis);
    return at(in, index);
  });
}

HTensor define_arange(const std::string &name, Expr extent, Type type) {
  return define_pointwise(name, {extent},
                          [&](const std::vector<Expr> &o) { return cast(type, o[0]); });
}

} // namespace attn::compiler::lowering
