// Model::run: check the inputs, bind the symbols, then execute the kernels in manifest order.
#include <cstring>
#include <functional>
#include <map>
#include <new>

#include "attn/model.h"
#include "model_impl.h"

namespace attn {

namespace {

using internal::HalideBuffer;
using internal::KernelCall;
using internal::Manifest;
using internal::ValueKind;
using internal::ValueRef;

std::string join_problems(const std::string &head, const std::vector<std::string> &problems) {
  std::string msg = head;
  for (const std::string &p : problems)
    msg += "\n  " + p;
  return msg;
}

// Matches the given inputs to the manifest's by name; reports unknown, repeated and missing
// names.
void match_inputs(const Manifest &m, const std::vector<std::pair<std::string, Tensor>> &given,
                  std::vector<const Tensor *> *by_index, std::vector<std::string> *problems) {
  by_index->assign(m.inputs.size(), nullptr);
  for (const auto &[name, tensor] : given) {
    size_t i = 0;
    while (i < m.inputs.size() && m.inputs[i].name != name)
      ++i;
    if (i == m.inputs.size()) {
      std::string names;
      for (const TensorSpec &s : m.inputs)
        names += (names.empty() ? "" : ", ") + s.name;
      problems->push_back("unknown input '" + name + "' (the model's inputs: " + names + ")");
    } else if ((*by_index)[i] != nullptr) {
      problems->push_back("input '" + name + "' is given twice");
    } else {
      (*by_index)[i] = &tensor;
    }
  }
  for (size_t i = 0; i < m.inputs.size(); ++i) {
    if ((*by_index)[i] == nullptr && !m.input_defaults[i]) {
      problems->push_back("missing input '" + m.inputs[i].name + "' (expected " +
                          m.inputs[i].type_string() + ")");
    }
  }
}

// The optional inputs a run leaves out, filled with their defaults in the shapes the given
// inputs' symbols fix.
Status fill_left_out(const Manifest &m, const SymbolTable &symbols,
                     std::vector<const Tensor *> *by_index, std::vector<Tensor> *filled) {
  filled->reserve(m.inputs.size()); // pointers into it are handed out below
  for (size_t i = 0; i < m.inputs.size(); ++i) {
    if ((*by_index)[i] != nullptr)
      continue;
    const TensorSpec &spec = m.inputs[i];
    std::vector<int64_t> shape;
    for (const DimExpr &d : spec.shape) {
      StatusOr<int64_t> v = d.evaluate(symbols);
      if (!v.ok()) {
        return Status::invalid_input("input '" + spec.name + "' was left out, but its size " +
                                     d.to_string() + " is not fixed by the inputs given; pass it");
      }
      shape.push_back(*v);
    }
    Tensor t = Tensor::empty(spec.dtype, shape);
    const double value = *m.input_defaults[i];
    for (int64_t k = 0; k < t.numel(); ++k) {
      switch (spec.dtype) {
      case DType::F32:
        t.data<float>()[k] = static_cast<float>(value);
        break;
      case DType::I64:
        t.data<int64_t>()[k] = static_cast<int64_t>(value);
        break;
      case DType::I32:
        t.data<int32_t>()[k] = static_cast<int32_t>(value);
        break;
      case DType::F16:
        t.data<uint16_t>()[k] = f32_to_f16(static_cast<float>(value));
        break;
      case DType::BF16:
        t.data<uint16_t>()[k] = f32_to_bf16(static_cast<float>(value));
        break;
      case DType::Bool:
        t.data<uint8_t>()[k] = value != 0;
        break;
      }
    }
    filled->push_back(t);
    (*by_index)[i] = &filled->back();
  }
  return Status();
}

// Checks dtypes, ranks and dims, binding each symbol from its first occurrence (inputs in
// manifest order, axes left to right) and checking every later one against it.
void bind_symbols(const Manifest &m, const std::vector<const Tensor *> &by_index,
                  SymbolTable *symbols, std::vector<std::string> *problems) {
  std::map<std::string, std::string> bound_at; // symbol -> "input 'q' axis 1"
  for (size_t i = 0; i < m.inputs.size(); ++i) {
    const TensorSpec &spec = m.inputs[i];
    const Tensor *t = by_index[i];
    if (t == nullptr)
      continue;
    const std::string label = "input '" + spec.name + "'";
    if (t->dtype() != spec.dtype) {
      problems->push_back(label + ": expected dtype " + dtype_name(spec.dtype) + ", found " +
                          dtype_name(t->dtype()));
      continue;
    }
    if (t->rank() != static_cast<int>(spec.shape.size())) {
      problems->push_back(label + ": expected rank " + std::to_string(spec.shape.size()) + " (" +
                          spec.type_string() + "), found rank " + std::to_string(t->rank()) +
                          " with shape " + shape_to_string(t->shape()));
      continue;
    }
    for (int axis = 0; axis < t->rank(); ++axis) {
      const DimExpr &d = spec.shape[axis];
      const int64_t found = t->dim(axis);
      const std::string where = label + " axis " + std::to_string(axis);
      if (d.is_constant()) {
        if (found != d.constant_value()) {
          problems->push_back(where + ": expected " + d.to_string() + ", found " +
                              std::to_string(found) + " (" + spec.name + " is " +
                              spec.type_string() + ")");
        }
        continue;
      }
      auto [it, inserted] = symbols->emplace(d.symbol(), found);
      if (inserted) {
        bound_at[d.symbol()] = where;
      } else if (it->second != found) {
        problems->push_back(where + ": expected " + d.symbol() + " = " +
                            std::to_string(it->second) + " (bound by " + bound_at[d.symbol()] +
                            "), found " + std::to_string(found));
      }
    }
  }
}

StatusOr<std::vector<int64_t>> evaluate_shape(const TensorSpec &spec, const SymbolTable &symbols,
                                              const std::string &what) {
  std::vector<int64_t> shape;
  for (size_t axis = 0; axis < spec.shape.size(); ++axis) {
    StatusOr<int64_t> v = spec.shape[axis].evaluate(symbols);
    if (!v.ok()) {
      return Status::invalid_input("the inputs do not fit " + what + " axis " +
                                   std::to_string(axis) + ": " + v.status().message());
    }
    shape.push_back(*v);
  }
  return shape;
}

// The per-run halide buffers. Whatever happens, device allocations made during the run are
// released when it ends.
class RunState {
public:
  RunState(const Manifest &m, const KernelLibrary &lib) : lib_(lib) {
    inputs_.resize(m.inputs.size());
    buffers_.resize(m.buffers.size());
  }
  ~RunState() {
    for (auto &b : inputs_)
      release(&b);
    for (auto &b : buffers_)
      release(&b);
  }

  std::vector<std::unique_ptr<HalideBuffer>> &inputs() { return inputs_; }
  std::unique_ptr<HalideBuffer> &buffer(int index) { return buffers_[index]; }
  void release(std::unique_ptr<HalideBuffer> *b) {
    if (*b)
      (*b)->free_device(lib_);
    b->reset();
  }

private:
  const KernelLibrary &lib_;
  std::vector<std::unique_ptr<HalideBuffer>> inputs_;
  std::vector<std::unique_ptr<HalideBuffer>> buffers_;
};

// Copies `from` (all of it) into `to` at element `offset` (a row of a stacked output, or 0),
// through host memory: a GPU kernel then reads `to` from the host.
Status copy_into(const KernelLibrary &lib, HalideBuffer *from, const std::string &from_what,
                 HalideBuffer *to, int64_t offset) {
  ATTN_RETURN_IF_ERROR(from->copy_to_host(lib, from_what));
  const Tensor &src = from->tensor();
  Tensor dst = to->tensor();
  if (src.nbytes() > 0) {
    std::memcpy(static_cast<char *>(dst.raw_data()) + offset * dtype_size(dst.dtype()),
                src.raw_data(), src.nbytes());
  }
  to->wrote_host();
  return Status();
}

// Runs steps: kernels, and scans as loops (docs/internals.md "Scans").
struct Executor {
  const Manifest &m;
  const KernelLibrary &lib;
  const std::vector<KernelFn> &kernel_fns;
  const SymbolTable &symbols;
  std::function<StatusOr<HalideBuffer *>(ValueRef)> value;
  std::vector<void *> argv;

  Status run(const internal::Step &step) {
    return step.kernel >= 0 ? run_kernel(step.kernel) : run_scan(*step.scan);
  }

  Status run_kernel(int k) {
    const KernelCall &call = m.kernels[k];
    argv.clear();
    bool empty_output = false;
    for (size_t a = 0; a < call.args.size(); ++a) {
      ATTN_ASSIGN_OR_RETURN(HalideBuffer * b, value(call.args[a]));
      argv.push_back(b->raw());
      if (a + static_cast<size_t>(call.num_outputs) >= call.args.size() && b->tensor().numel() == 0)
        empty_output = true;
    }
    // A kernel whose output has no elements (`x[:, 1:]` of a length-1 sequence) has nothing to
    // write; Halide would refuse its empty output region.
    if (empty_output)
      return Status();
    internal::ErrorCapture capture;
    int rc = kernel_fns[k](argv.data());
    if (rc != 0)
      return internal::kernel_failure(call.name, call.loc, rc, capture.take());
    return Status();
  }

  Status run_scan(const internal::ScanStep &scan) {
    const std::string where = "the scan at " + scan.loc;
    StatusOr<int64_t> length = scan.length.evaluate(symbols);
    if (!length.ok())
      return Status::invalid_input("the inputs do not fit " + where + ": " +
                                   length.status().message());
    for (const auto &c : scan.carries) {
      ATTN_ASSIGN_OR_RETURN(HalideBuffer * init, value(c.init));
      ATTN_ASSIGN_OR_RETURN(HalideBuffer * carry, value(c.value));
      ATTN_RETURN_IF_ERROR(copy_into(lib, init, m.ref_string(c.init), carry, 0));
    }
    std::vector<HalideBuffer *> stacked;
    for (const auto &o : scan.outputs) {
      ATTN_ASSIGN_OR_RETURN(HalideBuffer * b, value(o.stacked));
      stacked.push_back(b);
    }
    ATTN_ASSIGN_OR_RETURN(HalideBuffer * position, value(scan.position));
    // A carry's next value may be another carry's buffer (two carries swapped): those are
    // copied aside first, so every carry gets the value the step gave it.
    std::vector<bool> reads_carry;
    for (const auto &c : scan.carries) {
      bool aliased = false;
      for (const auto &other : scan.carries)
        aliased |=
            c.next.kind == other.value.kind && c.next.index == other.value.index && &c != &other;
      reads_carry.push_back(aliased);
    }
    for (int64_t i = 0; i < *length; ++i) {
      const int64_t t = scan.reverse ? *length - 1 - i : i;
      Tensor at = position->tensor(); // shares the buffer's memory
      *at.data<int64_t>() = t;
      position->wrote_host();
      for (const internal::Step &inner : scan.steps)
        ATTN_RETURN_IF_ERROR(run(inner));
      for (size_t o = 0; o < scan.outputs.size(); ++o) {
        ATTN_ASSIGN_OR_RETURN(HalideBuffer * step, value(scan.outputs[o].step));
        ATTN_RETURN_IF_ERROR(copy_into(lib, step, m.ref_string(scan.outputs[o].step), stacked[o],
                                       t * step->tensor().numel()));
      }
      std::vector<Tensor> aside(scan.carries.size());
      for (size_t c = 0; c < scan.carries.size(); ++c) {
        if (!reads_carry[c])
          continue;
        ATTN_ASSIGN_OR_RETURN(HalideBuffer * next, value(scan.carries[c].next));
        ATTN_RETURN_IF_ERROR(next->copy_to_host(lib, m.ref_string(scan.carries[c].next)));
        aside[c] = next->tensor().clone();
      }
      for (size_t c = 0; c < scan.carries.size(); ++c) {
        const auto &carry = scan.carries[c];
        if (carry.next.kind == carry.value.kind && carry.next.index == carry.value.index)
          continue; // the step left the carry as it was
        ATTN_ASSIGN_OR_RETURN(HalideBuffer * to, value(carry.value));
        if (reads_carry[c]) {
          Tensor dst = to->tensor();
          std::memcpy(dst.raw_data(), aside[c].raw_data(), aside[c].nbytes());
          to->wrote_host();
          continue;
        }
        ATTN_ASSIGN_OR_RETURN(HalideBuffer * next, value(carry.next));
        ATTN_RETURN_IF_ERROR(copy_into(lib, next, m.ref_string(carry.next), to, 0));
      }
    }
    return Status();
  }
};

} // namespace

StatusOr<std::vector<Tensor>>
Model::run(const std::vector<std::pair<std::string, Tensor>> &inputs) {
  Impl &impl = *impl_;
  const Manifest &m = impl.manifest;
  if (!impl.weights_bound && !m.weights.empty()) {
    return Status::invalid_input(model_label(m) + " needs its weights: bind_weights was not "
                                                  "called or failed");
  }

  std::vector<const Tensor *> by_index;
  std::vector<std::string> problems;
  SymbolTable symbols;
  match_inputs(m, inputs, &by_index, &problems);
  bind_symbols(m, by_index, &symbols, &problems);
  if (!problems.empty()) {
    return Status::invalid_input(
        join_problems("the inputs do not match " + model_label(m) + ":", problems));
  }
  std::vector<Tensor> filled;
  ATTN_RETURN_IF_ERROR(fill_left_out(m, symbols, &by_index, &filled));

  // Evaluate every shape before running anything, so a bad fit fails fast and cleanly.
  std::vector<std::vector<int64_t>> buffer_shapes, output_shapes;
  for (const TensorSpec &spec : m.buffers) {
    ATTN_ASSIGN_OR_RETURN(auto shape, evaluate_shape(spec, symbols, "buffer '" + spec.name + "'"));
    buffer_shapes.push_back(std::move(shape));
  }
  for (const TensorSpec &spec : m.outputs) {
    ATTN_ASSIGN_OR_RETURN(auto shape, evaluate_shape(spec, symbols, "output '" + spec.name + "'"));
    output_shapes.push_back(std::move(shape));
  }

  RunState state(m, impl.lib);
  for (size_t i = 0; i < m.inputs.size(); ++i) {
    state.inputs()[i] = std::make_unique<HalideBuffer>();
    ATTN_RETURN_IF_ERROR(HalideBuffer::wrap(*by_index[i], "input '" + m.inputs[i].name + "'",
                                            HalideBuffer::Host::Data, state.inputs()[i].get()));
  }
  // Returns the halide buffer holding `ref`, allocating a buffer on first use.
  std::function<StatusOr<HalideBuffer *>(ValueRef)> value =
      [&](ValueRef ref) -> StatusOr<HalideBuffer *> {
    if (ref.kind == ValueKind::Input)
      return state.inputs()[ref.index].get();
    if (ref.kind == ValueKind::Weight)
      return impl.weight_buffers[ref.index].get();
    std::unique_ptr<HalideBuffer> &slot = state.buffer(ref.index);
    if (!slot) {
      const TensorSpec &spec = m.buffers[ref.index];
      const std::vector<int64_t> &shape = buffer_shapes[ref.index];
      Tensor t;
      try {
        t = Tensor::empty(spec.dtype, shape);
      } catch (const std::bad_alloc &) {
        return Status::invalid_input("out of memory allocating buffer '" + spec.name + "' " +
                                     dtype_name(spec.dtype) + shape_to_string(shape));
      }
      slot = std::make_unique<HalideBuffer>();
      ATTN_RETURN_IF_ERROR(HalideBuffer::wrap(t, "buffer '" + spec.name + "'",
                                              HalideBuffer::Host::Unwritten, slot.get()));
    }
    return slot.get();
  };

  impl.install_error_handler();
  Executor exec{m, impl.lib, impl.kernel_fns, symbols, value, {}};
  for (size_t s = 0; s < m.steps.size(); ++s) {
    ATTN_RETURN_IF_ERROR(exec.run(m.steps[s]));
    for (size_t b = 0; b < m.buffers.size(); ++b) {
      if (m.buffer_last_use[b] == static_cast<int>(s) && !m.buffer_is_output[b])
        state.release(&state.buffer(static_cast<int>(b))); // intermediates die after their last use
    }
  }

  std::vector<Tensor> results;
  std::vector<bool> handed_out(m.buffers.size(), false);
  for (size_t i = 0; i < m.outputs.size(); ++i) {
    const std::string what = "output '" + m.outputs[i].name + "'";
    ATTN_ASSIGN_OR_RETURN(HalideBuffer * b, value(m.output_values[i]));
    ATTN_RETURN_IF_ERROR(b->copy_to_host(impl.lib, what));
    if (b->tensor().shape() != output_shapes[i]) {
      return Status::internal(what + " of " + model_label(m) + " should have shape " +
                              shape_to_string(output_shapes[i]) + " but " +
                              m.ref_string(m.output_values[i]) + " has " +
                              shape_to_string(b->tensor().shape()));
    }
    // A buffer is allocated afresh for each run, so the first output that is it can take it
    // as is; anything else (an input, a weight, a buffer returned twice) is copied so outputs
    // never alias the caller's tensors, the weights or each other.
    const ValueRef ref = m.output_values[i];
    bool fresh = ref.kind == ValueKind::Buffer && !handed_out[ref.index];
    results.push_back(fresh ? b->tensor() : b->tensor().clone());
    if (ref.kind == ValueKind::Buffer)
      handed_out[ref.index] = true;
  }
  impl.last_symbols = std::move(symbols);
  return results;
}

} // namespace attn
