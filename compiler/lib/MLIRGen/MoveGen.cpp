// Data movement and element types: embedding, concat, select, slice, unsqueeze, arange and
// postfix indexing `x[...]`, which keep their input's element type, and the promotion of
// integer operands of every other op to f32 (as PyTorch promotes `int64 * float32`). Axes are
// normalised here, where ranks are known; bounds are checked by the shape rules.
#include "MLIRGenImpl.h"

#include "mlir/IR/BuiltinTypes.h"

namespace attn::mlirgen {

using dsl::Builtin;

namespace {

mlir::Type element_of(mlir::Value v) {
  return v.getType().cast<mlir::ShapedType>().getElementType();
}

mlir::Type unranked_of(mlir::Type element) { return mlir::UnrankedTensorType::get(element); }

/// "an f32 tensor", "a bool tensor", for messages.
std::string tensor_phrase(mlir::Type element) { return dtype_phrase(element) + " tensor"; }

/// The argument at `position`: positional, else the keyword the built-in's table names for it
/// (concat's `dim` is its axis, whatever the number of tensors).
const dsl::Expr *argument_at(const dsl::CallExpr &call, size_t position) {
  if (position < call.args.size())
    return call.args[position].get();
  const dsl::BuiltinInfo &info = dsl::builtin_info(call.builtin);
  for (const dsl::KeywordArg &kwarg : call.kwargs)
    for (size_t k = 0; k < info.keywords.size(); ++k)
      if (kwarg.name.name == info.keywords[k] && k + 1 == position)
        return kwarg.value.get();
  return nullptr;
}

} // namespace

TensorValue Generator::promote_to_f32(TensorValue value) {
  mlir::Operation *op = value ? value.value.getDefiningOp() : nullptr;
  if (!op ||
      llvm::isa<ir::CastOp, ir::GatherOp, ir::ConcatOp, ir::SliceOp, ir::SelectOp, ir::UnsqueezeOp,
                ir::ArangeOp, ir::TransposeOp, ir::ReshapeOp, ir::FlattenOp, ir::AssertShapeOp>(op))
    return value;
  // A where between bools keeps them (gen_nn_builtin converted its condition).
  if (llvm::isa<ir::WhereOp>(op) && element_of(op->getResult(0)).isInteger(1))
    return value;
  mlir::OpBuilder before(op);
  for (mlir::OpOperand &operand : op->getOpOperands()) {
    auto type = operand.get().getType().dyn_cast<mlir::ShapedType>();
    if (!type || type.getElementType().isF32())
      continue;
    auto cast = before.create<ir::CastOp>(op->getLoc(), unranked(), operand.get());
    operand.set(cast);
  }
  return value;
}

TensorValue Generator::truth(TensorValue x, mlir::Location at) {
  if (!x || element_of(x.value).isInteger(1))
    return x;
  return make_relation<ir::NeOp>(x, constant(0, at), at);
}

TensorValue Generator::make_select(TensorValue x, int64_t axis, int64_t index, mlir::Location at) {
  auto op = builder_.create<ir::SelectOp>(at, unranked_of(element_of(x.value)), x.value,
                                          builder_.getI64IntegerAttr(axis),
                                          builder_.getI64IntegerAttr(index));
  return TensorValue{op, x.rank < 0 ? -1 : x.rank - 1};
}

TensorValue Generator::make_slice(TensorValue x, int64_t axis, int64_t start,
                                  std::optional<int64_t> end, mlir::Location at) {
  auto op = builder_.create<ir::SliceOp>(
      at, unranked_of(element_of(x.value)), x.value, builder_.getI64IntegerAttr(axis),
      builder_.getI64IntegerAttr(start), end ? builder_.getI64IntegerAttr(*end) : nullptr);
  return TensorValue{op, x.rank};
}

TensorValue Generator::gen_move_builtin(const dsl::CallExpr &call, Frame &frame) {
  mlir::Location at = loc(call.range());
  auto int_arg = [&](size_t i) { return gen_int(*argument_at(call, i), frame); };
  switch (call.builtin) {
  case Builtin::Embedding: {
    TensorValue table = gen_tensor(*call.args[0], frame);
    TensorValue ids = gen_tensor(*call.args[1], frame);
    if (!table || !ids)
      return {};
    if (!element_of(ids.value).isSignlessInteger() || element_of(ids.value).isInteger(1)) {
      report(call.args[1]->range(), "the ids of embedding must be an integer tensor (i64 or i32), "
                                    "got " +
                                        tensor_phrase(element_of(ids.value)));
      return {};
    }
    auto op = builder_.create<ir::GatherOp>(at, unranked_of(element_of(table.value)), table.value,
                                            ids.value);
    int rank = table.rank < 0 || ids.rank < 0 ? -1 : ids.rank + table.rank - 1;
    return TensorValue{op, rank};
  }
  case Builtin::Concat: {
    size_t count = call.kwargs.empty() ? call.args.size() - 1 : call.args.size();
    const dsl::Expr &axis_expr = call.kwargs.empty() ? *call.args.back() : *call.kwargs[0].value;
    std::vector<TensorValue> inputs;
    for (size_t i = 0; i < count; ++i)
      inputs.push_back(gen_tensor(*call.args[i], frame));
    auto axis = gen_int(axis_expr, frame);
    if (!axis || llvm::any_of(inputs, [](const TensorValue &t) { return !t; }))
      return {};
    int rank = -1;
    std::vector<mlir::Value> values;
    for (size_t i = 0; i < count; ++i) {
      if (rank >= 0 && inputs[i].rank >= 0 && inputs[i].rank != rank) {
        report(call.args[i]->range(),
               "concat needs tensors of one rank: argument " + llvm::Twine(i + 1) + " has rank " +
                   llvm::Twine(inputs[i].rank) + ", the ones before it " + llvm::Twine(rank));
        return {};
      }
      rank = rank < 0 ? inputs[i].rank : rank;
      mlir::Type first = element_of(inputs[0].value), other = element_of(inputs[i].value);
      if (other != first) {
        report(call.args[i]->range(), "concat needs tensors of one element type: argument 1 is " +
                                          tensor_phrase(first) + ", argument " +
                                          llvm::Twine(i + 1) + " is " + tensor_phrase(other));
        return {};
      }
      values.push_back(inputs[i].value);
    }
    auto normalized = normalize_axis(axis_expr, *axis, rank, "concat");
    if (!normalized)
      return {};
    auto op = builder_.create<ir::ConcatOp>(at, unranked_of(element_of(values[0])), values,
                                            builder_.getI64IntegerAttr(*normalized));
    return TensorValue{op, rank};
  }
  case Builtin::Select:
  case Builtin::Slice: {
    TensorValue x = gen_tensor(*call.args[0], frame);
    auto axis = int_arg(1), start = int_arg(2);
    std::optional<int64_t> end;
    if (call.args.size() > 3) {
      end = int_arg(3);
      if (!end)
        return {};
    }
    if (!x || !axis || !start)
      return {};
    const char *name = call.builtin == Builtin::Select ? "select" : "slice";
    auto normalized = normalize_axis(*call.args[1], *axis, x.rank, name);
    if (!normalized)
      return {};
    if (call.builtin == Builtin::Select)
      return make_select(x, *normalized, *start, at);
    return make_slice(x, *normalized, *start, end, at);
  }
  case Builtin::Unsqueeze: {
    TensorValue x = gen_tensor(*call.args[0], frame);
    auto axis = int_arg(1);
    if (!x || !axis)
      return {};
    // As in PyTorch, the new axis may be any of rank + 1 positions; -1 appends it.
    int64_t positions = x.rank + 1;
    if (x.rank >= 0 && (*axis < -positions || *axis >= positions)) {
      report(call.args[1]->range(), "unsqueeze position " + llvm::Twine(*axis) +
                                        " is out of range for a tensor of rank " +
                                        llvm::Twine(x.rank) + " (" + llvm::Twine(-positions) +
                                        " to " + llvm::Twine(x.rank) + ")");
      return {};
    }
    auto normalized =
        normalize_axis(*call.args[1], *axis, x.rank < 0 ? -1 : positions, "unsqueeze");
    if (!normalized)
      return {};
    auto op = builder_.create<ir::UnsqueezeOp>(at, unranked_of(element_of(x.value)), x.value,
                                               builder_.getI64IntegerAttr(*normalized));
    return TensorValue{op, x.rank < 0 ? -1 : x.rank + 1};
  }
  case Builtin::Arange: {
    std::string dtype = "i64";
    if (const dsl::Expr *dtype_expr = argument_at(call, 2)) {
      auto v = gen_scalar(*dtype_expr, frame);
      if (!v)
        return {};
      dtype = v->string_value;
      if (dtype != "i64" && dtype != "f32") {
        report(dtype_expr->range(),
               "arange gives \"i64\" or \"f32\" positions, not \"" + llvm::Twine(dtype) + "\"");
        return {};
      }
    }
    mlir::Type element = dtype == "f32" ? mlir::Type(builder_.getF32Type())
                                        : mlir::Type(builder_.getIntegerType(64));
    const dsl::Expr &first = *call.args[0];
    if (first.type == dsl::ExprType::Int) {
      auto n = gen_int(first, frame);
      if (!n)
        return {};
      if (*n < 0) {
        report(first.range(), "arange needs a size of 0 or more, got " + llvm::Twine(*n));
        return {};
      }
      auto op = builder_.create<ir::ArangeOp>(at, unranked_of(element), mlir::Value(),
                                              mlir::IntegerAttr(), builder_.getI64IntegerAttr(*n));
      return TensorValue{op, 1};
    }
    TensorValue like = gen_tensor(first, frame);
    const dsl::Expr *dim_expr = argument_at(call, 1);
    int64_t axis = -1;
    if (dim_expr) {
      auto v = gen_int(*dim_expr, frame);
      if (!v)
        return {};
      axis = *v;
    }
    if (!like)
      return {};
    auto normalized = normalize_axis(dim_expr ? *dim_expr : call, axis, like.rank, "arange");
    if (!normalized)
      return {};
    auto op =
        builder_.create<ir::ArangeOp>(at, unranked_of(element), like.value,
                                      builder_.getI64IntegerAttr(*normalized), mlir::IntegerAttr());
    return TensorValue{op, 1};
  }
  default:
    report(call.range(), "internal error: '" + call.callee.name + "' is not a data-movement op");
    return {};
  }
}

TensorValue Generator::gen_index(const dsl::IndexExpr &index, Frame &frame) {
  TensorValue x = gen_tensor(*index.base, frame);
  struct Step {
    const dsl::IndexEntry *entry;
    int64_t axis; // from 0, or from the end when negative
    int64_t start = 0;
    std::optional<int64_t> end;
  };
  std::vector<Step> steps;
  size_t named = 0;
  bool after_ellipsis = false;
  for (const dsl::IndexEntry &entry : index.entries)
    named += entry.kind != dsl::IndexEntry::Kind::Ellipsis;
  for (const dsl::IndexEntry &entry : index.entries) {
    if (entry.kind == dsl::IndexEntry::Kind::Ellipsis) {
      after_ellipsis = true;
      continue;
    }
    // Entries before `...` count from the first axis, those after it from the last.
    int64_t position = static_cast<int64_t>(steps.size());
    Step step{&entry, after_ellipsis ? position - static_cast<int64_t>(named) : position};
    if (entry.start) {
      auto v = gen_int(*entry.start, frame);
      if (!v)
        return {};
      step.start = *v;
    }
    if (entry.end) {
      auto v = gen_int(*entry.end, frame);
      if (!v)
        return {};
      step.end = *v;
    }
    steps.push_back(step);
  }
  if (!x)
    return {};
  if (x.rank >= 0 && static_cast<int64_t>(named) > x.rank) {
    report(index.range(), "too many indices (" + llvm::Twine(named) + ") for a tensor of rank " +
                              llvm::Twine(x.rank));
    return {};
  }
  for (Step &step : steps) {
    const dsl::Expr &where = step.entry->start ? *step.entry->start : *index.base;
    auto axis = normalize_axis(where, step.axis, x.rank, "an index");
    if (!axis)
      return {};
    step.axis = *axis;
  }
  // Innermost first, so that dropping an axis never moves the axes still to be indexed.
  for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
    mlir::Location at = loc(it->entry->range);
    if (it->entry->kind == dsl::IndexEntry::Kind::Index)
      x = make_select(x, it->axis, it->start, at);
    else if (it->start != 0 || it->end)
      x = make_slice(x, it->axis, it->start, it->end, at);
  }
  return x;
}

} // namespace attn::mlirgen
