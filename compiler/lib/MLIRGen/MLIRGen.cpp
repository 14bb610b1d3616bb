// Elaboration of the model (hyperparameters, submodule instances, parameters), the function
// and its arguments, statements, and the inlining of submodule calls with their shape
// assertions. Expressions are in ExprGen.cpp, attention regions in ScoreGen.cpp.
#include "MLIRGenImpl.h"

#include "attn/dsl/Frontend.h"
#include "attn/dsl/Sema.h"

#include "mlir/Dialect/StandardOps/IR/Ops.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Location.h"

#include "llvm/Support/SourceMgr.h"

namespace attn {

mlir::OwningOpRef<mlir::ModuleOp> mlir_gen(mlir::MLIRContext &context, const dsl::Program &program,
                                           const std::string &model,
                                           const std::map<std::string, std::string> &defines,
                                           dsl::DiagnosticEngine &diag) {
  if (diag.error_count() != 0 || program.files.empty())
    return nullptr;
  const dsl::ModuleDecl *decl = dsl::find_model(program, model, diag);
  if (!decl)
    return nullptr;
  return mlirgen::Generator(context, program, diag).run(*decl, defines);
}

} // namespace attn

namespace attn::mlirgen {

using compiler::SymDim;
using compiler::SymShape;

Generator::Generator(mlir::MLIRContext &context, const dsl::Program &program,
                     dsl::DiagnosticEngine &diag)
    : context_(context), builder_(&context), program_(program), diag_(diag) {
  context_.getOrLoadDialect<ir::AttnDialect>();
  context_.getOrLoadDialect<mlir::arith::ArithmeticDialect>();
  context_.getOrLoadDialect<mlir::math::MathDialect>();
  context_.getOrLoadDialect<mlir::StandardOpsDialect>(); // select, in scores and masks
  errors_at_start_ = diag_.error_count();
}

mlir::Type Generator::unranked() const {
  return mlir::UnrankedTensorType::get(mlir::Float32Type::get(&context_));
}

mlir::Type Generator::unranked_bool() const {
  return mlir::UnrankedTensorType::get(mlir::IntegerType::get(&context_, 1));
}

mlir::Location Generator::file_loc(llvm::SMRange range) const {
  dsl::LineCol where = diag_.resolve(range.Start);
  if (where.file.empty())
    return mlir::UnknownLoc::get(&context_);
  return mlir::FileLineColLoc::get(&context_, where.file, where.line, where.col);
}

mlir::Location Generator::loc(llvm::SMRange range) const {
  mlir::Location here = file_loc(range);
  if (call_site_)
    return mlir::CallSiteLoc::get(here, *call_site_);
  return here;
}

bool Generator::report(llvm::SMRange range, const llvm::Twine &message) {
  diag_.error(range, message);
  return false;
}

/// The element type of a tensor the forward may take or a module declare: floats, integers
/// (token ids) or bool (masks, as i1).
static mlir::Type element_type(mlir::Builder &b, dsl::DType dtype) {
  switch (dtype) {
  case dsl::DType::F32:
    return b.getF32Type();
  case dsl::DType::F16:
    return b.getF16Type();
  case dsl::DType::BF16:
    return b.getBF16Type();
  case dsl::DType::I64:
    return b.getIntegerType(64);
  case dsl::DType::I32:
    return b.getIntegerType(32);
  case dsl::DType::Bool:
    return b.getI1Type();
  }
  return nullptr;
}

/// f16 and bf16 are storage types: a value of one is widened to f32 before anything computes
/// on it (exactly), and a value declared with one is rounded to it (dsl/SPEC.md §4).
static bool is_storage_float(mlir::Type element) { return element.isF16() || element.isBF16(); }

std::string dtype_phrase(mlir::Type element) {
  std::string name = ir::element_type_name(element);
  return (name[0] == 'b' ? "a " : "an ") + name;
}

TensorValue Generator::convert(TensorValue value, mlir::Type element, mlir::Location at) {
  if (!value || value.value.getType().cast<mlir::ShapedType>().getElementType() == element)
    return value;
  auto op = builder_.create<ir::CastOp>(at, mlir::UnrankedTensorType::get(element), value.value);
  return TensorValue{op, value.rank};
}

TensorValue Generator::widen(TensorValue value, mlir::Location at) {
  if (!value || !is_storage_float(value.value.getType().cast<mlir::ShapedType>().getElementType()))
    return value;
  return convert(value, builder_.getF32Type(), at);
}

static mlir::Attribute to_attribute(mlir::Builder &b, const dsl::ConstValue &v) {
  switch (v.type) {
  case dsl::ScalarType::Int:
    return b.getI64IntegerAttr(v.int_value);
  case dsl::ScalarType::Float:
    return b.getF64FloatAttr(v.float_value);
  case dsl::ScalarType::Bool:
    return b.getBoolAttr(v.bool_value);
  case dsl::ScalarType::String:
    return b.getStringAttr(v.string_value);
  }
  return {};
}

mlir::OwningOpRef<mlir::ModuleOp>
Generator::run(const dsl::ModuleDecl &model, const std::map<std::string, std::string> &defines) {
  auto values = dsl::bind_model_hyperparameters(model, defines, diag_);
  if (!values)
    return nullptr;
  if (!model.forward) {
    report(model.name.range, "model '" + model.name.name + "' has no forward");
    return nullptr;
  }
  const dsl::ForwardDecl &forward = *model.forward;
  mlir::OwningOpRef<mlir::ModuleOp> module = mlir::ModuleOp::create(file_loc(model.name.range));

  // The signature: ranked inputs (? for symbols), unranked results.
  std::vector<mlir::Type> arg_types;
  std::vector<SymShape> arg_dims;
  for (const dsl::ForwardArg &arg : forward.args) {
    const dsl::TensorType &type = arg.type;
    mlir::Type element = element_type(builder_, type.dtype);
    if (type.leading_ellipsis)
      report(type.range, "the model's inputs need a known rank: '...' is only allowed in "
                         "modules that other modules use");
    if (!type.alternatives.empty())
      report(type.range, "the model's input '" + arg.name.name +
                             "' takes one element type: a compiled model has one signature "
                             "(several are only allowed in modules that other modules use)");
    std::vector<int64_t> shape;
    SymShape dims;
    for (const dsl::ExprPtr &dim : type.dims) {
      auto *name = symbol_dim(*dim, *values);
      if (name) {
        shape.push_back(mlir::ShapedType::kDynamicSize);
        dims.push_back(SymDim::symbol(name->name));
        continue;
      }
      auto v = dsl::evaluate(*dim, *values, diag_);
      if (v && v->int_value < 0)
        report(dim->range(), "a dimension cannot be negative (" + v->str() + ")");
      int64_t size = v ? std::max<int64_t>(v->int_value, 0) : 0;
      shape.push_back(size);
      dims.push_back(SymDim::constant(size));
    }
    arg_types.push_back(mlir::RankedTensorType::get(shape, element));
    arg_dims.push_back(dims);
  }
  if (diag_.error_count() != errors_at_start_)
    return nullptr;
  std::vector<mlir::Type> result_types(dsl::forward_result_count(model), unranked());

  mlir::Location func_loc = file_loc(model.name.range);
  auto func = mlir::FuncOp::create(func_loc, model.name.name,
                                   builder_.getFunctionType(arg_types, result_types));
  module->push_back(func);
  func->setAttr("attn.model", builder_.getStringAttr(model.name.name));
  func->setAttr("attn.source", builder_.getStringAttr(model.file->path));
  std::vector<mlir::NamedAttribute> hyper;
  for (const auto &[name, value] : values->entries())
    hyper.emplace_back(builder_.getStringAttr(name), to_attribute(builder_, value));
  func->setAttr("attn.hyperparameters", builder_.getDictionaryAttr(hyper));
  mlir::Block *entry = func.addEntryBlock();
  for (size_t i = 0; i < forward.args.size(); ++i) {
    func.setArgAttr(i, ir::kArgNameAttr, builder_.getStringAttr(forward.args[i].name.name));
    // An optional input the caller leaves out is filled by the runtime (docs/internals.md).
    if (const dsl::ExprPtr &d = forward.args[i].default_value)
      if (auto v = dsl::evaluate(*d, *values, diag_))
        func.setArgAttr(i, ir::kDefaultAttr, builder_.getF64FloatAttr(v->as_double()));
    func.setArgAttr(i, ir::kDimsAttr, compiler::to_attr(&context_, arg_dims[i]));
    entry->getArgument(i).setLoc(file_loc(forward.args[i].name.range));
  }
  builder_.setInsertionPointToStart(entry);

  std::unique_ptr<Instance> instance = elaborate(model, *values, "");
  if (!instance)
    return nullptr;
  Frame frame;
  frame.instance = instance.get();
  for (size_t i = 0; i < forward.args.size(); ++i) {
    mlir::Value arg = entry->getArgument(i);
    frame.tensors[forward.args[i].name.name] =
        widen(TensorValue{arg, static_cast<int>(forward.args[i].type.dims.size())}, arg.getLoc());
  }
  std::vector<TensorValue> results = gen_body(frame);
  // The model's results keep a declared f16 or bf16: the caller gets them in that type.
  if (forward.has_result_types)
    for (size_t i = 0; i < results.size() && i < forward.results.size(); ++i)
      results[i] = assert_shape(results[i], forward.results[i], *instance, /*scope=*/0,
                                /*widened=*/false);

  std::vector<mlir::Value> returned;
  for (const TensorValue &r : results)
    returned.push_back(r.value);
  if (diag_.error_count() != errors_at_start_ ||
      llvm::any_of(returned, [](mlir::Value v) { return !v; }))
    return nullptr;
  const dsl::Stmt &ret = forward.body.back();
  builder_.create<ir::ReturnOp>(loc(ret.range), returned);
  return module;
}

std::unique_ptr<Instance> Generator::elaborate(const dsl::ModuleDecl &decl,
                                               dsl::HyperparameterValues values,
                                               const std::string &prefix) {
  if (++instances_ > kMaxExpansion) {
    if (instances_ == kMaxExpansion + 1) // elaboration goes on with the other members
      report(decl.name.range,
             "the model has more than " + llvm::Twine(kMaxExpansion) + " module instances");
    return nullptr;
  }
  auto instance = std::make_unique<Instance>();
  instance->decl = &decl;
  instance->values = std::move(values);
  instance->prefix = prefix;
  LoopValues loops;
  if (!elaborate_members(decl.members, *instance, loops))
    return nullptr;
  return instance;
}

std::optional<std::vector<int64_t>> Generator::static_shape(const dsl::TensorType &type,
                                                            const Instance &instance,
                                                            const dsl::LocalLookup &locals) {
  std::vector<int64_t> shape;
  for (const dsl::ExprPtr &dim : type.dims) {
    auto v = dsl::evaluate(*dim, instance.values, diag_, locals);
    if (!v)
      return std::nullopt;
    if (v->int_value < 0) {
      report(dim->range(), "a dimension cannot be negative (" + v->str() + ")");
      return std::nullopt;
    }
    shape.push_back(v->int_value);
  }
  return shape;
}

const dsl::NameExpr *Generator::symbol_dim(const dsl::Expr &dim,
                                           const dsl::HyperparameterValues &values) {
  const dsl::Expr *picked = &dim;
  // `B if batch_first else S`: the condition is a compile-time bool (checked by Sema).
  while (auto *conditional = llvm::dyn_cast<dsl::ConditionalExpr>(picked)) {
    auto condition = dsl::evaluate(*conditional->condition, values, diag_);
    if (!condition)
      return nullptr;
    picked = condition->bool_value ? conditional->then_value.get() : conditional->else_value.get();
  }
  auto *name = llvm::dyn_cast<dsl::NameExpr>(picked);
  return name && name->binding == dsl::Binding::Symbol ? name : nullptr;
}

mlir::ArrayAttr Generator::assert_dims(const dsl::TensorType &type, const Instance &instance) {
  std::vector<mlir::Attribute> dims;
  if (type.leading_ellipsis)
    dims.push_back(builder_.getStringAttr("..."));
  for (const dsl::ExprPtr &dim : type.dims) {
    if (auto *name = symbol_dim(*dim, instance.values)) {
      dims.push_back(builder_.getStringAttr(name->name));
      continue;
    }
    auto v = dsl::evaluate(*dim, instance.values, diag_);
    if (!v)
      return nullptr;
    dims.push_back(builder_.getI64IntegerAttr(v->int_value));
  }
  return builder_.getArrayAttr(dims);
}

TensorValue Generator::assert_shape(TensorValue value, const dsl::TensorType &type,
                                    const Instance &instance, int64_t scope, bool widened) {
  if (!value)
    return value;
  mlir::ArrayAttr dims = assert_dims(type, instance);
  if (!dims)
    return {};
  // The element type is known as the value is built, so it is checked here; like a shape
  // mismatch, it is reported at the declaration with the call as a note. An f32 value declared
  // f16 or bf16 is rounded to it, as if stored.
  // With several element types (`f32 | bool[L, S]`), the value keeps the one it has.
  mlir::Type actual = value.value.getType().cast<mlir::ShapedType>().getElementType();
  std::vector<mlir::Type> declared;
  for (dsl::DType dtype : type.dtypes())
    declared.push_back(element_type(builder_, dtype));
  // A 16-bit value read as f32 keeps its own type when the declaration lists it.
  auto cast = value.value.getDefiningOp<ir::CastOp>();
  if (cast && !type.any_element && actual.isF32() && !llvm::is_contained(declared, actual)) {
    mlir::Type stored = cast.input().getType().cast<mlir::ShapedType>().getElementType();
    if (is_storage_float(stored) && llvm::is_contained(declared, stored)) {
      value = TensorValue{cast.input(), value.rank};
      actual = stored;
    }
  }
  auto storage = llvm::find_if(declared, is_storage_float);
  if (!type.any_element && !llvm::is_contained(declared, actual) && storage != declared.end() &&
      actual.isF32()) {
    value = convert(value, *storage, loc(type.range));
    actual = *storage;
  }
  if (!type.any_element && !llvm::is_contained(declared, actual)) {
    std::string expected;
    for (size_t i = 0; i < declared.size(); ++i)
      expected += (i == 0                     ? ""
                   : i + 1 == declared.size() ? " or "
                                              : ", ") +
                  dtype_phrase(declared[i]);
    auto diag = mlir::emitError(loc(type.range))
                << "element type mismatch: expected " << expected << " tensor but got "
                << dtype_phrase(actual) << " tensor";
    if (cast && is_storage_float(cast.input().getType().cast<mlir::ShapedType>().getElementType()))
      diag.attachNote() << "f16 and bf16 tensors are read as f32 (dsl/SPEC.md §4)";
    return {};
  }
  auto op =
      builder_.create<ir::AssertShapeOp>(loc(type.range), mlir::UnrankedTensorType::get(actual),
                                         value.value, dims, builder_.getI64IntegerAttr(scope));
  int rank = type.leading_ellipsis ? value.rank : static_cast<int>(type.dims.size());
  TensorValue checked{op, rank};
  return widened ? widen(checked, loc(type.range)) : checked;
}

std::vector<TensorValue> Generator::gen_body(Frame &frame) {
  auto results = gen_block(frame.instance->decl->forward->body, frame);
  return results ? std::move(*results) : std::vector<TensorValue>{};
}

std::optional<std::vector<TensorValue>> Generator::gen_block(const std::vector<dsl::Stmt> &body,
                                                             Frame &frame) {
  for (const dsl::Stmt &stmt : body) {
    if (stmt.kind == dsl::Stmt::Kind::If || stmt.kind == dsl::Stmt::Kind::For) {
      if (auto results = gen_control(stmt, frame))
        return results;
      continue;
    }
    const dsl::Expr &value = *stmt.values.front();
    if (stmt.kind == dsl::Stmt::Kind::Let) {
      if (dsl::is_scalar(value.type)) {
        if (auto v = gen_scalar(value, frame))
          frame.scalars[stmt.names.front().name] = *v;
        continue;
      }
      std::vector<TensorValue> values = gen_values(value, frame);
      for (size_t i = 0; i < stmt.names.size(); ++i)
        frame.tensors[stmt.names[i].name] = i < values.size() ? values[i] : TensorValue{};
      continue;
    }
    std::vector<TensorValue> results;
    for (const dsl::ExprPtr &e : stmt.values)
      for (const TensorValue &v : gen_values(*e, frame))
        results.push_back(v);
    return results;
  }
  return std::nullopt;
}

TensorValue Generator::fill_default(const dsl::ForwardArg &arg, const Instance &instance,
                                    int64_t scope) {
  auto value = dsl::evaluate(*arg.default_value, instance.values, diag_);
  // A variant member's mask (`[...]` of any element type), left out: one number, which the
  // attention recognises as keeping every key.
  mlir::ArrayAttr dims =
      arg.type.any_element ? builder_.getArrayAttr({}) : assert_dims(arg.type, instance);
  mlir::Type element = element_type(builder_, arg.type.dtype);
  if (!value || !dims)
    return {};
  double number = value->as_double(); // a bool is 1 or 0
  // An f16 or bf16 default is the f32 number rounded to it.
  mlir::Type filled = is_storage_float(element) ? builder_.getF32Type() : element;
  auto op = builder_.create<ir::FillOp>(loc(arg.type.range), mlir::UnrankedTensorType::get(filled),
                                        builder_.getF64FloatAttr(number), dims,
                                        builder_.getI64IntegerAttr(scope));
  TensorValue fill{op, static_cast<int>(arg.type.dims.size())};
  return widen(convert(fill, element, loc(arg.type.range)), loc(arg.type.range));
}

std::vector<TensorValue> Generator::inline_call(const dsl::CallExpr &call, Frame &caller) {
  Instance *callee = resolve_callee(call, caller);
  std::vector<TensorValue> args;
  for (const dsl::ExprPtr &arg : call.args)
    args.push_back(gen_tensor(*arg, caller));
  unsigned count = call.num_results;
  if (++inlined_calls_ == kMaxExpansion)
    report(call.range(),
           "the model inlines more than " + llvm::Twine(kMaxExpansion) + " module calls");
  if (inlined_calls_ >= kMaxExpansion)
    return std::vector<TensorValue>(count);
  std::vector<TensorValue> keyword;
  for (const dsl::KeywordArg &kw : call.kwargs)
    keyword.push_back(gen_tensor(*kw.value, caller));
  auto invalid = [](const TensorValue &v) { return !v; };
  if (!callee || llvm::any_of(args, invalid) || llvm::any_of(keyword, invalid))
    return std::vector<TensorValue>(count);
  // Keyword arguments go to the inputs they name; the inputs still missing take their defaults.
  std::vector<bool> given(args.size(), true);
  for (size_t k = 0; k < keyword.size() && k < call.kwarg_positions.size(); ++k) {
    size_t position = call.kwarg_positions[k];
    if (position >= args.size()) {
      args.resize(position + 1);
      given.resize(position + 1, false);
    }
    args[position] = keyword[k];
    given[position] = true;
  }
  return inline_instance(*callee, call, std::move(args), count, given);
}

std::vector<TensorValue> Generator::inline_instance(Instance &callee, const dsl::CallExpr &call,
                                                    std::vector<TensorValue> args, unsigned count,
                                                    std::vector<bool> given) {
  given.resize(args.size(), true);
  if (callee.container) {
    // Sequential: each element's forward takes the previous one's result.
    TensorValue x = args.front();
    for (auto &element : callee.elements) {
      if (!x)
        break;
      x = inline_instance(*element, call, {x}, 1).front();
    }
    return {x};
  }
  const dsl::ForwardDecl &forward = *callee.decl->forward;
  int64_t scope = next_scope_++;
  auto saved = call_site_;
  call_site_ = loc(call.range());
  Frame frame;
  frame.instance = &callee;
  for (size_t i = 0; i < forward.args.size(); ++i) {
    const dsl::ForwardArg &arg = forward.args[i];
    frame.tensors[arg.name.name] = i < args.size() && given[i]
                                       ? assert_shape(args[i], arg.type, callee, scope)
                                       : fill_default(arg, callee, scope);
  }
  std::vector<TensorValue> results = gen_body(frame);
  if (forward.has_result_types)
    for (size_t i = 0; i < results.size() && i < forward.results.size(); ++i)
      results[i] = assert_shape(results[i], forward.results[i], callee, scope);
  call_site_ = saved;
  results.resize(count);
  return results;
}

} // namespace attn::mlirgen
