// lower_to_halide: names every value a kernel may read (inputs, weights, buffers), then walks
// the steps of the partition (Grouping.h) in order, lowering each kernel (LowerToHalide.cpp)
// and turning each scan into the loop the runtime runs (ScanPlan in Lowering.h).
#include "LowerKernel.h"
#include "LowerMoves.h"

#include "attn/compiler/Dialect/AttnDialect.h"

#include "llvm/ADT/StringSet.h"

#include <map>

namespace attn::compiler {

using namespace lowering;
using mlir::Value;
namespace ad = mlir::attn;

namespace {

nlohmann::json attr_to_json(mlir::Attribute a) {
  if (auto b = a.dyn_cast<mlir::BoolAttr>())
    return b.getValue();
  if (auto i = a.dyn_cast<mlir::IntegerAttr>())
    return i.getInt();
  if (auto f = a.dyn_cast<mlir::FloatAttr>())
    return f.getValueAsDouble();
  if (auto s = a.dyn_cast<mlir::StringAttr>())
    return s.getValue().str();
  return nullptr;
}

class ModelLowering {
public:
  ModelLowering(LoweredModel &model, const Grouping &grouping, const TargetChoice &target)
      : model_(model), grouping_(grouping), ctx_(make_schedule_context(target.target)) {}

  llvm::DenseMap<Value, std::string> refs;

  /// Gives `v` a buffer of its own.
  mlir::LogicalResult add_buffer(Value v) {
    auto shape = ad::get_sym_shape(v);
    if (!shape)
      return mlir::emitError(v.getLoc()) << "value has no inferred shape", mlir::failure();
    std::string name = "t" + std::to_string(model_.buffers.size());
    refs[v] = "buffer:" + name;
    model_.buffers.push_back({name, dtype_name_of(v), *shape, std::nullopt});
    return mlir::success();
  }

  mlir::LogicalResult lower_steps(const std::vector<Grouping::Step> &steps,
                                  std::vector<PlanStep> &out) {
    for (const Grouping::Step &step : steps) {
      if (step.scan) {
        auto plan = lower_scan(llvm::cast<ad::ScanOp>(step.scan), step.body);
        if (failed(plan))
          return mlir::failure();
        out.push_back({-1, std::make_shared<ScanPlan>(std::move(*plan))});
        continue;
      }
      if (failed(add_buffer(step.root)))
        return mlir::failure();
      size_t index = model_.kernels.size();
      auto kernel = lower_kernel(step.root, grouping_, refs, model_.model, index, ctx_);
      if (failed(kernel))
        return mlir::failure();
      // A kernel that computes what an earlier one does calls that one's code.
      auto [first, inserted] = by_signature_.try_emplace(kernel->signature, index);
      if (!inserted) {
        kernel->name = model_.kernels[first->second].name;
        kernel->shares_code = true;
      }
      model_.kernels.push_back(std::move(*kernel));
      out.push_back({static_cast<int>(index), nullptr});
    }
    return mlir::success();
  }

private:
  mlir::FailureOr<ScanPlan> lower_scan(ad::ScanOp scan, const std::vector<Grouping::Step> &body) {
    ScanPlan plan;
    plan.loc = location_string(scan.getLoc());
    plan.reverse = scan.reverse();
    auto sequence = ad::get_sym_shape(scan.sequences()[0]);
    if (!sequence || sequence->empty())
      return scan.emitError() << "scan has no inferred sequence length", mlir::failure();
    plan.length = sequence->front();
    // A carry's buffer is the scan's result: the body reads it, each step overwrites it.
    for (Value result : scan.getResults())
      if (failed(add_buffer(result)))
        return mlir::failure();
    // Copied before the insertion: a DenseMap that grows moves its entries.
    for (auto [arg, result] : llvm::zip(scan.carry_args(), scan.getResults())) {
      std::string ref = refs.lookup(result);
      refs[arg] = std::move(ref);
    }
    if (failed(add_buffer(scan.position())))
      return mlir::failure();
    plan.position = refs[scan.position()];
    if (failed(lower_steps(body, plan.body)))
      return mlir::failure();

    auto yield = llvm::cast<ad::ScanYieldOp>(scan.body_block().getTerminator());
    auto ref_of = [&](Value v) -> mlir::FailureOr<std::string> {
      std::string ref = refs.lookup(v);
      if (ref.empty())
        return mlir::emitError(v.getLoc()) << "internal error: a value the scan needs has no "
                                              "buffer",
               mlir::failure();
      return ref;
    };
    for (unsigned i = 0; i < yield.operands().size(); ++i) {
      auto step = ref_of(yield.operands()[i]);
      if (failed(step))
        return mlir::failure();
      if (i < scan.carry_count()) {
        auto init = ref_of(scan.inits()[i]);
        if (failed(init))
          return mlir::failure();
        plan.carries.push_back({refs[scan.getResult(i)], *init, *step});
      } else {
        plan.outputs.push_back({refs[scan.getResult(i)], *step});
      }
    }
    return plan;
  }

  LoweredModel &model_;
  const Grouping &grouping_;
  ScheduleContext ctx_;
  std::map<std::string, size_t> by_signature_; // the first kernel of each signature
};

} // namespace

mlir::FailureOr<LoweredModel> lower_to_halide(mlir::FuncOp func, const TargetChoice &target) {
  LoweredModel model;
  auto str_attr = [&](const char *name, std::string fallback) {
    auto a = func->getAttrOfType<mlir::StringAttr>(name);
    return a ? a.getValue().str() : fallback;
  };
  model.model = str_attr("attn.model", func.getName().str());
  model.source = str_attr("attn.source", "");
  if (auto hp = func->getAttrOfType<mlir::DictionaryAttr>("attn.hyperparameters"))
    for (auto entry : hp)
      model.hyperparameters[entry.getName().str()] = attr_to_json(entry.getValue());

  Grouping grouping = group_kernels(func);
  ModelLowering lowering(model, grouping, target);
  for (auto arg : func.getArguments()) {
    auto name = func.getArgAttrOfType<mlir::StringAttr>(arg.getArgNumber(), ad::kArgNameAttr);
    auto shape = ad::get_sym_shape(arg);
    if (!name || !shape)
      return func.emitError() << "forward argument " << arg.getArgNumber()
                              << " lacks its name or symbolic shape",
             mlir::failure();
    TensorSpec input{name.getValue().str(), dtype_name_of(arg), *shape, std::nullopt};
    if (auto d = func.getArgAttrOfType<mlir::FloatAttr>(arg.getArgNumber(), ad::kDefaultAttr))
      input.default_value = d.getValueAsDouble();
    model.inputs.push_back(input);
    lowering.refs[arg] = "input:" + name.getValue().str();
  }
  llvm::StringSet<> seen_weights;
  for (mlir::Operation &op : func.getBody().front()) {
    auto param = llvm::dyn_cast<ad::ParamOp>(op);
    if (!param)
      continue;
    lowering.refs[param.getResult()] = "weight:" + param.name().str();
    if (!seen_weights.insert(param.name()).second)
      continue;
    SymShape shape;
    for (int64_t d : param.getType().cast<mlir::RankedTensorType>().getShape())
      shape.push_back(SymDim::constant(d));
    model.weights.push_back(
        {param.name().str(), dtype_name_of(param.getResult()), shape, std::nullopt});
  }
  if (failed(lowering.lower_steps(grouping.steps, model.steps)))
    return mlir::failure();

  for (mlir::Operation &op : func.getBody().front()) {
    auto ret = llvm::dyn_cast<ad::ReturnOp>(op);
    if (!ret)
      continue;
    // The last results may be attention maps (ExposeAttentionWeights.cpp), named in order.
    auto maps = func->getAttrOfType<mlir::ArrayAttr>("attn.attention_maps");
    size_t first_map = ret.operands().size() - (maps ? maps.size() : 0);
    for (auto v : llvm::enumerate(ret.operands())) {
      auto shape = ad::get_sym_shape(v.value());
      OutputSpec out{{"out" + std::to_string(v.index()), dtype_name_of(v.value()),
                      shape.value_or(SymShape{}), std::nullopt},
                     lowering.refs.lookup(v.value())};
      if (maps && v.index() >= first_map) {
        out.attention_map = maps[v.index() - first_map].cast<mlir::StringAttr>().getValue().str();
        out.loc = location_string(v.value().getLoc());
      }
      model.outputs.push_back(out);
    }
  }
  return model;
}

} // namespace attn::compiler
