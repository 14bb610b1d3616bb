// The shape rules of the data-movement ops (cast, gather, concat, slice, select, unsqueeze,
// arange). Sizes along a concatenated or sliced axis are sums and differences of dims (`T+1`,
// `S-1`); a bound that can be checked at compile time (a static axis) is, and is reported with
// the shapes involved.
#include "attn/compiler/Dialect/AttnDialect.h"

using namespace mlir;
using namespace mlir::attn;
using ::attn::compiler::SymDim;
using ::attn::compiler::SymShape;
using ::attn::compiler::to_string;

namespace {

/// Reports the diagnostic (on destruction) and fails the shape rule.
FailureOr<SymShape> fail(const InFlightDiagnostic &) { return failure(); }

/// I64 attributes read back as uint64_t; bounds and axes are signed.
int64_t signed_value(IntegerAttr attr) { return attr.getValue().getSExtValue(); }

/// The position `bound` on an axis of size `n`: negative bounds count from the end.
SymDim position(int64_t bound, const SymDim &n) {
  return bound < 0 ? n + SymDim::constant(bound) : SymDim::constant(bound);
}

} // namespace

FailureOr<SymShape> CastOp::inferSymShape(ArrayRef<SymShape> operands) { return operands[0]; }

FailureOr<SymShape> GatherOp::inferSymShape(ArrayRef<SymShape> operands) {
  const SymShape &table = operands[0], &ids = operands[1];
  if (table.empty())
    return fail(emitError() << "gather needs a table of rank 1 or more, got a scalar");
  SymShape out = ids;
  out.insert(out.end(), table.begin() + 1, table.end());
  return out;
}

FailureOr<SymShape> ConcatOp::inferSymShape(ArrayRef<SymShape> operands) {
  const SymShape &first = operands[0];
  int64_t rank = static_cast<int64_t>(first.size()), axis = signed_value(axisAttr());
  if (axis < 0 || axis >= rank)
    return fail(emitError() << "concat axis " << axis << " is out of range for "
                            << to_string(first));
  SymShape out = first;
  for (size_t k = 1; k < operands.size(); ++k) {
    const SymShape &next = operands[k];
    if (static_cast<int64_t>(next.size()) != rank)
      return fail(emitError() << "concat needs operands of one rank, got " << to_string(first)
                              << " and " << to_string(next));
    for (int64_t a = 0; a < rank; ++a) {
      if (a == axis)
        continue;
      if (next[a] != first[a])
        return fail(emitError() << "concat along axis " << axis << " of " << to_string(first)
                                << " and " << to_string(next) << ": axis " << a << " differs ("
                                << first[a].str() << " vs " << next[a].str() << ")");
    }
    out[axis] = out[axis] + next[axis];
  }
  return out;
}

FailureOr<SymShape> SliceOp::inferSymShape(ArrayRef<SymShape> operands) {
  const SymShape &in = operands[0];
  int64_t axis = signed_value(axisAttr()), first = signed_value(startAttr());
  std::optional<int64_t> last;
  if (endAttr())
    last = signed_value(endAttr());
  if (axis < 0 || axis >= static_cast<int64_t>(in.size()))
    return fail(emitError() << "slice axis " << axis << " is out of range for " << to_string(in));
  const SymDim &n = in[axis];
  std::string range = std::to_string(first) + ":" + (last ? std::to_string(*last) : "");
  SymDim begin = position(first, n);
  SymDim finish = last ? position(*last, n) : n;
  SymDim size = finish - begin;
  if (n.is_static()) {
    int64_t b = begin.value(), f = finish.value(), extent = n.value();
    if (b < 0 || f > extent || b > f)
      return fail(emitError() << "slice [" << range << "] is out of range for axis " << axis
                              << " of " << to_string(in) << " (size " << extent << ")");
  } else if (!size.is_size()) {
    return fail(emitError() << "slice [" << range << "] of axis " << axis << " of " << to_string(in)
                            << " has a negative size (" << size.str() << ")");
  }
  SymShape out = in;
  out[axis] = size;
  return out;
}

FailureOr<SymShape> SelectOp::inferSymShape(ArrayRef<SymShape> operands) {
  const SymShape &in = operands[0];
  int64_t axis = signed_value(axisAttr()), index = signed_value(indexAttr());
  if (axis < 0 || axis >= static_cast<int64_t>(in.size()))
    return fail(emitError() << "select axis " << axis << " is out of range for " << to_string(in));
  const SymDim &n = in[axis];
  if (n.is_static() && (index < -n.value() || index >= n.value()))
    return fail(emitError() << "index " << index << " is out of range for axis " << axis << " of "
                            << to_string(in) << " (size " << n.value() << ")");
  SymShape out = in;
  out.erase(out.begin() + axis);
  return out;
}

FailureOr<SymShape> UnsqueezeOp::inferSymShape(ArrayRef<SymShape> operands) {
  const SymShape &in = operands[0];
  int64_t axis = signed_value(axisAttr());
  if (axis < 0 || axis > static_cast<int64_t>(in.size()))
    return fail(emitError() << "unsqueeze axis " << axis << " is out of range for " << to_string(in)
                            << " (0 to " << in.size() << ")");
  SymShape out = in;
  out.insert(out.begin() + axis, SymDim::constant(1));
  return out;
}

FailureOr<SymShape> ArangeOp::inferSymShape(ArrayRef<SymShape> operands) {
  if (operands.empty())
    return SymShape{SymDim::constant(sizeAttr() ? signed_value(sizeAttr()) : 0)};
  const SymShape &like = operands[0];
  int64_t a = axisAttr() ? signed_value(axisAttr()) : 0;
  if (a < 0 || a >= static_cast<int64_t>(like.size()))
    return fail(emitError() << "arange axis " << a << " is out of range for " << to_string(like));
  return SymShape{like[a]};
}
