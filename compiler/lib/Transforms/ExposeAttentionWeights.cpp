// attn-expose-attention-weights: makes the forward also return the weights (the softmax
// probabilities over keys) of every attention, so a run can write attention maps.
//
// A fused `attn.attention` never materialises its weights: its kernel keeps them in tiles. For
// each one, this pass adds an `attn.attention_weights` of the same query, key, score and mask,
// which the lowering turns into an extra kernel. An attention left unfused keeps its `softmax`
// over the last axis, the left operand of the product with the values (possibly through an
// unsqueeze or reshape, as for a single query per item): that operand is returned as it is. Only
// ops of the function's own body count; an attention inside a scan's body runs once per step and
// has no single map to return.
//
// The weights are appended to the function's results, after the model's own outputs, in
// program order; the function's `attn.attention_maps` attribute names them, one string per
// appended result: the member's path for a variant with learned parameters (its `attn.module`,
// `decoder.attention`), else the module path of the attention's projections where its
// parameters give one (`layers.0.self_attn` for `layers.0.self_attn.in_proj_weight`), else
// `attention<N>`.
// The normal pipeline never runs this pass, so models compile as before unless maps are asked
// for.
#include "attn/compiler/Passes.h"

#include "attn/compiler/Dialect/AttnDialect.h"

#include "mlir/IR/BlockAndValueMapping.h"
#include "mlir/IR/Builders.h"
#include "mlir/Pass/Pass.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace mlir::attn;

namespace {

/// The state_dict names of the parameters a value is projected with: the values it is computed
/// from, following only the right operand of each matmul (the weight of a projection) and
/// stopping at other anchors, so that the layers before the projection do not count. With
/// `scores`, the value is an unfused attention's scores, and its first matmul is the product of
/// queries and keys, whose operands both count.
void projection_params(Value v, bool scores, llvm::SmallPtrSetImpl<Operation *> &seen,
                       std::vector<std::string> &names) {
  Operation *def = v.getDefiningOp();
  if (!def || !seen.insert(def).second)
    return;
  if (auto param = dyn_cast<ParamOp>(def)) {
    names.push_back(param.name().str());
    return;
  }
  if (auto matmul = dyn_cast<MatmulOp>(def)) {
    if (scores)
      projection_params(matmul.lhs(), false, seen, names);
    return projection_params(matmul.rhs(), false, seen, names);
  }
  if (isa<SoftmaxOp, LogSoftmaxOp, AttentionOp, AttentionWeightsOp, ScanOp, Conv2dOp>(def))
    return;
  for (Value operand : def->getOperands())
    projection_params(operand, scores, seen, names);
}

/// The module path shared by the parameters' names (`a.b.weight` and `a.b.bias` give `a.b`);
/// empty when they share none. When they are the `weight` and `bias` of one layer (a Linear
/// that projects only the keys, say), that layer is not the attention: its parent is.
std::string common_module_path(const std::vector<std::string> &names) {
  std::vector<StringRef> common;
  bool one_layer = true;
  for (size_t n = 0; n < names.size(); ++n) {
    SmallVector<StringRef> parts;
    StringRef(names[n]).split(parts, '.');
    StringRef own = parts.pop_back_val(); // the parameter's own name
    one_layer &= own == "weight" || own == "bias";
    if (n == 0) {
      common.assign(parts.begin(), parts.end());
      continue;
    }
    one_layer &= parts.size() == common.size();
    size_t keep = 0;
    while (keep < common.size() && keep < parts.size() && common[keep] == parts[keep])
      ++keep;
    one_layer &= keep == common.size();
    common.resize(keep);
  }
  if (one_layer && !common.empty())
    common.pop_back();
  std::string path;
  for (StringRef part : common)
    path += (path.empty() ? "" : ".") + part.str();
  return path;
}

/// When `softmax` is the probabilities of an attention left unfused, the weights as the product
/// with the values reads them: the softmax over the last axis, or its reshaping (a single query
/// per item, `matmul(unsqueeze(weights, 1), values)`), as the left operand of a matmul. Null
/// for any other softmax.
Value attention_softmax_weights(SoftmaxOp softmax) {
  auto type = softmax.getType().dyn_cast<RankedTensorType>();
  if (!type || type.getRank() < 1 || softmax.axis() != type.getRank() - 1)
    return Value();
  SmallVector<Value> frontier = {softmax.getResult()};
  while (!frontier.empty()) {
    Value v = frontier.pop_back_val();
    for (Operation *user : v.getUsers()) {
      if (auto matmul = dyn_cast<MatmulOp>(user); matmul && matmul.lhs() == v)
        return v;
      if (isa<UnsqueezeOp, ReshapeOp>(user))
        frontier.push_back(user->getResult(0));
    }
  }
  return Value();
}

/// An `attn.attention_weights` beside `attention`, with its operands, regions and shape.
Value weights_of(AttentionOp attention) {
  OpBuilder builder(attention->getContext());
  builder.setInsertionPointAfter(attention);
  auto q = get_sym_shape(attention.query()), k = get_sym_shape(attention.key());
  auto element = builder.getF32Type();
  auto weights = builder.create<AttentionWeightsOp>(
      attention.getLoc(), UnrankedTensorType::get(element), attention.query(), attention.key(),
      attention.extras(), attention.num_featuresAttr(), attention.normalizerAttr(),
      attention.top_kAttr(), attention.num_tablesAttr(), attention.feature().empty() ? 0 : 1);
  BlockAndValueMapping mapping;
  attention.score().cloneInto(&weights.score(), mapping);
  attention.mask().cloneInto(&weights.mask(), mapping);
  if (!attention.feature().empty())
    attention.feature().cloneInto(&weights.feature().front(), mapping);
  SmallVector<::attn::compiler::SymShape> operands;
  for (Value extra : attention.extras())
    if (auto shape = get_sym_shape(extra))
      operands.push_back(*shape);
  if (q && k && operands.size() == attention.extras().size()) {
    operands.insert(operands.begin(), *k);
    operands.insert(operands.begin(), *q);
    auto shape = weights.inferSymShape(operands);
    if (succeeded(shape)) {
      SmallVector<int64_t> sizes;
      for (const auto &d : *shape)
        sizes.push_back(d.is_static() ? d.value() : ShapedType::kDynamicSize);
      weights.getResult().setType(RankedTensorType::get(sizes, element));
      weights->setAttr(kDimsAttr, ::attn::compiler::to_attr(builder.getContext(), *shape));
    }
  }
  return weights.getResult();
}

class ExposeAttentionWeightsPass
    : public PassWrapper<ExposeAttentionWeightsPass, OperationPass<ModuleOp>> {
public:
  StringRef getArgument() const final { return "attn-expose-attention-weights"; }
  StringRef getDescription() const final {
    return "Return the weights of every attention as extra results (attention maps)";
  }

  void runOnOperation() override {
    for (FuncOp func : getOperation().getOps<FuncOp>())
      if (!func.isExternal() && failed(expose(func)))
        return signalPassFailure();
  }

private:
  LogicalResult expose(FuncOp func) {
    Block &body = func.getBody().front();
    auto ret = dyn_cast<ReturnOp>(body.getTerminator());
    if (!ret)
      return func.emitError() << "internal error: the forward does not end in attn.return";
    std::vector<Value> maps;
    std::vector<Attribute> names;
    llvm::StringSet<> taken;
    for (Operation &op : body.without_terminator()) {
      Value weights;
      std::vector<std::string> params;
      llvm::SmallPtrSet<Operation *, 32> seen;
      if (auto attention = dyn_cast<AttentionOp>(op)) {
        weights = weights_of(attention);
        projection_params(attention.query(), false, seen, params);
        projection_params(attention.key(), false, seen, params);
      } else if (auto softmax = dyn_cast<SoftmaxOp>(op)) {
        weights = attention_softmax_weights(softmax);
        if (!weights)
          continue;
        projection_params(softmax.input(), true, seen, params);
      } else {
        continue;
      }
      std::string name = common_module_path(params);
      if (auto member = op.getAttrOfType<StringAttr>(kModuleAttr))
        name = member.getValue().str();
      if (name.empty())
        name = "attention" + std::to_string(maps.size());
      // One module may attend more than once (a decoder's self- and cross-attention share no
      // path, but a module called twice does): later maps get a suffix.
      std::string unique = name;
      for (int n = 1; !taken.insert(unique).second; ++n)
        unique = name + "." + std::to_string(n);
      maps.push_back(weights);
      names.push_back(StringAttr::get(func.getContext(), unique));
    }
    unsigned first = ret->getNumOperands();
    ret->insertOperands(first, maps);
    auto results = llvm::to_vector(func.getType().getResults());
    for (Value v : maps)
      results.push_back(v.getType());
    func.setType(FunctionType::get(func.getContext(), func.getType().getInputs(), results));
    for (unsigned i = 0; i < maps.size(); ++i)
      if (auto shape = get_sym_shape(maps[i]))
        func.setResultAttr(first + i, kDimsAttr,
                           ::attn::compiler::to_attr(func.getContext(), *shape));
    func->setAttr("attn.attention_maps", ArrayAttr::get(func.getContext(), names));
    return success();
  }
};

} // namespace

namespace attn::compiler {

std::unique_ptr<Pass> create_expose_attention_weights_pass() {
  return std::make_unique<ExposeAttentionWeightsPass>();
}

} // namespace attn::compiler
