// Lowers a forward function to Halide pipelines: the partition of Grouping.h, one KernelBuilder
// per kernel translating ops to the op-family algorithms, then the family's schedule for the
// target. Halide errors are caught here and reported at the op's source location.
#include "attn/compiler/Lowering.h"

#include "Grouping.h"
#include "KernelSignature.h"
#include "LowerAttention.h"
#include "LowerConv.h"
#include "LowerKernel.h"
#include "LowerMoves.h"
#include "LowerNN.h"
#include "Schedules.h"

#include "attn/compiler/Dialect/AttnDialect.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <variant>

namespace attn::compiler {

using namespace lowering;
using Halide::Expr;
using Halide::Func;
using mlir::Value;
namespace ad = mlir::attn;

std::string location_string(mlir::Location loc) {
  // For a call inlined from a library module, the user's source is the outermost caller.
  while (auto call = loc.dyn_cast<mlir::CallSiteLoc>())
    loc = call.getCaller();
  if (auto named = loc.dyn_cast<mlir::NameLoc>())
    loc = named.getChildLoc();
  if (auto file = loc.dyn_cast<mlir::FileLineColLoc>())
    return file.getFilename().str() + ":" + std::to_string(file.getLine()) + ":" +
           std::to_string(file.getColumn());
  return "";
}

namespace {

std::vector<int64_t> static_extents(Value v) {
  auto type = v.getType().cast<mlir::RankedTensorType>();
  return std::vector<int64_t>(type.getShape().begin(), type.getShape().end());
}

std::string c_identifier(const std::string &s) {
  std::string out;
  for (char c : s)
    out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out;
}

class KernelBuilder {
public:
  KernelBuilder(Value root, const Grouping &grouping,
                const llvm::DenseMap<Value, std::string> &refs, std::string prefix)
      : root_(root), grouping_(grouping), refs_(refs), prefix_(std::move(prefix)) {}

  mlir::FailureOr<HTensor> build(Value v) {
    if (auto it = built_.find(v); it != built_.end())
      return it->second;
    KernelSignature::Kind kind = is_row(v)            ? KernelSignature::Kind::Row
                                 : is_kernel_input(v) ? KernelSignature::Kind::Input
                                                      : KernelSignature::Kind::Op;
    mlir::FailureOr<HTensor> t =
        kind == KernelSignature::Kind::Row     ? row(v.cast<mlir::BlockArgument>())
        : kind == KernelSignature::Kind::Input ? input(v)
                                               : translate(v.getDefiningOp());
    if (succeeded(t)) {
      built_[v] = *t;
      signature.add(v, kind);
    }
    return t;
  }

  KernelSignature signature;
  std::vector<std::string> arg_refs;
  std::vector<Halide::Argument> arguments;
  OpFamily family;
  std::string family_name = "pointwise";
  int key_block = 0; // attention's online form (define_attention), where the target has it
  std::vector<ReduceFuncs> reductions; // placed by the kernel's schedule

private:
  bool is_kernel_input(Value v) const {
    if (v == root_)
      return false;
    Operation *def = v.getDefiningOp();
    return !def || llvm::isa<ad::ParamOp>(def) || grouping_.materialised.contains(v);
  }
  using Operation = mlir::Operation;

  /// Func names are unique across the model: GPU kernels are named after them.
  std::string fresh(const std::string &base) {
    return prefix_ + base + "_" + std::to_string(counter_++);
  }

  /// A value read from its buffer (an input, a weight, a materialised value). One buffer is
  /// one kernel argument, however many values of the kernel read it.
  mlir::FailureOr<HTensor> input(Value v) {
    std::string ref = refs_.lookup(v);
    if (ref.empty()) {
      mlir::emitError(v.getLoc()) << "internal error: a kernel reads a value that has no buffer";
      return mlir::failure();
    }
    if (auto it = inputs_by_ref_.find(ref); it != inputs_by_ref_.end())
      return it->second;
    HInput in = define_input(c_identifier(ref), static_extents(v),
                             halide_type_of(v.getType().cast<mlir::ShapedType>().getElementType()));
    same_symbolic_extents(v, in);
    arg_refs.push_back(ref);
    arguments.push_back(in.param);
    inputs_by_ref_[ref] = in.tensor;
    return in.tensor;
  }

  /// Buffers whose axes have the same symbolic size (`S`, `B*S`) have the same extent there:
  /// the runtime allocates and checks every buffer from the manifest's dims. Telling Halide
  /// so lets it drop the clamps of one buffer's index by another's loop (the values of an
  /// attention read at the keys' positions).
  void same_symbolic_extents(Value v, const HInput &in) {
    std::optional<::attn::compiler::SymShape> shape = mlir::attn::get_sym_shape(v);
    if (!shape)
      return;
    int rank = static_cast<int>(shape->size());
    for (int axis = 0; axis < rank; ++axis) {
      const auto &dim = (*shape)[axis];
      if (dim.is_static())
        continue;
      Halide::Internal::Dimension hdim = in.param.dim(rank - 1 - axis);
      auto [it, fresh] = extent_by_dim_.try_emplace(dim.str(), hdim.extent());
      if (!fresh)
        hdim.set_extent(it->second);
    }
  }

  /// A row of a sequence a scan runs over: computed in the kernel from the sequence's buffer
  /// and the scan's position (the rank-0 buffer the runtime writes before each step).
  static bool is_row(Value v) {
    auto arg = v.dyn_cast<mlir::BlockArgument>();
    auto scan = arg ? llvm::dyn_cast<ad::ScanOp>(arg.getOwner()->getParentOp()) : ad::ScanOp();
    return scan && arg.getArgNumber() > scan.carry_count();
  }
  mlir::FailureOr<HTensor> row(mlir::BlockArgument arg) {
    auto scan = llvm::cast<ad::ScanOp>(arg.getOwner()->getParentOp());
    auto sequence = build(scan.getOperand(arg.getArgNumber() - 1));
    auto position = build(scan.position());
    if (failed(sequence) || failed(position))
      return mlir::failure();
    signature.add_use(scan.getOperand(arg.getArgNumber() - 1), scan.position());
    HTensor seq = *sequence;
    Expr t = Halide::clamp(Halide::cast<int>(at(*position, {})), 0, seq.extents[0] - 1);
    std::vector<Expr> extents(seq.extents.begin() + 1, seq.extents.end());
    return define_pointwise(fresh("row"), extents, [&](const std::vector<Expr> &i) {
      std::vector<Expr> index{t};
      index.insert(index.end(), i.begin(), i.end());
      return at(seq, index);
    });
  }

  mlir::FailureOr<HTensor> translate(Operation *op);

public:
  // Translations of one op each (see handlers()).
  mlir::FailureOr<HTensor> binary(Operation *op, const std::function<Expr(Expr, Expr)> &fn);
  mlir::FailureOr<HTensor> unary(Operation *op, const std::function<Expr(Expr)> &fn);
  mlir::FailureOr<HTensor> constant(ad::ConstantOp op);
  mlir::FailureOr<HTensor> fill(ad::FillOp op);
  mlir::FailureOr<HTensor> transpose(ad::TransposeOp op);
  mlir::FailureOr<HTensor> reshape(ad::ReshapeOp op);
  mlir::FailureOr<HTensor> split_heads(ad::SplitHeadsOp op);
  mlir::FailureOr<HTensor> merge_heads(ad::MergeHeadsOp op);
  mlir::FailureOr<HTensor> matmul(ad::MatmulOp op);
  mlir::FailureOr<HTensor> softmax(ad::SoftmaxOp op);
  /// The extra operands of an attention, with their broadcast axes.
  mlir::FailureOr<std::vector<AttentionExtra>> attention_extras(mlir::ValueRange values);
  /// The score and mask of an attention op (query `q`) with its extras built.
  mlir::FailureOr<AttentionRegions> attention_regions_of(mlir::Operation *op, const HTensor &q,
                                                         mlir::ValueRange extras);
  mlir::FailureOr<HTensor> attention(ad::AttentionOp op);
  mlir::FailureOr<HTensor> attention_weights(ad::AttentionWeightsOp op);
  mlir::FailureOr<std::vector<HTensor>> build_operands(Operation *op) {
    std::vector<HTensor> operands;
    for (Value v : op->getOperands()) {
      auto t = build(v);
      if (failed(t))
        return mlir::failure();
      operands.push_back(*t);
    }
    return operands;
  }
  /// An op translated from its built operands alone (LowerMoves.h).
  mlir::FailureOr<HTensor> with_operands(Operation *op, OperandsTranslation translate) {
    auto operands = build_operands(op);
    if (failed(operands))
      return mlir::failure();
    std::string name = op->getName().stripDialect().str();
    if (op->getResult(0) == root_)
      family_name = name; // a materialised gather, concat or pooling names its kernel
    return translate(op, *operands, fresh(name));
  }
  mlir::FailureOr<HTensor> reduce(Operation *op, int64_t axis, bool keepdim, ReduceKind kind);
  mlir::FailureOr<HTensor> log_softmax(ad::LogSoftmaxOp op);
  /// An anchor of the convolution family (LowerConv.h).
  mlir::FailureOr<HTensor> conv2d(Operation *op) {
    auto operands = build_operands(op);
    if (failed(operands))
      return mlir::failure();
    ConvFuncs cv = lower_conv2d(op, *operands, fresh("conv2d"));
    family = cv;
    family_name = "conv2d";
    return cv.out;
  }

private:
  Value root_;
  const Grouping &grouping_;
  const llvm::DenseMap<Value, std::string> &refs_;
  llvm::DenseMap<Value, HTensor> built_;
  llvm::StringMap<HTensor> inputs_by_ref_;
  llvm::StringMap<Halide::Expr> extent_by_dim_; // a symbolic size → the first buffer extent
  std::string prefix_;
  int counter_ = 0;
};

std::vector<bool> unit_axes(Value v, size_t first, size_t count) {
  auto shape = static_extents(v);
  std::vector<bool> ones;
  for (size_t a = first; a < first + count; ++a)
    ones.push_back(shape[a] == 1);
  return ones;
}

/// Broadcast extents of two operands (NumPy rules), given which axes are static 1.
std::vector<Expr> broadcast_extents(const std::vector<Expr> &a, const std::vector<bool> &a_ones,
                                    const std::vector<Expr> &b, const std::vector<bool> &b_ones) {
  size_t rank = std::max(a.size(), b.size());
  std::vector<Expr> out;
  for (size_t i = 0; i < rank; ++i) {
    int ia = static_cast<int>(i) - static_cast<int>(rank - a.size());
    int ib = static_cast<int>(i) - static_cast<int>(rank - b.size());
    if (ia >= 0 && !a_ones[ia])
      out.push_back(a[ia]);
    else if (ib >= 0 && !b_ones[ib])
      out.push_back(b[ib]);
    else
      out.push_back(1);
  }
  return out;
}

mlir::FailureOr<HTensor> KernelBuilder::binary(Operation *op,
                                               const std::function<Expr(Expr, Expr)> &fn) {
  auto a = build(op->getOperand(0));
  auto b = build(op->getOperand(1));
  if (failed(a) || failed(b))
    return mlir::failure();
  auto a_ones = unit_axes(op->getOperand(0), 0, a->rank());
  auto b_ones = unit_axes(op->getOperand(1), 0, b->rank());
  auto extents = broadcast_extents(a->extents, a_ones, b->extents, b_ones);
  HTensor av = *a, bv = *b;
  return define_pointwise(fresh(op->getName().stripDialect().str()), extents,
                          [&](const std::vector<Expr> &i) {
                            return fn(broadcast_at(av, a_ones, i), broadcast_at(bv, b_ones, i));
                          });
}

mlir::FailureOr<HTensor> KernelBuilder::unary(Operation *op, const std::function<Expr(Expr)> &fn) {
  auto a = build(op->getOperand(0));
  if (failed(a))
    return mlir::failure();
  HTensor av = *a;
  return define_pointwise(fresh(op->getName().stripDialect().str()), av.extents,
                          [&](const std::vector<Expr> &i) { return fn(at(av, i)); });
}

mlir::FailureOr<std::vector<AttentionExtra>>
KernelBuilder::attention_extras(mlir::ValueRange values) {
  std::vector<AttentionExtra> extras;
  for (mlir::Value value : values) {
    auto t = build(value);
    if (failed(t))
      return mlir::failure();
    extras.push_back({*t, unit_axes(value, 0, t->rank())});
  }
  return extras;
}

mlir::FailureOr<AttentionRegions> KernelBuilder::attention_regions_of(mlir::Operation *op,
                                                                      const HTensor &q,
                                                                      mlir::ValueRange extras) {
  auto built = attention_extras(extras);
  if (failed(built))
    return mlir::failure();
  return attention_regions(op, Halide::cast<float>(q.extents.back()), *built);
}

mlir::FailureOr<HTensor> KernelBuilder::attention(ad::AttentionOp op) {
  auto q = build(op.query()), k = build(op.key()), v = build(op.value());
  if (failed(q) || failed(k) || failed(v))
    return mlir::failure();
  auto regions = attention_regions_of(op, *q, op.extras());
  if (failed(regions))
    return mlir::failure();
  AttentionFuncs funcs = define_attention(fresh("attention"), *q, *k, *v, *regions, key_block);
  family = funcs;
  family_name = "attention";
  return funcs.out;
}

mlir::FailureOr<HTensor> KernelBuilder::attention_weights(ad::AttentionWeightsOp op) {
  auto q = build(op.query()), k = build(op.key());
  if (failed(q) || failed(k))
    return mlir::failure();
  auto regions = attention_regions_of(op, *q, op.extras());
  if (failed(regions))
    return mlir::failure();
  AttentionFuncs funcs = define_attention_weights(fresh("attention_weights"), *q, *k, *regions);
  family = funcs;
  family_name = "attention_weights";
  return funcs.out;
}

using Handler = std::function<mlir::FailureOr<HTensor>(KernelBuilder &, mlir::Operation *)>;

Handler binary_handler(std::function<Expr(Expr, Expr)> fn) {
  return [fn](KernelBuilder &b, mlir::Operation *op) { return b.binary(op, fn); };
}
Handler unary_handler(std::function<Expr(Expr)> fn) {
  return [fn](KernelBuilder &b, mlir::Operation *op) { return b.unary(op, fn); };
}
template <typename Op> Handler reduce_handler(ReduceKind kind) {
  return [kind](KernelBuilder &b, mlir::Operation *op) {
    auto reduce = llvm::cast<Op>(op);
    return b.reduce(op, static_cast<int64_t>(reduce.axis()), reduce.keepdim(), kind);
  };
}
/// A unary op whose function takes the op's constant (`float (Op)` reads it).
template <typename Op>
Handler unary_constant_handler(float (*constant)(Op), Expr (*fn)(Expr, float)) {
  return [constant, fn](KernelBuilder &b, mlir::Operation *op) {
    float c = constant(llvm::cast<Op>(op));
    return b.unary(op, [c, fn](Expr x) { return fn(x, c); });
  };
}
template <typename Op> Handler op_handler(mlir::FailureOr<HTensor> (KernelBuilder::*method)(Op)) {
  return
      [method](KernelBuilder &b, mlir::Operation *op) { return (b.*method)(llvm::cast<Op>(op)); };
}

/// Every op a kernel can contain, with its translation: one entry per op, so that a test can
/// check that no op of the dialect lacks one.
const llvm::StringMap<Handler> &handlers() {
  static const llvm::StringMap<Handler> table = [] {
    llvm::StringMap<Handler> t;
    t[ad::ConstantOp::getOperationName()] = op_handler(&KernelBuilder::constant);
    t[ad::AddOp::getOperationName()] = binary_handler([](Expr a, Expr b) { return a + b; });
    t[ad::SubOp::getOperationName()] = binary_handler([](Expr a, Expr b) { return a - b; });
    t[ad::MulOp::getOperationName()] = binary_handler([](Expr a, Expr b) { return a * b; });
    t[ad::DivOp::getOperationName()] = binary_handler([](Expr a, Expr b) { return a / b; });
    t[ad::MaxOp::getOperationName()] =
        binary_handler([](Expr a, Expr b) { return Halide::max(a, b); });
    t[ad::MinOp::getOperationName()] =
        binary_handler([](Expr a, Expr b) { return Halide::min(a, b); });
    t[ad::NegOp::getOperationName()] = unary_handler([](Expr a) { return -a; });
    t[ad::ExpOp::getOperationName()] = unary_handler([](Expr a) { return Halide::exp(a); });
    t[ad::LogOp::getOperationName()] = unary_handler([](Expr a) { return Halide::log(a); });
    t[ad::SqrtOp::getOperationName()] = unary_handler([](Expr a) { return Halide::sqrt(a); });
    t[ad::TanhOp::getOperationName()] = unary_handler(tanh_f32);
    t[ad::SigmoidOp::getOperationName()] =
        unary_handler([](Expr a) { return 1.0f / (1.0f + Halide::exp(-a)); });
    t[ad::ReluOp::getOperationName()] = unary_handler([](Expr a) { return Halide::max(a, 0.0f); });
    t[ad::AbsOp::getOperationName()] = unary_handler([](Expr a) { return Halide::abs(a); });
    t[ad::RsqrtOp::getOperationName()] =
        unary_handler([](Expr a) { return 1.0f / Halide::sqrt(a); });
    t[ad::GeluOp::getOperationName()] = unary_handler(gelu_erf);
    t[ad::EluOp::getOperationName()] = unary_constant_handler<ad::EluOp>(
        [](ad::EluOp o) { return o.alpha().convertToFloat(); }, elu);
    t[ad::LeakyReluOp::getOperationName()] = unary_constant_handler<ad::LeakyReluOp>(
        [](ad::LeakyReluOp o) { return o.negative_slope().convertToFloat(); }, leaky_relu);
    t[ad::PowOp::getOperationName()] = unary_constant_handler<ad::PowOp>(
        [](ad::PowOp o) { return o.exponent().convertToFloat(); }, pow_constant);
    t[ad::FillOp::getOperationName()] = op_handler(&KernelBuilder::fill);
    t[ad::ReduceSumOp::getOperationName()] = reduce_handler<ad::ReduceSumOp>(ReduceKind::Sum);
    t[ad::ReduceMeanOp::getOperationName()] = reduce_handler<ad::ReduceMeanOp>(ReduceKind::Mean);
    t[ad::ReduceMaxOp::getOperationName()] = reduce_handler<ad::ReduceMaxOp>(ReduceKind::Max);
    t[ad::ReduceMinOp::getOperationName()] = reduce_handler<ad::ReduceMinOp>(ReduceKind::Min);
    t[ad::LogSoftmaxOp::getOperationName()] = op_handler(&KernelBuilder::log_softmax);
    t[ad::TransposeOp::getOperationName()] = op_handler(&KernelBuilder::transpose);
    t[ad::ReshapeOp::getOperationName()] = op_handler(&KernelBuilder::reshape);
    t[ad::SplitHeadsOp::getOperationName()] = op_handler(&KernelBuilder::split_heads);
    t[ad::MergeHeadsOp::getOperationName()] = op_handler(&KernelBuilder::merge_heads);
    t[ad::MatmulOp::getOperationName()] = op_handler(&KernelBuilder::matmul);
    t[ad::SoftmaxOp::getOperationName()] = op_handler(&KernelBuilder::softmax);
    t[ad::AttentionOp::getOperationName()] = op_handler(&KernelBuilder::attention);
    t[ad::AttentionWeightsOp::getOperationName()] = op_handler(&KernelBuilder::attention_weights);
    t[ad::Conv2dOp::getOperationName()] = [](KernelBuilder &b, mlir::Operation *op) {
      return b.conv2d(op);
    };
    for (auto [name, translate] : {std::pair(ad::LtOp::getOperationName(), lower_compare),
                                   std::pair(ad::LeOp::getOperationName(), lower_compare),
                                   std::pair(ad::GtOp::getOperationName(), lower_compare),
                                   std::pair(ad::GeOp::getOperationName(), lower_compare),
                                   std::pair(ad::EqOp::getOperationName(), lower_compare),
                                   std::pair(ad::NeOp::getOperationName(), lower_compare),
                                   std::pair(ad::WhereOp::getOperationName(), lower_where),
                                   std::pair(ad::CastOp::getOperationName(), lower_cast),
                                   std::pair(ad::GatherOp::getOperationName(), lower_gather),
                                   std::pair(ad::ConcatOp::getOperationName(), lower_concat),
                                   std::pair(ad::SliceOp::getOperationName(), lower_slice),
                                   std::pair(ad::SelectOp::getOperationName(), lower_select),
                                   std::pair(ad::UnsqueezeOp::getOperationName(), lower_unsqueeze),
                                   std::pair(ad::ArangeOp::getOperationName(), lower_arange),
                                   std::pair(ad::MaxPool2dOp::getOperationName(), lower_max_pool2d),
                                   std::pair(ad::FlattenOp::getOperationName(), lower_flatten)})
      t[name] = [translate = translate](KernelBuilder &b, mlir::Operation *op) {
        return b.with_operands(op, translate);
      };
    return t;
  }();
  return table;
}

mlir::FailureOr<HTensor> KernelBuilder::translate(Operation *op) {
  auto it = handlers().find(op->getName().getStringRef());
  if (it == handlers().end()) {
    op->emitError() << "'" << op->getName() << "' has no Halide lowering yet";
    return mlir::failure();
  }
  return it->second(*this, op);
}

mlir::FailureOr<HTensor> KernelBuilder::constant(ad::ConstantOp c) {
  HTensor t{Func(fresh("constant")), {}};
  t.func() = static_cast<float>(c.value().convertToDouble());
  return t;
}

mlir::FailureOr<HTensor> KernelBuilder::fill(ad::FillOp o) {
  if (o.result() != root_) {
    o.emitError() << "internal error: attn.fill is only lowered as a kernel of its own";
    return mlir::failure();
  }
  auto shape = static_extents(o.result());
  int rank = static_cast<int>(shape.size());
  Halide::Type type =
      halide_type_of(o.result().getType().cast<mlir::ShapedType>().getElementType());
  double value = o.value().convertToDouble();
  // Expr(bool) would be an int32 constant (Halide has no bool constructor), which a bool
  // output buffer refuses: a bool fill is a cast of 0 or 1.
  Expr v = type.is_bool()    ? Halide::cast(type, Expr(value != 0 ? 1 : 0))
           : type.is_float() ? Expr(static_cast<float>(value))
                             : Halide::cast(type, Expr(static_cast<int64_t>(value)));
  HTensor t{Func(fresh("fill")), {}};
  define(t.func, make_vars(rank), v);
  // Symbolic sizes are the output buffer's, which the runtime allocates from the manifest.
  for (int axis = 0; axis < rank; ++axis)
    t.extents.push_back(shape[axis] >= 0 ? Expr(static_cast<int>(shape[axis]))
                                         : t.func.output_buffer().dim(rank - 1 - axis).extent());
  return t;
}

mlir::FailureOr<HTensor> KernelBuilder::transpose(ad::TransposeOp o) {
  auto in = build(o.input());
  if (failed(in))
    return mlir::failure();
  std::vector<int64_t> perm;
  for (auto a : o.perm())
    perm.push_back(a.cast<mlir::IntegerAttr>().getInt());
  return define_transpose(fresh("transpose"), *in, perm);
}

mlir::FailureOr<HTensor> KernelBuilder::reshape(ad::ReshapeOp o) {
  auto in = build(o.input());
  if (failed(in))
    return mlir::failure();
  Expr total = 1, known = 1;
  for (const Expr &e : in->extents)
    total = total * e;
  std::vector<Expr> extents;
  int inferred = -1;
  for (auto a : llvm::enumerate(o.shape())) {
    int64_t n = a.value().cast<mlir::IntegerAttr>().getInt();
    if (n < 0)
      inferred = static_cast<int>(a.index());
    else
      known = known * static_cast<int>(n);
    extents.push_back(static_cast<int>(std::max<int64_t>(n, 1)));
  }
  if (inferred >= 0)
    extents[inferred] = total / known;
  return define_reshape(fresh("reshape"), *in, extents);
}

mlir::FailureOr<HTensor> KernelBuilder::split_heads(ad::SplitHeadsOp o) {
  auto in = build(o.input());
  if (failed(in))
    return mlir::failure();
  return define_split_heads(fresh("split_heads"), *in, o.num_heads());
}

mlir::FailureOr<HTensor> KernelBuilder::merge_heads(ad::MergeHeadsOp o) {
  auto in = build(o.input());
  if (failed(in))
    return mlir::failure();
  return define_merge_heads(fresh("merge_heads"), *in);
}

mlir::FailureOr<HTensor> KernelBuilder::matmul(ad::MatmulOp o) {
  auto a = build(o.lhs()), b = build(o.rhs());
  if (failed(a) || failed(b))
    return mlir::failure();
  size_t ab = a->rank() - 2, bb = b->rank() - 2;
  auto a_ones = unit_axes(o.lhs(), 0, ab), b_ones = unit_axes(o.rhs(), 0, bb);
  auto batch =
      broadcast_extents(std::vector<Expr>(a->extents.begin(), a->extents.begin() + ab), a_ones,
                        std::vector<Expr>(b->extents.begin(), b->extents.begin() + bb), b_ones);
  MatmulFuncs mm = define_matmul(fresh("matmul"), *a, *b, batch, a_ones, b_ones);
  family = mm;
  family_name = "matmul";
  return mm.out;
}

mlir::FailureOr<HTensor> KernelBuilder::softmax(ad::SoftmaxOp o) {
  auto in = build(o.input());
  if (failed(in))
    return mlir::failure();
  SoftmaxFuncs sm = define_softmax(fresh("softmax"), *in, static_cast<int>(o.axis()));
  family = sm;
  family_name = "softmax";
  return sm.out;
}

mlir::FailureOr<HTensor> KernelBuilder::log_softmax(ad::LogSoftmaxOp o) {
  auto in = build(o.input());
  if (failed(in))
    return mlir::failure();
  SoftmaxFuncs sm = define_log_softmax(fresh("log_softmax"), *in, static_cast<int>(o.axis()));
  family = sm;
  family_name = "log_softmax";
  return sm.out;
}

mlir::FailureOr<HTensor> KernelBuilder::reduce(Operation *op, int64_t axis, bool keepdim,
                                               ReduceKind kind) {
  auto in = build(op->getOperand(0));
  if (failed(in))
    return mlir::failure();
  ReduceFuncs rf = define_reduce(fresh(op->getName().stripDialect().str()), *in,
                                 static_cast<int>(axis), keepdim, kind);
  reductions.push_back(rf);
  if (std::holds_alternative<std::monostate>(family))
    family_name = "reduce";
  return rf.out;
}

} // namespace

bool has_halide_lowering(llvm::StringRef op_name) { return handlers().count(op_name) > 0; }

mlir::FailureOr<KernelPlan> lowering::lower_kernel(Value root, const Grouping &grouping,
                                                   const llvm::DenseMap<Value, std::string> &refs,
                                                   const std::string &model, size_t index,
                                                   const ScheduleContext &ctx) {
  mlir::Operation *op = root.getDefiningOp();
  mlir::Location loc = op ? op->getLoc() : root.getLoc();
  std::string prefix = "k" + std::to_string(index) + "_";
  KernelBuilder builder(root, grouping, refs, prefix);
  builder.key_block = attention_key_block(ctx);
  KernelPlan kernel;
  try {
    auto out = builder.build(root);
    if (failed(out))
      return mlir::failure();
    kernel.name = c_identifier(model) + "_k" + std::to_string(index) + "_" + builder.family_name;
    bound_output_axes(*out, static_extents(root));
    schedule_kernel(builder.family, builder.reductions, *out, ctx);
    kernel.pipeline = Halide::Pipeline(out->func);
  } catch (const Halide::Error &e) {
    mlir::emitError(loc) << "code generation failed: " << e.what();
    return mlir::failure();
  }
  kernel.op = op ? op->getName().getStringRef().str() : "attn.scan";
  kernel.loc = location_string(loc);
  kernel.args = builder.arg_refs;
  kernel.args.push_back(refs.lookup(root));
  kernel.arguments = builder.arguments;
  kernel.signature = builder.signature.text() + "|" + builder.family_name;
  return kernel;
}

} // namespace attn::compiler
