#include "attn/model.h"

#include <set>

#include "model_impl.h"

namespace attn {

const KernelEntry *KernelLibrary::find(const std::string &name) const {
  for (const KernelEntry &k : kernels) {
    if (k.name == name)
      return &k;
  }
  return nullptr;
}

std::string TensorSpec::type_string() const {
  return std::string(dtype_name(dtype)) + dims_to_string(shape);
}

Model::Model(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Model::Model(Model &&) noexcept = default;
Model &Model::operator=(Model &&) noexcept = default;
Model::~Model() = default;

StatusOr<Model> Model::create(const std::string &manifest_json, KernelLibrary lib) {
  ATTN_ASSIGN_OR_RETURN(internal::Manifest manifest, internal::parse_manifest(manifest_json));
  auto impl = std::make_unique<Impl>();
  std::vector<std::string> missing;
  for (const internal::KernelCall &call : manifest.kernels) {
    const KernelEntry *entry = lib.find(call.name);
    if (entry == nullptr || entry->fn == nullptr) {
      missing.push_back(call.name);
      impl->kernel_fns.push_back(nullptr);
    } else {
      impl->kernel_fns.push_back(entry->fn);
    }
  }
  if (!missing.empty()) {
    std::string msg = "the kernel library of model '" + manifest.model + "' lacks kernel";
    msg += missing.size() > 1 ? "s:" : ":";
    for (const std::string &m : missing)
      msg += "\n  " + m;
    return Status::internal(msg);
  }
  impl->manifest = std::move(manifest);
  impl->lib = std::move(lib);
  // Installed now rather than at the first run so that nothing between here and there can
  // reach Halide's default handler, which prints and may abort.
  impl->install_error_handler();
  return Model(std::move(impl));
}

Status Model::bind_weights(const Weights &weights) {
  Impl &m = *impl_;
  std::vector<std::string> problems;
  std::set<std::string> declared;
  for (const TensorSpec &spec : m.manifest.weights) {
    declared.insert(spec.name);
    const Tensor *t = weights.get(spec.name);
    if (t == nullptr) {
      problems.push_back("missing tensor '" + spec.name + "' (expected " + spec.type_string() +
                         ")");
      continue;
    }
    if (t->dtype() != spec.dtype) {
      problems.push_back("tensor '" + spec.name + "': expected dtype " + dtype_name(spec.dtype) +
                         ", found " + dtype_name(t->dtype()));
    }
    std::vector<int64_t> want;
    for (const DimExpr &d : spec.shape)
      want.push_back(d.constant_value());
    if (t->shape() != want) {
      problems.push_back("tensor '" + spec.name + "': expected shape " + shape_to_string(want) +
                         ", found " + shape_to_string(t->shape()));
    }
  }
  for (const std::string &name : weights.names()) {
    if (!declared.count(name)) {
      problems.push_back("unexpected tensor '" + name + "' (" + weights.get(name)->type_string() +
                         "), which the model does not use");
    }
  }
  if (!problems.empty()) {
    std::string msg =
        "weights " + weights.path() + " do not match " + model_label(m.manifest) + ":";
    for (const std::string &p : problems)
      msg += "\n  " + p;
    return Status::invalid_input(msg);
  }

  m.free_weight_buffers();
  m.weights_bound = false;
  for (const TensorSpec &spec : m.manifest.weights) {
    auto buf = std::make_unique<internal::HalideBuffer>();
    ATTN_RETURN_IF_ERROR(
        internal::HalideBuffer::wrap(*weights.get(spec.name), "weight '" + spec.name + "'",
                                     internal::HalideBuffer::Host::Data, buf.get()));
    m.weight_buffers.push_back(std::move(buf));
  }
  m.weights_bound = true;
  return Status();
}

const SymbolTable &Model::last_symbols() const { return impl_->last_symbols; }
const std::vector<TensorSpec> &Model::inputs() const { return impl_->manifest.inputs; }
const std::vector<TensorSpec> &Model::outputs() const { return impl_->manifest.outputs; }
const std::vector<TensorSpec> &Model::weights() const { return impl_->manifest.weights; }
const std::string &Model::model_name() const { return impl_->manifest.model; }
const std::string &Model::target() const { return impl_->manifest.target; }
const std::string &Model::device() const { return impl_->manifest.device; }
size_t Model::num_kernels() const { return impl_->manifest.kernels.size(); }
bool Model::weights_bound() const { return impl_->weights_bound; }

} // namespace attn
