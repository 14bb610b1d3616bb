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

} // namespace

HTensor define_cast(const std::string &name, const HTensor &in, Type type) {
  return define_pointwise(name, in.extents,
                          [&](const std::vector<Expr> &o) { return cast(type, at(in, o)); });
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
