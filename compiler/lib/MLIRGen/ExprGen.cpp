// Tensor expressions of a forward: names, arithmetic with broadcasting (compile-time scalars
// become rank-0 attn.constant), built-ins, submodule calls (inlined) and attend.
#include "MLIRGenImpl.h"

#include "llvm/ADT/ScopeExit.h"

#include "mlir/IR/BuiltinTypes.h"

namespace attn::mlirgen {

using dsl::Builtin;

TensorValue Generator::constant(double value, mlir::Location at) {
  auto type = mlir::RankedTensorType::get({}, builder_.getF32Type());
  auto op = builder_.create<ir::ConstantOp>(at, type, builder_.getF32FloatAttr(float(value)));
  return TensorValue{op, 0};
}

dsl::DtypeLookup Generator::frame_dtypes(const Frame &frame) {
  return [&frame](const dsl::NameExpr &name) -> std::optional<std::string> {
    // A parameter is read as f32, whatever it is stored in (dsl/SPEC.md §4).
    if (name.binding == dsl::Binding::Param)
      return std::string("f32");
    TensorValue tensor = frame.tensors.lookup(name.name);
    if (!tensor)
      return std::nullopt;
    return ir::element_type_name(tensor.value.getType().cast<mlir::ShapedType>().getElementType());
  };
}

std::optional<dsl::ConstValue> Generator::gen_scalar(const dsl::Expr &expr, Frame &frame) {
  dsl::LocalLookup lookup = [&frame](const dsl::NameExpr &name) -> const dsl::ConstValue * {
    auto it = frame.scalars.find(name.name);
    return it == frame.scalars.end() ? nullptr : &it->second;
  };
  return dsl::evaluate(expr, frame.instance->values, diag_, lookup, frame_dtypes(frame));
}

std::optional<int64_t> Generator::gen_int(const dsl::Expr &expr, Frame &frame) {
  auto v = gen_scalar(expr, frame);
  if (!v)
    return std::nullopt;
  return v->int_value;
}

std::vector<TensorValue> Generator::gen_values(const dsl::Expr &expr, Frame &frame) {
  if (auto *call = llvm::dyn_cast<dsl::CallExpr>(&expr))
    if (call->builtin == Builtin::None) // after Sema, a submodule call
      return inline_call(*call, frame);
  if (auto *scan = llvm::dyn_cast<dsl::ScanExpr>(&expr))
    return gen_scan(*scan, frame);
  return {gen_tensor(expr, frame)};
}

TensorValue Generator::gen_tensor(const dsl::Expr &expr, Frame &frame) {
  if (dsl::is_scalar(expr.type)) {
    auto v = gen_scalar(expr, frame);
    if (!v)
      return {};
    return constant(v->as_double(), loc(expr.range()));
  }
  switch (expr.kind()) {
  case dsl::Expr::Kind::Name: {
    const auto &name = llvm::cast<dsl::NameExpr>(expr);
    if (name.binding == dsl::Binding::Param)
      return member_param(name.name, {}, name.range(), frame);
    return frame.tensors.lookup(name.name);
  }
  case dsl::Expr::Kind::SelfMember: {
    const auto &member = llvm::cast<dsl::SelfMemberExpr>(expr);
    return member_param(member.member.name, member.parts, member.member.range, frame);
  }
  case dsl::Expr::Kind::Conditional:
    return gen_conditional(llvm::cast<dsl::ConditionalExpr>(expr), frame);
  case dsl::Expr::Kind::Unary: {
    const auto &unary = llvm::cast<dsl::UnaryExpr>(expr);
    mlir::Location at = loc(expr.range());
    TensorValue operand = gen_tensor(*unary.operand, frame);
    if (unary.op == dsl::UnaryOp::Not) // true where the element is zero (or false)
      return make_relation<ir::EqOp>(operand, constant(0, at), at);
    return promote_to_f32(make_unary<ir::NegOp>(builder_, at, unranked(), operand));
  }
  case dsl::Expr::Kind::Binary:
    return promote_to_f32(gen_binary(llvm::cast<dsl::BinaryExpr>(expr), frame));
  case dsl::Expr::Kind::Index:
    return gen_index(llvm::cast<dsl::IndexExpr>(expr), frame);
  case dsl::Expr::Kind::Scan: {
    std::vector<TensorValue> values = gen_scan(llvm::cast<dsl::ScanExpr>(expr), frame);
    return values.size() == 1 ? values.front() : TensorValue{};
  }
  case dsl::Expr::Kind::Call: {
    const auto &call = llvm::cast<dsl::CallExpr>(expr);
    if (call.builtin == Builtin::None) {
      std::vector<TensorValue> values = gen_values(expr, frame);
      return values.size() == 1 ? values.front() : TensorValue{};
    }
    return promote_to_f32(gen_builtin(call, frame));
  }
  default:
    report(expr.range(), "internal error: this expression has no tensor value");
    return {};
  }
}

TensorValue Generator::gen_binary(const dsl::BinaryExpr &binary, Frame &frame) {
  TensorValue lhs = gen_tensor(*binary.lhs, frame);
  TensorValue rhs = gen_tensor(*binary.rhs, frame);
  mlir::Location at = loc(binary.op_range);
  switch (binary.op) {
  case dsl::BinaryOp::Add:
    return make_binary<ir::AddOp>(builder_, at, unranked(), lhs, rhs);
  case dsl::BinaryOp::Sub:
    return make_binary<ir::SubOp>(builder_, at, unranked(), lhs, rhs);
  case dsl::BinaryOp::Mul:
    return make_binary<ir::MulOp>(builder_, at, unranked(), lhs, rhs);
  case dsl::BinaryOp::Div:
    return make_binary<ir::DivOp>(builder_, at, unranked(), lhs, rhs);
  case dsl::BinaryOp::Lt:
    return make_relation<ir::LtOp>(lhs, rhs, at);
  case dsl::BinaryOp::Le:
    return make_relation<ir::LeOp>(lhs, rhs, at);
  case dsl::BinaryOp::Gt:
    return make_relation<ir::GtOp>(lhs, rhs, at);
  case dsl::BinaryOp::Ge:
    return make_relation<ir::GeOp>(lhs, rhs, at);
  case dsl::BinaryOp::Eq:
    return make_relation<ir::EqOp>(lhs, rhs, at);
  case dsl::BinaryOp::Ne:
    return make_relation<ir::NeOp>(lhs, rhs, at);
  case dsl::BinaryOp::And:
  case dsl::BinaryOp::Or: {
    // The operands as bools, then as 0 and 1: `and` is their product, `or` their maximum.
    TensorValue l = convert(truth(lhs, at), builder_.getF32Type(), at);
    TensorValue r = convert(truth(rhs, at), builder_.getF32Type(), at);
    TensorValue both = binary.op == dsl::BinaryOp::And
                           ? make_binary<ir::MulOp>(builder_, at, unranked(), l, r)
                           : make_binary<ir::MaxOp>(builder_, at, unranked(), l, r);
    return make_relation<ir::NeOp>(both, constant(0, at), at);
  }
  }
  return {};
}

/// The argument at `position`, given positionally or by its keyword; null when absent.
static const dsl::Expr *argument(const dsl::CallExpr &call, size_t position) {
  if (position < call.args.size())
    return call.args[position].get();
  const dsl::BuiltinInfo &info = dsl::builtin_info(call.builtin);
  for (const dsl::KeywordArg &kwarg : call.kwargs)
    for (size_t k = 0; k < info.keywords.size(); ++k)
      if (kwarg.name.name == info.keywords[k] && info.min_args + k == position)
        return kwarg.value.get();
  return nullptr;
}

const dsl::Expr *builtin_argument(const dsl::CallExpr &call, size_t position) {
  return argument(call, position);
}

std::optional<int64_t> Generator::normalize_axis(const dsl::Expr &axis_expr, int64_t axis, int rank,
                                                 const char *what) {
  if (axis < 0 && rank < 0) {
    report(axis_expr.range(), llvm::Twine(what) + " with a negative axis needs the input's rank, "
                                                  "which is not known here (it comes from a "
                                                  "'...' input); give a non-negative axis");
    return std::nullopt;
  }
  int64_t normalized = axis < 0 ? axis + rank : axis;
  if (normalized < 0 || (rank >= 0 && normalized >= rank)) {
    report(axis_expr.range(), "axis " + llvm::Twine(axis) + " of " + what +
                                  " is out of range for a tensor of rank " + llvm::Twine(rank));
    return std::nullopt;
  }
  return normalized;
}

TensorValue Generator::gen_builtin(const dsl::CallExpr &call, Frame &frame) {
  mlir::Location at = loc(call.range());
  mlir::Type type = unranked();
  auto tensor_arg = [&](size_t i) { return gen_tensor(*argument(call, i), frame); };
  switch (call.builtin) {
  case Builtin::Matmul:
  case Builtin::Max:
  case Builtin::Min: {
    // Operands in source order (argument evaluation order is unspecified in C++).
    TensorValue lhs = tensor_arg(0);
    TensorValue rhs = tensor_arg(1);
    if (call.builtin == Builtin::Matmul)
      return make_binary<ir::MatmulOp>(builder_, at, type, lhs, rhs);
    if (call.builtin == Builtin::Max)
      return make_binary<ir::MaxOp>(builder_, at, type, lhs, rhs);
    return make_binary<ir::MinOp>(builder_, at, type, lhs, rhs);
  }
  case Builtin::Exp:
    return make_unary<ir::ExpOp>(builder_, at, type, tensor_arg(0));
  case Builtin::Log:
    return make_unary<ir::LogOp>(builder_, at, type, tensor_arg(0));
  case Builtin::Sqrt:
    return make_unary<ir::SqrtOp>(builder_, at, type, tensor_arg(0));
  case Builtin::Tanh:
    return make_unary<ir::TanhOp>(builder_, at, type, tensor_arg(0));
  case Builtin::Sigmoid:
    return make_unary<ir::SigmoidOp>(builder_, at, type, tensor_arg(0));
  case Builtin::Relu:
    return make_unary<ir::ReluOp>(builder_, at, type, tensor_arg(0));
  case Builtin::MergeHeads: {
    TensorValue x = tensor_arg(0);
    if (!x)
      return {};
    return TensorValue{builder_.create<ir::MergeHeadsOp>(at, type, x.value), 3};
  }
  case Builtin::SplitHeads: {
    TensorValue x = tensor_arg(0);
    auto heads = gen_int(*argument(call, 1), frame);
    if (!x || !heads)
      return {};
    if (*heads <= 0) {
      report(argument(call, 1)->range(),
             "split_heads needs a positive number of heads, got " + llvm::Twine(*heads));
      return {};
    }
    auto op =
        builder_.create<ir::SplitHeadsOp>(at, type, x.value, builder_.getI64IntegerAttr(*heads));
    return TensorValue{op, 4};
  }
  case Builtin::Softmax: {
    TensorValue x = tensor_arg(0);
    const dsl::Expr *axis_expr = argument(call, 1);
    int64_t axis = -1;
    if (axis_expr) {
      auto v = gen_int(*axis_expr, frame);
      if (!v)
        return {};
      axis = *v;
    }
    if (!x)
      return {};
    auto normalized = normalize_axis(axis_expr ? *axis_expr : call, axis, x.rank, "softmax");
    if (!normalized)
      return {};
    auto op =
        builder_.create<ir::SoftmaxOp>(at, type, x.value, builder_.getI64IntegerAttr(*normalized));
    return TensorValue{op, x.rank};
  }
  case Builtin::Transpose: {
    TensorValue x = tensor_arg(0);
    if (!x)
      return {};
    if (x.rank < 0) {
      report(call.range(), "transpose needs its input's rank, which is not known here (it comes "
                           "from a '...' input)");
      return {};
    }
    if (x.rank < 2) {
      report(call.range(),
             "transpose needs a tensor of rank 2 or more, got rank " + llvm::Twine(x.rank));
      return {};
    }
    int64_t a = x.rank - 2, b = x.rank - 1;
    if (call.args.size() == 3) {
      auto va = gen_int(*call.args[1], frame), vb = gen_int(*call.args[2], frame);
      if (!va || !vb)
        return {};
      auto na = normalize_axis(*call.args[1], *va, x.rank, "transpose");
      auto nb = normalize_axis(*call.args[2], *vb, x.rank, "transpose");
      if (!na || !nb)
        return {};
      a = *na;
      b = *nb;
    }
    std::vector<int64_t> perm(x.rank);
    for (int i = 0; i < x.rank; ++i)
      perm[i] = i;
    std::swap(perm[a], perm[b]);
    // Layout ops keep the element type (i64 ids may be transposed).
    auto keep =
        mlir::UnrankedTensorType::get(x.value.getType().cast<mlir::ShapedType>().getElementType());
    auto op = builder_.create<ir::TransposeOp>(at, keep, x.value, builder_.getI64ArrayAttr(perm));
    return TensorValue{op, x.rank};
  }
  case Builtin::Reshape: {
    TensorValue x = tensor_arg(0);
    const auto &list = llvm::cast<dsl::ListExpr>(*argument(call, 1));
    std::vector<int64_t> shape;
    int inferred = 0;
    for (const dsl::ExprPtr &element : list.elements) {
      auto v = gen_int(*element, frame);
      if (!v)
        return {};
      if (*v == -1 && ++inferred > 1) {
        report(element->range(), "reshape may infer only one size (-1)");
        return {};
      }
      if (*v < -1) {
        report(element->range(), "reshape to a negative size " + llvm::Twine(*v));
        return {};
      }
      shape.push_back(*v);
    }
    if (!x)
      return {};
    auto keep =
        mlir::UnrankedTensorType::get(x.value.getType().cast<mlir::ShapedType>().getElementType());
    auto op = builder_.create<ir::ReshapeOp>(at, keep, x.value, builder_.getI64ArrayAttr(shape));
    return TensorValue{op, static_cast<int>(shape.size())};
  }
  case Builtin::Attend:
    return gen_attend(call, frame);
  case Builtin::Embedding:
  case Builtin::Concat:
  case Builtin::Select:
  case Builtin::Slice:
  case Builtin::Unsqueeze:
  case Builtin::Arange:
    return gen_move_builtin(call, frame);
  case Builtin::Abs:
    return make_unary<ir::AbsOp>(builder_, at, type, tensor_arg(0));
  case Builtin::LogSoftmax:
  case Builtin::Sum:
  case Builtin::Mean:
  case Builtin::Amax:
  case Builtin::Amin:
  case Builtin::Gelu:
  case Builtin::Elu:
  case Builtin::LeakyRelu:
  case Builtin::Pow:
  case Builtin::Square:
  case Builtin::Rsqrt:
  case Builtin::Where:
    return gen_nn_builtin(call, frame);
  case Builtin::Conv2d:
  case Builtin::MaxPool2d:
  case Builtin::Flatten:
    return gen_conv_builtin(call, frame);
  default:
    report(call.range(), "internal error: '" + call.callee.name + "' has no tensor form");
    return {};
  }
}

/// The op that makes `value`, seen through the assertions of its shape (a module's inputs).
static mlir::Operation *asserted_source(mlir::Value value) {
  mlir::Operation *op = value.getDefiningOp();
  while (auto assertion = llvm::dyn_cast_or_null<ir::AssertShapeOp>(op))
    op = assertion.input().getDefiningOp();
  return op;
}

/// Whether `mask` is a fill of a nonzero value (the mask a variant member's call leaves out).
static bool keeps_every_key(mlir::Value mask) {
  auto fill = llvm::dyn_cast_or_null<ir::FillOp>(asserted_source(mask));
  return fill && fill.value().convertToDouble() != 0.0;
}

TensorValue Generator::gen_attend(const dsl::CallExpr &call, Frame &frame) {
  TensorValue q = gen_tensor(*call.args[0], frame);
  TensorValue k = gen_tensor(*call.args[1], frame);
  TensorValue v = gen_tensor(*call.args[2], frame);
  const dsl::AttentionDecl &variant = *call.variant_decl;
  // The variant's parameters: the call's arguments, evaluated here, then the defaults, which
  // may use the parameters before them.
  dsl::HyperparameterValues values;
  for (size_t p = 0; p < variant.hyperparameters.size(); ++p) {
    const dsl::Hyperparameter &h = variant.hyperparameters[p];
    std::optional<dsl::ConstValue> value = p < call.variant_args.size()
                                               ? gen_scalar(*call.variant_args[p], frame)
                                               : dsl::evaluate(*h.default_value, values, diag_);
    if (!value)
      return {};
    if (h.type == dsl::ScalarType::Float && value->type == dsl::ScalarType::Int)
      value = dsl::ConstValue::of_float(double(value->int_value));
    values.set(h.name.name, *value);
  }
  if (!q || !k || !v)
    return {};
  // The regions' ops, and the projections of a dot of vector expressions, are located in the
  // variant's definition, used from this call.
  mlir::Location at = loc(call.range());
  auto saved = call_site_;
  call_site_ = at;
  auto restore = llvm::make_scope_exit([&] { call_site_ = saved; });
  // The extras: the score's parameters at the key position (b[j]), its dots of one side
  // (dot(a, q)), the lets (a number per query row), the call's mask, the tables the score reads
  // elsewhere (bias[h, j - i]), those of the value clause, the tables of the dots with a row at a
  // relative position, then the feature vectors.
  ScoreReads reads = score_reads(variant);
  std::vector<mlir::Value> extras;
  for (const dsl::IndexExpr *row : reads.rows) {
    TensorValue elements = key_position_rows(*row, k, frame);
    if (!elements)
      return {};
    extras.push_back(elements.value);
  }
  for (const dsl::CallExpr *dot : reads.dots) {
    TensorValue per_row = one_sided_dot(*dot, q, k, frame);
    if (!per_row)
      return {};
    extras.push_back(per_row.value);
  }
  for (const dsl::LetDecl *let : reads.lets) {
    TensorValue per_row = let_value(*let->body, q, k, values, frame);
    if (!per_row)
      return {};
    extras.push_back(per_row.value);
  }
  std::optional<unsigned> input_mask;
  if (const dsl::Expr *mask_arg = builtin_argument(call, 3)) {
    TensorValue mask = gen_tensor(*mask_arg, frame);
    if (!mask)
      return {};
    // A mask left out of a variant member's call is a fill of 1: every key is kept.
    if (!keeps_every_key(mask.value)) {
      input_mask = static_cast<unsigned>(extras.size());
      // As 0/1 in f32: a key is kept where the mask is true or not zero.
      mlir::Location mask_at = loc(mask_arg->range());
      mask = convert(truth(mask, mask_at), builder_.getF32Type(), mask_at);
      extras.push_back(mask.value);
    }
  }
  std::vector<const dsl::IndexExpr *> param_tables = reads.tables;
  param_tables.insert(param_tables.end(), reads.value_tables.begin(), reads.value_tables.end());
  for (const dsl::IndexExpr *read : param_tables) {
    const auto &base = llvm::cast<dsl::NameExpr>(*read->base);
    TensorValue table = member_param(base.name, {}, base.range(), frame);
    if (!table)
      return {};
    extras.push_back(table.value);
  }
  for (const dsl::CallExpr *dot : reads.relative) {
    TensorValue table = relative_table(*dot, q, k, frame);
    if (!table)
      return {};
    if (table.rank < 2) {
      report(dot->range(), "a row at a relative position needs the query as a [..., S, D] tensor");
      return {};
    }
    extras.push_back(table.value);
    reads.relative_leading.push_back(table.rank - 2);
  }
  size_t table_count = param_tables.size() + reads.relative.size();
  mlir::IntegerAttr num_tables =
      table_count == 0 ? nullptr : builder_.getI64IntegerAttr(static_cast<int64_t>(table_count));
  FeatureForm form;
  if (!gen_dot_operands(variant, q, k, frame, form))
    return {};
  for (const TensorValue &vector : form.vectors)
    extras.push_back(vector.value);
  mlir::IntegerAttr num_features =
      form.build ? builder_.getI64IntegerAttr(static_cast<int64_t>(form.vectors.size())) : nullptr;
  // The normaliser: the nearest one along the chain of variants (softmax when none says).
  const dsl::AttentionDecl *owner = defining(&variant, &dsl::AttentionDecl::normalize);
  mlir::StringAttr normalizer;
  mlir::IntegerAttr top_k;
  if (owner && owner->normalize->kind.name != "softmax") {
    const dsl::NormalizeDecl &normalize = *owner->normalize;
    normalizer = builder_.getStringAttr(normalize.kind.name);
    if (normalize.count) {
      std::optional<dsl::ConstValue> count = dsl::evaluate(*normalize.count, values, diag_);
      if (!count)
        return {};
      if (count->int_value < 1) {
        report(normalize.count->range(),
               "topk keeps at least one key, got " + llvm::Twine(count->int_value));
        return {};
      }
      top_k = builder_.getI64IntegerAttr(count->int_value);
    }
  }
  // A value region when some variant of the chain gives the values (`value(v, i, j) = ...`).
  const dsl::AttentionDecl *value_owner = defining(&variant, &dsl::AttentionDecl::value);
  unsigned value_regions = value_owner ? 1 : 0;
  auto op =
      builder_.create<ir::AttentionOp>(at, unranked(), q.value, k.value, v.value, extras,
                                       num_features, normalizer, top_k, num_tables, value_regions);
  // A variant with parameters runs as its member (self.a(q, k, v)): its attention map takes
  // the member's name.
  const Instance *instance = frame.instance;
  if (instance && instance->decl && instance->decl->attention && !instance->prefix.empty())
    op->setAttr(mlir::attn::kModuleAttr,
                builder_.getStringAttr(llvm::StringRef(instance->prefix).drop_back()));
  {
    mlir::OpBuilder::InsertionGuard guard(builder_);
    build_score(op, variant, values, reads);
    build_mask(op, variant, values, reads, input_mask);
    build_value(op, variant, values, reads);
    if (form.build)
      form.build(op);
  }
  return TensorValue{op, q.rank};
}

} // namespace attn::mlirgen
