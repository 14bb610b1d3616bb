#include "manifest.h"

#include <map>
#include <nlohmann/json.hpp>
#include <set>

namespace attn {
namespace internal {

namespace {

using nlohmann::json;

const char *kind_name(ValueKind kind) {
  switch (kind) {
  case ValueKind::Input:
    return "input";
  case ValueKind::Weight:
    return "weight";
  case ValueKind::Buffer:
    return "buffer";
  }
  return "?";
}

// Reads the manifest, collecting every problem rather than stopping at the first: a manifest
// is compiler output, and a full list makes a compiler bug quicker to find.
class Parser {
public:
  explicit Parser(Manifest *m) : m_(m) {}

  void parse(const json &root) {
    if (!root.is_object())
      return problem("the top level is not a JSON object");
    if (root.value("format", "") != "attn-manifest")
      problem("\"format\" is not \"attn-manifest\"");
    auto version = root.find("version");
    if (version == root.end() || (*version != 1 && *version != 2))
      problem("\"version\" is not 1 or 2");
    m_->model = string_field(root, "model", "the manifest");
    m_->source = root.value("source", "");
    m_->target = root.value("target", "");
    m_->device = root.value("device", "cpu");
    specs(root, "inputs", &m_->inputs);
    input_defaults(root);
    specs(root, "weights", &m_->weights);
    specs(root, "buffers", &m_->buffers);
    specs(root, "outputs", &m_->outputs);
    check_dims();
    m_->buffer_last_use.assign(m_->buffers.size(), -1);
    m_->buffer_is_output.assign(m_->buffers.size(), false);
    kernels(root);
    steps(root);
    outputs(root);
  }

  const std::vector<std::string> &problems() const { return problems_; }

private:
  void problem(const std::string &what) { problems_.push_back(what); }

  std::string string_field(const json &obj, const char *key, const std::string &where) {
    auto it = obj.find(key);
    if (it == obj.end() || !it->is_string()) {
      problem(where + " lacks a string \"" + key + "\"");
      return "";
    }
    return it->get<std::string>();
  }

  void specs(const json &root, const char *key, std::vector<TensorSpec> *out) {
    auto list = root.find(key);
    if (list == root.end() || !list->is_array())
      return problem(std::string("\"") + key + "\" is not a list");
    std::set<std::string> seen;
    for (const json &e : *list) {
      std::string where = std::string(key) + " entry";
      if (!e.is_object()) {
        problem(where + " is not an object");
        continue;
      }
      TensorSpec s;
      s.name = string_field(e, "name", where);
      where = std::string(key) + " '" + s.name + "'";
      if (!seen.insert(s.name).second)
        problem(where + " is declared twice");
      std::optional<DType> dtype = parse_dtype(e.value("dtype", ""));
      if (!dtype)
        problem(where + " has an unknown dtype " + e.value("dtype", json()).dump());
      s.dtype = dtype.value_or(DType::F32);
      auto shape = e.find("shape");
      if (shape == e.end() || !shape->is_array()) {
        problem(where + " lacks a \"shape\" list");
      } else {
        for (const json &d : *shape)
          s.shape.push_back(dim(d, where));
      }
      out->push_back(std::move(s));
    }
  }

  void input_defaults(const json &root) {
    m_->input_defaults.assign(m_->inputs.size(), std::nullopt);
    const json &list = root.at("inputs");
    for (size_t i = 0; i < list.size() && i < m_->inputs.size(); ++i) {
      auto d = list[i].find("default");
      if (d == list[i].end())
        continue;
      if (d->is_number())
        m_->input_defaults[i] = d->get<double>();
      else
        problem("input '" + m_->inputs[i].name + "' has a default " + d->dump() +
                " that is not a number");
    }
  }

  DimExpr dim(const json &d, const std::string &where) {
    if (d.is_number_integer() && d.get<int64_t>() >= 0)
      return DimExpr::constant(d.get<int64_t>());
    if (d.is_string()) {
      StatusOr<DimExpr> e = DimExpr::parse(d.get<std::string>());
      if (e.ok())
        return *e;
      problem(where + ": " + e.status().message());
    } else {
      problem(where + ": dim " + d.dump() + " is neither a non-negative integer nor a string");
    }
    return DimExpr::constant(0);
  }

  // Inputs bind symbols, so they may hold only plain symbols; weights have exact shapes; every
  // other shape may use only symbols some input binds.
  void check_dims() {
    std::set<std::string> &bound = bound_;
    for (const TensorSpec &s : m_->inputs) {
      for (const DimExpr &d : s.shape) {
        if (d.is_symbol())
          bound.insert(d.symbol());
        else if (!d.is_constant())
          problem("input '" + s.name + "' has dim '" + d.to_string() +
                  "'; input dims must be symbols or integers");
      }
    }
    for (const TensorSpec &s : m_->weights) {
      for (const DimExpr &d : s.shape) {
        if (!d.is_constant())
          problem("weight '" + s.name + "' has symbolic dim '" + d.to_string() + "'");
      }
    }
    auto check_bound = [&](const std::vector<TensorSpec> &specs, const char *what) {
      for (const TensorSpec &s : specs) {
        for (const DimExpr &d : s.shape) {
          for (const std::string &sym : d.symbols()) {
            if (!bound.count(sym))
              problem(std::string(what) + " '" + s.name + "' uses symbol '" + sym +
                      "', which no input binds");
          }
        }
      }
    };
    check_bound(m_->buffers, "buffer");
    check_bound(m_->outputs, "output");
  }

  bool ref(const json &j, const std::string &where, ValueRef *out) {
    std::string text = j.is_string() ? j.get<std::string>() : j.dump();
    size_t colon = text.find(':');
    std::string kind = colon == std::string::npos ? "" : text.substr(0, colon);
    std::string name = colon == std::string::npos ? "" : text.substr(colon + 1);
    const std::pair<const char *, ValueKind> kKinds[] = {
        {"input", ValueKind::Input}, {"weight", ValueKind::Weight}, {"buffer", ValueKind::Buffer}};
    const std::vector<TensorSpec> *list = nullptr;
    for (const auto &[kind_text, value_kind] : kKinds) {
      if (kind == kind_text) {
        out->kind = value_kind;
        list = &m_->spec_list(value_kind);
      }
    }
    if (list == nullptr) {
      problem(where + ": '" + text + "' is not input:NAME, weight:NAME or buffer:NAME");
      return false;
    }
    for (size_t i = 0; i < list->size(); ++i) {
      if ((*list)[i].name == name) {
        out->index = static_cast<int>(i);
        return true;
      }
    }
    problem(where + ": '" + text + "' names no declared " + kind);
    return false;
  }

  void kernels(const json &root) {
    auto list = root.find("kernels");
    if (list == root.end() || !list->is_array())
      return problem("\"kernels\" is not a list");
    for (const json &k : *list) {
      if (!k.is_object()) {
        problem("kernels entry is not an object");
        continue;
      }
      KernelCall call;
      call.name = string_field(k, "name", "kernels entry");
      std::string where = "kernel '" + call.name + "'";
      call.op = k.value("op", "");
      call.loc = k.value("loc", "");
      call.num_outputs = k.value("num_outputs", -1);
      auto args = k.find("args");
      if (args == k.end() || !args->is_array()) {
        problem(where + " lacks an \"args\" list");
        continue;
      }
      int n = static_cast<int>(args->size());
      if (call.num_outputs < 0 || call.num_outputs > n) {
        problem(where + " has num_outputs " + std::to_string(call.num_outputs) + " with " +
                std::to_string(n) + " args");
        continue;
      }
      bool refs_ok = true;
      for (int i = 0; i < n; ++i) {
        ValueRef r;
        if (!ref((*args)[i], where, &r)) {
          refs_ok = false;
          continue;
        }
        if (r.kind != ValueKind::Buffer && i >= n - call.num_outputs)
          problem(where + " writes " + m_->ref_string(r) + "; kernels may only write buffers");
        call.args.push_back(r);
      }
      if (!refs_ok)
        call.args.clear();
      m_->kernels.push_back(std::move(call));
    }
  }

  // The plan: "steps" (version 2), or every kernel in order. Then one walk in execution order
  // checks that every buffer is written before it is read and finds each buffer's last use.
  void steps(const json &root) {
    auto list = root.find("steps");
    if (list == root.end()) {
      for (size_t k = 0; k < m_->kernels.size(); ++k)
        m_->steps.push_back({static_cast<int>(k), nullptr});
    } else {
      parse_steps(*list, "steps", &m_->steps);
    }
    written_.assign(m_->buffers.size(), false);
    for (size_t s = 0; s < m_->steps.size(); ++s)
      walk(m_->steps[s], static_cast<int>(s));
  }

  void parse_steps(const json &list, const std::string &where, std::vector<Step> *out) {
    if (!list.is_array())
      return problem(where + " is not a list");
    for (const json &e : list) {
      if (e.is_object() && e.contains("kernel")) {
        const json &k = e.at("kernel");
        if (!k.is_number_integer() || k.get<int64_t>() < 0 ||
            k.get<int64_t>() >= static_cast<int64_t>(m_->kernels.size())) {
          problem(where + ": kernel " + k.dump() + " is not an index into \"kernels\"");
          continue;
        }
        out->push_back({k.get<int>(), nullptr});
      } else if (e.is_object() && e.contains("scan") && e.at("scan").is_object()) {
        if (auto scan = parse_scan(e.at("scan"), where))
          out->push_back({-1, std::move(scan)});
      } else {
        problem(where + ": entry " + e.dump() +
                " is neither {\"kernel\": N} nor {\"scan\": {...}}");
      }
    }
  }

  std::shared_ptr<const ScanStep> parse_scan(const json &j, const std::string &outer) {
    auto scan = std::make_shared<ScanStep>();
    scan->loc = j.value("loc", "");
    const std::string where = "scan at " + (scan->loc.empty() ? outer : scan->loc);
    if (!j.contains("length")) {
      problem(where + " lacks a \"length\"");
      return nullptr;
    }
    scan->length = dim(j.at("length"), where);
    for (const std::string &sym : scan->length.symbols())
      if (!bound_.count(sym))
        problem(where + " has length '" + scan->length.to_string() + "', whose symbol '" + sym +
                "' no input binds");
    scan->reverse = j.value("reverse", false);
    bool ok = j.contains("position") && ref(j.at("position"), where, &scan->position);
    if (ok &&
        (scan->position.kind != ValueKind::Buffer || m_->spec(scan->position).dtype != DType::I64 ||
         !m_->spec(scan->position).shape.empty()))
      problem(where + ": the position " + m_->ref_string(scan->position) +
              " is not a rank-0 i64 buffer");
    auto refs = [&](const char *key, std::initializer_list<const char *> fields,
                    std::vector<std::vector<ValueRef>> *out) {
      auto list = j.find(key);
      if (list == j.end() || !list->is_array())
        return problem(where + " lacks a \"" + key + "\" list");
      for (const json &e : *list) {
        std::vector<ValueRef> row;
        for (const char *field : fields) {
          ValueRef r;
          if (e.is_object() && e.contains(field) && ref(e.at(field), where, &r))
            row.push_back(r);
        }
        if (row.size() == fields.size())
          out->push_back(row);
        else
          problem(where + ": a \"" + key + "\" entry lacks one of its fields");
      }
    };
    std::vector<std::vector<ValueRef>> carries, outputs;
    refs("carries", {"value", "init", "next"}, &carries);
    refs("outputs", {"stacked", "step"}, &outputs);
    for (const auto &c : carries) {
      scan->carries.push_back({c[0], c[1], c[2]});
      if (c[0].kind != ValueKind::Buffer)
        problem(where + ": a carry is held in " + m_->ref_string(c[0]) + ", not a buffer");
      for (ValueRef other : {c[1], c[2]})
        if (!same_type(c[0], other))
          problem(where + ": carry " + m_->ref_string(c[0]) + " is " + type_of(c[0]) + " but " +
                  m_->ref_string(other) + " is " + type_of(other));
    }
    for (const auto &o : outputs) {
      scan->outputs.push_back({o[0], o[1]});
      const TensorSpec &stacked = m_->spec(o[0]), &step = m_->spec(o[1]);
      bool fits = o[0].kind == ValueKind::Buffer && stacked.dtype == step.dtype &&
                  stacked.shape.size() == step.shape.size() + 1;
      for (size_t a = 0; fits && a < step.shape.size(); ++a)
        fits = stacked.shape[a + 1].to_string() == step.shape[a].to_string();
      if (!fits)
        problem(where + ": output " + m_->ref_string(o[0]) + " (" + type_of(o[0]) +
                ") cannot stack " + m_->ref_string(o[1]) + " (" + type_of(o[1]) + ")");
    }
    auto body = j.find("steps");
    if (body == j.end())
      problem(where + " lacks its \"steps\"");
    else
      parse_steps(*body, where, &scan->steps);
    return scan;
  }

  std::string type_of(ValueRef r) const { return m_->spec(r).type_string(); }
  bool same_type(ValueRef a, ValueRef b) const { return type_of(a) == type_of(b); }

  // Execution order: what a step reads must be written before; `top` is the top-level step
  // the walk is in, which the buffers it touches are last used by.
  void read(ValueRef r, const std::string &where, int top) {
    if (r.kind != ValueKind::Buffer)
      return;
    if (!written_[r.index])
      problem(where + " reads " + m_->ref_string(r) + " before anything writes it");
    m_->buffer_last_use[r.index] = top;
  }
  void write(ValueRef r, int top) {
    if (r.kind != ValueKind::Buffer)
      return;
    written_[r.index] = true;
    m_->buffer_last_use[r.index] = top;
  }
  void walk(const Step &step, int top) {
    if (step.kernel >= 0) {
      const KernelCall &call = m_->kernels[step.kernel];
      const std::string where = "kernel '" + call.name + "'";
      size_t n = call.args.size();
      for (size_t i = 0; i < n; ++i) {
        if (i + call.num_outputs >= n)
          write(call.args[i], top);
        else
          read(call.args[i], where, top);
      }
      return;
    }
    const ScanStep &scan = *step.scan;
    const std::string where = "scan at " + scan.loc;
    write(scan.position, top);
    for (const ScanStep::Carry &c : scan.carries) {
      read(c.init, where, top);
      write(c.value, top);
    }
    for (const Step &inner : scan.steps)
      walk(inner, top);
    for (const ScanStep::Output &o : scan.outputs) {
      read(o.step, where, top);
      write(o.stacked, top);
    }
    for (const ScanStep::Carry &c : scan.carries)
      read(c.next, where, top);
  }

  void outputs(const json &root) {
    auto found = root.find("outputs");
    if (found == root.end())
      return;
    const json &list = *found;
    if (!list.is_array() || list.size() != m_->outputs.size())
      return;
    for (size_t i = 0; i < list.size(); ++i) {
      std::string where = "output '" + m_->outputs[i].name + "'";
      ValueRef r;
      if (!list[i].is_object() || !list[i].contains("value")) {
        problem(where + " lacks a \"value\"");
      } else if (ref(list[i].at("value"), where, &r)) {
        if (m_->spec(r).dtype != m_->outputs[i].dtype) {
          problem(where + " is " + dtype_name(m_->outputs[i].dtype) + " but " + m_->ref_string(r) +
                  " is " + dtype_name(m_->spec(r).dtype));
        }
        if (r.kind == ValueKind::Buffer) {
          if (!written_[r.index])
            problem(where + " is " + m_->ref_string(r) + ", which no step writes");
          m_->buffer_is_output[r.index] = true;
        }
      }
      m_->output_values.push_back(r);
    }
  }

  Manifest *m_;
  std::vector<std::string> problems_;
  std::set<std::string> bound_; // symbols the inputs bind
  std::vector<bool> written_;   // per buffer, during the walk
};

} // namespace

const std::vector<TensorSpec> &Manifest::spec_list(ValueKind kind) const {
  switch (kind) {
  case ValueKind::Input:
    return inputs;
  case ValueKind::Weight:
    return weights;
  case ValueKind::Buffer:
    break;
  }
  return buffers;
}

const TensorSpec &Manifest::spec(ValueRef ref) const { return spec_list(ref.kind)[ref.index]; }

std::string Manifest::ref_string(ValueRef ref) const {
  return std::string(kind_name(ref.kind)) + ":" + spec(ref).name;
}

StatusOr<Manifest> parse_manifest(const std::string &json_text) {
  json root = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded())
    return Status::internal("manifest: not valid JSON");
  Manifest m;
  Parser parser(&m);
  try {
    parser.parse(root);
  } catch (const json::exception &e) {
    // json::value() throws when a field has the wrong type; that is one more problem.
    return Status::internal(std::string("manifest: unexpected JSON structure: ") + e.what());
  }
  if (!parser.problems().empty()) {
    std::string msg = "manifest";
    if (!m.model.empty())
      msg += " of model '" + m.model + "'";
    msg += " is invalid:";
    for (const std::string &p : parser.problems())
      msg += "\n  " + p;
    return Status::internal(msg);
  }
  return m;
}

} // namespace internal
} // namespace attn
