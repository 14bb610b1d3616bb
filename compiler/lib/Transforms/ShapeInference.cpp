// attn-shape-inference: gives every tensor value its symbolic shape.
//
// For each function, the arguments' shapes come from their `attn.dims` attributes (or, when all
// sizes are static, from their types). The ops of the body are visited in order and each op's
// shape rule (the ShapeInference interface, ShapeRules.cpp) maps its operands' shapes to its
// result's, which is recorded twice: as `attn.dims` on the op, for the manifest and the lowering,
// and as the result's ranked type (a `?` for every symbolic size), for the verifiers and the
// passes that follow. The function's result types follow from its `attn.return`.
//
// `attn.assert_shape` ops, which the front end places where the source declares a shape, are
// checked here and erased. Their symbols are scoped by the op's `scope` (one per module call in
// the source): the first occurrence of a symbol binds it to the actual dim, later occurrences must
// agree. Scope 0 is the forward itself, whose symbols are bound to themselves by the arguments.
//
// A failing shape rule or assert reports its error and poisons its result: the ops that read a
// poisoned value are skipped and poison theirs, without errors of their own (the ops of a module
// call whose argument did not match its declaration would only repeat the same mismatch in other
// words). Ops that do not depend on it are still checked, so one run reports every independent
// mismatch.
// Ops inside attention regions are scalar and are left alone; the body of an `attn.scan` is
// inferred in place, its block arguments shaped from the scan's operands.
#include "attn/compiler/Passes.h"

#include "attn/compiler/Dialect/AttnDialect.h"

#include "mlir/Pass/Pass.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringMap.h"

#include <map>

using namespace mlir;
using namespace mlir::attn;
using ::attn::compiler::SymDim;
using ::attn::compiler::SymShape;
using ::attn::compiler::to_attr;
using ::attn::compiler::to_string;

namespace {

Type element_type(Type type) {
  if (auto shaped = type.dyn_cast<ShapedType>())
    return shaped.getElementType();
  return type;
}

/// The ranked tensor type for `shape`: static sizes stay, symbolic ones become `?`.
RankedTensorType ranked_type(const SymShape &shape, Type element) {
  SmallVector<int64_t> sizes;
  for (const SymDim &d : shape)
    sizes.push_back(d.is_static() ? d.value() : ShapedType::kDynamicSize);
  return RankedTensorType::get(sizes, element);
}

/// Whether a declared type allows `shape`: unranked, or of the same rank with each static size
/// equal to a static dim of `shape`.
bool type_allows(Type type, const SymShape &shape) {
  auto ranked = type.dyn_cast<RankedTensorType>();
  if (!ranked)
    return true;
  if (ranked.getRank() != static_cast<int64_t>(shape.size()))
    return false;
  for (size_t i = 0; i < shape.size(); ++i) {
    int64_t size = ranked.getDimSize(i);
    if (!ShapedType::isDynamic(size) && (!shape[i].is_static() || shape[i].value() != size))
      return false;
  }
  return true;
}

/// A plain symbol (`S`), as opposed to a size or an expression over symbols (`2*S`).
bool is_symbol(StringRef text) {
  if (text.find_first_of("*/") != StringRef::npos)
    return false;
  auto dim = SymDim::parse(text.str());
  return dim && !dim->is_static();
}

/// The symbols bound in one scope of assert_shape ops.
struct Scope {
  llvm::StringMap<SymDim> bound;
  bool failed = false;
  /// An assert of the scope was skipped: its value came from an error already reported, so the
  /// symbols it would have bound are missing without a fault of their own.
  bool incomplete = false;
};

/// Checks assert_shape ops against actual shapes, keeping each scope's bindings.
class AssertChecker {
public:
  /// Binds scope 0's symbols to themselves: the forward's own dims are named by its arguments.
  explicit AssertChecker(ArrayRef<SymShape> argument_shapes) {
    Scope &forward = scopes_[0];
    for (const SymShape &shape : argument_shapes)
      for (const SymDim &dim : shape)
        for (const std::string &symbol : dim.symbols())
          forward.bound.try_emplace(symbol, SymDim::symbol(symbol));
  }

  LogicalResult check(AssertShapeOp op, const SymShape &actual) {
    Scope &scope = scopes_[op.scope()];
    if (scope.failed)
      return failure();
    if (succeeded(check_in_scope(op, actual, scope)))
      return success();
    // In a call, the asserts after a failed one would restate it; the model's own results
    // (scope 0, whose symbols its inputs bind) are checked independently.
    if (op.scope() != 0)
      scope.failed = true;
    return failure();
  }

  /// An assert whose value is poisoned (an error reported before) is not checked.
  void skip(AssertShapeOp op) { scopes_[op.scope()].incomplete = true; }

private:
  static std::string declared_str(ArrayAttr dims) {
    std::string s = "[";
    for (auto entry : llvm::enumerate(dims)) {
      s += entry.index() ? ", " : "";
      if (auto i = entry.value().dyn_cast<IntegerAttr>())
        s += std::to_string(i.getInt());
      else
        s += entry.value().cast<StringAttr>().getValue().str();
    }
    return s + "]";
  }

  /// The value of a dim expression such as `2*S` or `E/4` under the scope's bindings.
  static FailureOr<SymDim> evaluate(AssertShapeOp op, StringRef text, const Scope &scope) {
    auto [product, divisor_text] = text.split('/');
    SymDim value = SymDim::constant(1);
    SmallVector<StringRef> terms;
    product.split(terms, '*');
    for (StringRef term : terms) {
      int64_t size;
      if (!term.getAsInteger(10, size)) {
        value = value * SymDim::constant(size);
        continue;
      }
      auto it = scope.bound.find(term);
      if (it == scope.bound.end()) {
        op.emitError() << "the declared size '" << text << "' uses " << term
                       << ", which no earlier shape has bound; declare " << term
                       << " on its own first";
        return failure();
      }
      value = value * it->second;
    }
    int64_t divisor = 1;
    if (!divisor_text.empty() && divisor_text.getAsInteger(10, divisor)) {
      op.emitError() << "the declared size '" << text << "' is not a dim expression";
      return failure();
    }
    auto divided = value.divide(divisor);
    if (!divided) {
      op.emitError() << "the declared size '" << text << "' is " << value.str()
                     << ", which is not divisible by " << divisor;
      return failure();
    }
    return *divided;
  }

  LogicalResult check_in_scope(AssertShapeOp op, const SymShape &actual, Scope &scope) {
    std::string declared = declared_str(op.dims());
    auto mismatch = [&]() {
      return op.emitError() << "shape mismatch: expected " << declared << " but got "
                            << to_string(actual) << ": ";
    };
    ArrayRef<Attribute> dims = op.dims().getValue();
    auto first = dims.empty() ? StringAttr() : dims.front().dyn_cast<StringAttr>();
    bool any_leading = first && first.getValue() == "...";
    if (any_leading)
      dims = dims.drop_front();
    size_t n = dims.size();
    if (any_leading ? actual.size() < n : actual.size() != n)
      return mismatch() << "rank " << actual.size() << ", expected "
                        << (any_leading ? "at least " : "") << n;

    size_t offset = actual.size() - n;
    for (size_t k = 0; k < n; ++k) {
      size_t axis = offset + k;
      const SymDim &got = actual[axis];
      if (auto size = dims[k].dyn_cast<IntegerAttr>()) {
        if (got != SymDim::constant(size.getInt()))
          return mismatch() << "axis " << axis << " is " << got.str() << ", not " << size.getInt();
        continue;
      }
      StringRef name = dims[k].cast<StringAttr>().getValue();
      if (is_symbol(name)) {
        auto [it, first_use] = scope.bound.try_emplace(name, got);
        if (!first_use && it->second != got) {
          if (it->second.str() == name)
            return mismatch() << "axis " << axis << " is " << got.str() << ", not " << name;
          return mismatch() << "axis " << axis << " is " << got.str() << " but " << name
                            << " is already " << it->second.str();
        }
        continue;
      }
      auto expected = evaluate(op, name, scope);
      if (failed(expected))
        return failure();
      if (got != *expected)
        return mismatch() << "axis " << axis << " is " << got.str() << ", not " << name << " = "
                          << expected->str();
    }
    return success();
  }

public:
  /// The shape an `attn.fill` declares, its symbols those its scope's arguments bound.
  FailureOr<SymShape> resolve(FillOp op) {
    const Scope &scope = scopes_[op.scope()];
    SymShape shape;
    for (Attribute d : op.dims()) {
      if (auto size = d.dyn_cast<IntegerAttr>()) {
        shape.push_back(SymDim::constant(size.getInt()));
        continue;
      }
      StringRef name = d.cast<StringAttr>().getValue();
      if (name == "...")
        return op.emitError() << "an optional input declared with '...' cannot be left out: "
                                 "its rank is unknown",
               failure();
      auto it = scope.bound.find(name);
      // After an error in the call's arguments the size may be missing for that reason alone.
      if (it == scope.bound.end() && (scope.failed || scope.incomplete))
        return failure();
      if (it == scope.bound.end())
        return op.emitError() << "this optional input cannot be left out: its size " << name
                              << " is not bound by the arguments given",
               failure();
      shape.push_back(it->second);
    }
    return shape;
  }

private:
  std::map<int64_t, Scope> scopes_;
};

/// Infers the shapes of one function's values; see the file comment.
class FunctionInference {
public:
  explicit FunctionInference(FuncOp func) : func_(func) {}

  LogicalResult run() {
    if (failed(seed_arguments()))
      return failure();
    SmallVector<SymShape> argument_shapes;
    for (BlockArgument arg : func_.getArguments())
      if (auto it = shapes_.find(arg); it != shapes_.end())
        argument_shapes.push_back(it->second);
    AssertChecker asserts(argument_shapes);

    bool ok = true;
    for (Block &block : func_.getBody())
      ok &= infer_block(block, asserts);
    if (!ok)
      return failure();
    set_function_type();
    return success();
  }

private:
  /// Infers the ops of `block` in order; false if any failed (each failure is reported).
  bool infer_block(Block &block, AssertChecker &asserts) {
    bool ok = true;
    for (Operation &op : llvm::make_early_inc_range(block)) {
      if (llvm::any_of(op.getOperands(), [&](Value v) { return poisoned_.count(v); })) {
        if (auto assert_op = dyn_cast<AssertShapeOp>(op))
          asserts.skip(assert_op);
        poison(op);
        continue;
      }
      if (auto assert_op = dyn_cast<AssertShapeOp>(op)) {
        auto actual = operand_shape(op, 0);
        if (failed(actual) || failed(asserts.check(assert_op, *actual))) {
          ok = false;
          poison(op);
          continue;
        }
        assert_op.result().replaceAllUsesWith(assert_op.input());
        assert_op.erase();
        continue;
      }
      if (auto fill = dyn_cast<FillOp>(op)) {
        auto shape = asserts.resolve(fill);
        if (failed(shape)) {
          ok = false;
          poison(op);
          continue;
        }
        record(fill.result(), *shape);
        continue;
      }
      if (auto scan = dyn_cast<ScanOp>(op)) {
        if (failed(infer_scan(scan, asserts))) {
          ok = false;
          poison(op);
        }
        continue;
      }
      if (failed(infer(op))) {
        ok = false;
        poison(op);
      }
    }
    return ok;
  }

  /// A scan: its block arguments' shapes follow from its operands, its body is inferred like a
  /// block of the function, and its results from what the body yields: each carry must keep
  /// the shape it started with, and each output gains the sequences' leading axis.
  LogicalResult infer_scan(ScanOp scan, AssertChecker &asserts) {
    MLIRContext *context = scan.getContext();
    SmallVector<SymShape> operands;
    for (unsigned i = 0; i < scan->getNumOperands(); ++i) {
      auto shape = operand_shape(*scan, i);
      if (failed(shape))
        return failure();
      operands.push_back(*shape);
    }
    unsigned carries = scan.carry_count();
    std::optional<SymDim> length;
    for (unsigned i = carries; i < operands.size(); ++i) {
      if (operands[i].empty())
        return scan.emitError() << "a scanned sequence needs a leading axis; this one is a "
                                   "single value []";
      if (length && !(*length == operands[i][0]))
        return scan.emitError() << "the scanned sequences differ in length: "
                                << to_string(operands[carries]) << " and " << to_string(operands[i])
                                << " (their first axes must be equal)";
      length = operands[i][0];
    }
    SmallVector<Attribute> arg_dims;
    auto seed = [&](BlockArgument arg, const SymShape &shape) {
      arg.setType(ranked_type(shape, element_type(arg.getType())));
      shapes_[arg] = shape;
      arg_dims.push_back(to_attr(context, shape));
    };
    seed(scan.position(), SymShape{});
    for (auto [arg, shape] :
         llvm::zip(scan.carry_args(), ArrayRef<SymShape>(operands).take_front(carries)))
      seed(arg, shape);
    for (auto [arg, shape] :
         llvm::zip(scan.row_args(), ArrayRef<SymShape>(operands).drop_front(carries)))
      seed(arg, SymShape(shape.begin() + 1, shape.end()));
    scan->setAttr(kArgDimsAttr, ArrayAttr::get(context, arg_dims));
    if (!infer_block(scan.body_block(), asserts))
      return failure();

    auto yield = cast<ScanYieldOp>(scan.body_block().getTerminator());
    SmallVector<Attribute> result_dims;
    for (unsigned i = 0; i < yield.operands().size(); ++i) {
      auto yielded = operand_shape(*yield, i);
      if (failed(yielded))
        return failure();
      SymShape shape = *yielded;
      if (i < carries) {
        if (shape != operands[i])
          return yield.emitError()
                 << "carry " << i + 1 << " of the scan starts as " << to_string(operands[i])
                 << " but a step gives " << to_string(shape) << ": a carry keeps its shape";
      } else {
        shape.insert(shape.begin(), *length);
      }
      Value result = scan.getResult(i);
      result.setType(ranked_type(shape, element_type(result.getType())));
      shapes_[result] = shape;
      result_dims.push_back(to_attr(context, shape));
    }
    scan->setAttr(kResultDimsAttr, ArrayAttr::get(context, result_dims));
    return success();
  }

  LogicalResult seed_arguments() {
    MLIRContext *context = func_.getContext();
    for (BlockArgument arg : func_.getArguments()) {
      unsigned i = arg.getArgNumber();
      Type type = arg.getType();
      if (!type.isa<TensorType>())
        continue;
      std::optional<SymShape> shape;
      if (Attribute dims = func_.getArgAttr(i, kDimsAttr)) {
        shape = ::attn::compiler::from_attr(dims);
        if (!shape)
          return func_.emitError() << "argument #" << i << " has malformed " << kDimsAttr << " "
                                   << dims << ": expected sizes and dim expressions";
        if (!type_allows(type, *shape))
          return func_.emitError() << "argument #" << i << " of type " << type
                                   << " cannot have the shape " << to_string(*shape);
      } else if (auto ranked = type.dyn_cast<RankedTensorType>();
                 ranked && ranked.hasStaticShape()) {
        shape.emplace();
        for (int64_t size : ranked.getShape())
          shape->push_back(SymDim::constant(size));
        func_.setArgAttr(i, kDimsAttr, to_attr(context, *shape));
      } else {
        return func_.emitError() << "argument #" << i << " of type " << type << " needs an "
                                 << kDimsAttr << " attribute naming its dynamic sizes";
      }
      arg.setType(ranked_type(*shape, element_type(type)));
      shapes_[arg] = *shape;
    }
    return success();
  }

  FailureOr<SymShape> operand_shape(Operation &op, unsigned i) {
    Value operand = op.getOperand(i);
    if (auto it = shapes_.find(operand); it != shapes_.end())
      return it->second;
    if (auto shape = get_sym_shape(operand))
      return *shape;
    op.emitError() << "operand #" << i << " has no known shape";
    return failure();
  }

  LogicalResult infer(Operation &op) {
    auto rule = dyn_cast<ShapeInference>(op);
    if (!rule) {
      // Ops without tensor results (the terminator, scalar constants) have nothing to infer.
      if (llvm::any_of(op.getResultTypes(), [](Type t) { return t.isa<TensorType>(); }))
        return op.emitError() << "has no shape rule, so the shapes after it are unknown";
      return success();
    }
    SmallVector<SymShape> operands;
    for (unsigned i = 0; i < op.getNumOperands(); ++i) {
      auto shape = operand_shape(op, i);
      if (failed(shape))
        return failure();
      operands.push_back(*shape);
    }
    auto shape = rule.inferSymShape(operands);
    if (failed(shape))
      return failure();
    Value result = op.getResult(0);
    if (!type_allows(result.getType(), *shape))
      return op.emitError() << "result type " << result.getType()
                            << " contradicts the inferred shape " << to_string(*shape);
    op.setAttr(kDimsAttr, to_attr(op.getContext(), *shape));
    result.setType(ranked_type(*shape, element_type(result.getType())));
    shapes_[result] = *shape;
    return success();
  }

  /// Records a single-result op's shape: its `attn.dims` and its ranked type.
  void record(Value result, const SymShape &shape) {
    result.getDefiningOp()->setAttr(kDimsAttr, to_attr(result.getContext(), shape));
    result.setType(ranked_type(shape, element_type(result.getType())));
    shapes_[result] = shape;
  }

  /// Rewrites the function's type from its arguments' refined types and the values it returns,
  /// and records the results' shapes as result attributes.
  void set_function_type() {
    Block &last = func_.getBody().back();
    auto ret = last.empty() ? ReturnOp() : dyn_cast<ReturnOp>(last.back());
    SmallVector<Type> results = llvm::to_vector(func_.getType().getResults());
    if (ret)
      results.assign(ret.operand_type_begin(), ret.operand_type_end());
    func_.setType(
        FunctionType::get(func_.getContext(), func_.getBody().front().getArgumentTypes(), results));
    if (!ret)
      return;
    for (auto operand : llvm::enumerate(ret.operands()))
      if (auto it = shapes_.find(operand.value()); it != shapes_.end())
        func_.setResultAttr(operand.index(), kDimsAttr, to_attr(func_.getContext(), it->second));
  }

  void poison(Operation &op) {
    for (Value result : op.getResults())
      poisoned_.insert(result);
  }

  FuncOp func_;
  llvm::DenseMap<Value, SymShape> shapes_;
  llvm::DenseSet<Value> poisoned_; // results of ops whose shape failed, or that read such
};

class ShapeInferencePass : public PassWrapper<ShapeInferencePass, OperationPass<ModuleOp>> {
public:
  StringRef getArgument() const final { return "attn-shape-inference"; }
  StringRef getDescription() const final {
    return "Infer symbolic shapes and ranked types; check and erase attn.assert_shape";
  }

  void runOnOperation() override {
    bool ok = true;
    for (FuncOp func : getOperation().getOps<FuncOp>())
      if (!func.isExternal())
        ok &= succeeded(FunctionInference(func).run());
    if (!ok)
      signalPassFailure();
  }
};

} // namespace

namespace attn::compiler {

std::unique_ptr<Pass> create_shape_inference_pass() {
  return std::make_unique<ShapeInferencePass>();
}

} // namespace attn::compiler
