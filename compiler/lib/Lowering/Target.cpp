// Target names accepted on the command line, and the manifest that describes a lowered model.
#include "attn/compiler/Lowering.h"

namespace attn::compiler {

std::optional<TargetChoice> parse_target(const std::string &text, std::string *error) {
  TargetChoice choice;
  choice.name = text;
  Halide::Target host = Halide::get_host_target();
  if (text == "host") {
    choice.target = host;
  } else if (text == "host-cuda" || text == "host-cuda-80") {
    choice.target =
        host.with_feature(Halide::Target::CUDA).with_feature(Halide::Target::CUDACapability80);
  } else if (text == "host-cuda-86") {
    choice.target =
        host.with_feature(Halide::Target::CUDA).with_feature(Halide::Target::CUDACapability86);
  } else if (text == "host-opencl") {
    choice.target = host.with_feature(Halide::Target::OpenCL);
  } else if (Halide::Target::validate_target_string(text)) {
    choice.target = Halide::Target(text);
  } else {
    if (error)
      *error = "unknown target '" + text +
               "' (expected host, host-cuda, host-cuda-86, host-opencl, or a Halide target "
               "string such as x86-64-linux-avx2)";
    return std::nullopt;
  }
  choice.gpu = choice.target.has_gpu_feature();
  return choice;
}

static nlohmann::json shape_json(const SymShape &shape) {
  nlohmann::json dims = nlohmann::json::array();
  for (const auto &d : shape) {
    if (d.is_static())
      dims.push_back(d.value());
    else
      dims.push_back(d.str());
  }
  return dims;
}

static nlohmann::json spec_json(const TensorSpec &spec) {
  return {{"name", spec.name}, {"dtype", spec.dtype}, {"shape", shape_json(spec.shape)}};
}

static nlohmann::json steps_json(const std::vector<PlanStep> &steps) {
  nlohmann::json list = nlohmann::json::array();
  for (const PlanStep &step : steps) {
    if (!step.scan) {
      list.push_back({{"kernel", step.kernel}});
      continue;
    }
    const ScanPlan &plan = *step.scan;
    nlohmann::json carries = nlohmann::json::array(), outputs = nlohmann::json::array();
    for (const auto &c : plan.carries)
      carries.push_back({{"value", c.value}, {"init", c.init}, {"next", c.next}});
    for (const auto &o : plan.outputs)
      outputs.push_back({{"stacked", o.stacked}, {"step", o.step}});
    nlohmann::json length = plan.length.is_static() ? nlohmann::json(plan.length.value())
                                                    : nlohmann::json(plan.length.str());
    list.push_back({{"scan",
                     {{"loc", plan.loc},
                      {"length", length},
                      {"reverse", plan.reverse},
                      {"position", plan.position},
                      {"carries", carries},
                      {"outputs", outputs},
                      {"steps", steps_json(plan.body)}}}});
  }
  return list;
}

nlohmann::json make_manifest(const LoweredModel &model, const TargetChoice &target) {
  nlohmann::json m;
  m["format"] = "attn-manifest";
  m["version"] = 2;
  m["model"] = model.model;
  m["source"] = model.source;
  m["target"] = target.target.to_string();
  m["device"] = target.device_name();
  m["hyperparameters"] = model.hyperparameters;
  for (const char *key : {"inputs", "outputs", "weights", "buffers", "kernels"})
    m[key] = nlohmann::json::array();
  for (const auto &in : model.inputs) {
    auto j = spec_json(in);
    if (in.default_value)
      j["default"] = *in.default_value;
    m["inputs"].push_back(j);
  }
  for (const auto &out : model.outputs) {
    auto j = spec_json(out.spec);
    j["value"] = out.value;
    if (!out.attention_map.empty()) {
      j["attention_map"] = out.attention_map;
      j["loc"] = out.loc;
    }
    m["outputs"].push_back(j);
  }
  for (const auto &w : model.weights)
    m["weights"].push_back(spec_json(w));
  for (const auto &b : model.buffers)
    m["buffers"].push_back(spec_json(b));
  for (const auto &k : model.kernels)
    m["kernels"].push_back({{"name", k.name},
                            {"op", k.op},
                            {"loc", k.loc},
                            {"args", k.args},
                            {"num_outputs", k.num_outputs}});
  m["steps"] = steps_json(model.steps);
  return m;
}

} // namespace attn::compiler
