// The compile-time structure of a model, resolved with its hyperparameters: member `if`/`for`
// blocks and parameter families when an instance is elaborated (only the parameters whose
// conditions hold exist, so the runtime asks only for those), module lists and Sequential (an
// Instance whose elements are named `<k>.`), interpolated names (`weight_l{k}` spelled with k's
// value), and in forwards the element calls, `if`/`for` statements (unrolled) and conditional
// expressions. Sema checked every branch once per module; what only the values decide (which
// name an interpolation spells, whether an index is in range) is reported here.
#include "MLIRGenImpl.h"

#include "mlir/IR/BuiltinTypes.h"

#include "llvm/ADT/StringExtras.h"

namespace attn::mlirgen {

static dsl::LocalLookup loop_lookup(const LoopValues &loops) {
  return [&loops](const dsl::NameExpr &name) -> const dsl::ConstValue * {
    auto it = loops.find(name.name);
    return it == loops.end() ? nullptr : &it->second;
  };
}

static dsl::LocalLookup frame_lookup(const Frame &frame) {
  return [&frame](const dsl::NameExpr &name) -> const dsl::ConstValue * {
    auto it = frame.scalars.find(name.name);
    return it == frame.scalars.end() ? nullptr : &it->second;
  };
}

/// "'Linear' (in_features = 4, out_features = 8, bias = false)", for messages.
static std::string describe_instance(const Instance &instance) {
  std::string text = "'" + instance.decl->name.name + "'";
  std::string values;
  for (const auto &[name, value] : instance.values.entries())
    values += (values.empty() ? "" : ", ") + name + " = " + value.str();
  return values.empty() ? text : text + " (" + values + ")";
}

//===----------------------------------------------------------------------===//
// Elaboration
//===----------------------------------------------------------------------===//

std::optional<std::pair<int64_t, int64_t>>
Generator::loop_bounds(const dsl::RangeLoop &loop, const dsl::HyperparameterValues &values,
                       const dsl::LocalLookup &locals, const dsl::DtypeLookup &dtypes) {
  int64_t start = 0;
  if (loop.start) {
    auto v = dsl::evaluate(*loop.start, values, diag_, locals, dtypes);
    if (!v)
      return std::nullopt;
    start = v->int_value;
  }
  auto end = dsl::evaluate(*loop.end, values, diag_, locals, dtypes);
  if (!end)
    return std::nullopt;
  int64_t count = 0;
  if (end->int_value > start && __builtin_sub_overflow(end->int_value, start, &count))
    count = INT64_MAX;
  if (count > kMaxExpansion - unrolled_) {
    if (!reported_unrolling_)
      report(loop.range, "the model unrolls more than " + llvm::Twine(kMaxExpansion) +
                             " iterations of compile-time loops");
    reported_unrolling_ = true;
    return std::nullopt;
  }
  unrolled_ += count;
  return std::make_pair(start, start + count);
}

std::optional<std::string>
Generator::spell_name(const std::string &written, const std::vector<dsl::NamePart> &parts,
                      llvm::SMRange range, const dsl::HyperparameterValues &values,
                      const dsl::LocalLookup &locals, const dsl::DtypeLookup &dtypes) {
  if (parts.empty())
    return written;
  std::string name;
  for (const dsl::NamePart &part : parts) {
    if (!part.expr) {
      name += part.text;
      continue;
    }
    auto v = dsl::evaluate(*part.expr, values, diag_, locals, dtypes);
    if (!v)
      return std::nullopt;
    name += v->type == dsl::ScalarType::String ? v->string_value : std::to_string(v->int_value);
  }
  bool valid =
      !name.empty() && llvm::all_of(name, [](char c) { return llvm::isAlnum(c) || c == '_'; });
  if (!valid) {
    report(range, "'" + written + "' spells '" + name +
                      "', which is not a name (letters, digits and '_')");
    return std::nullopt;
  }
  return name;
}

bool Generator::elaborate_members(const std::vector<dsl::MemberNode> &nodes, Instance &instance,
                                  LoopValues &loops) {
  // Every member is tried, so that one build reports every error of the instance.
  auto locals = loop_lookup(loops);
  bool ok = true;
  for (const dsl::MemberNode &node : nodes) {
    switch (node.kind) {
    case dsl::MemberNode::Kind::Param:
      ok &= elaborate_param(instance.decl->params[node.param], instance, loops);
      break;
    case dsl::MemberNode::Kind::If:
      for (const dsl::MemberBranch &branch : node.branches) {
        if (branch.condition) {
          auto holds = dsl::evaluate(*branch.condition, instance.values, diag_, locals);
          if (!holds) {
            ok = false;
            break;
          }
          if (!holds->bool_value)
            continue;
        }
        ok &= elaborate_members(branch.body, instance, loops);
        break;
      }
      break;
    case dsl::MemberNode::Kind::Assert: {
      auto holds = dsl::evaluate(*node.condition, instance.values, diag_, locals);
      if (!holds) {
        ok = false;
      } else if (!holds->bool_value) {
        report(node.condition->range(),
               "assertion failed in " + describe_instance(instance) +
                   (node.message.empty() ? std::string() : ": " + node.message));
        ok = false;
      }
      break;
    }
    case dsl::MemberNode::Kind::For: {
      auto bounds = loop_bounds(*node.loop, instance.values, locals);
      if (!bounds) {
        ok = false;
        break;
      }
      // An error in the body would repeat in every iteration: the first one stops the loop.
      const std::string &var = node.loop->var.name;
      for (int64_t i = bounds->first; i < bounds->second; ++i) {
        loops[var] = dsl::ConstValue::of_int(i);
        if (!elaborate_members(node.body, instance, loops)) {
          ok = false;
          break;
        }
      }
      loops.erase(var);
      break;
    }
    }
  }
  return ok;
}

bool Generator::elaborate_param(const dsl::ParamDecl &param, Instance &instance,
                                LoopValues &loops) {
  auto locals = loop_lookup(loops);
  auto name =
      spell_name(param.name.name, param.name_parts, param.name.range, instance.values, locals);
  if (!name)
    return false;
  auto [first, fresh] = instance.declared.try_emplace(*name, param.name.range);
  if (!fresh) {
    std::string spelled = param.name_parts.empty() ? "" : " ('" + param.name.name + "' spells it)";
    report(param.name.range,
           "'" + *name + "' is declared twice in " + describe_instance(instance) + spelled);
    diag_.note(first->second, "the first declaration is here");
    return false;
  }
  const std::string &prefix = instance.prefix;
  if (param.tensor) {
    mlir::Type element;
    switch (param.tensor->dtype) {
    case dsl::DType::F32:
      element = builder_.getF32Type();
      break;
    case dsl::DType::F16:
      element = builder_.getF16Type();
      break;
    case dsl::DType::BF16:
      element = builder_.getBF16Type();
      break;
    default:
      return report(param.tensor->range, "parameters are f32, f16 or bf16 tensors, not " +
                                             llvm::Twine(dsl::dtype_name(param.tensor->dtype)));
    }
    auto shape = static_shape(*param.tensor, instance, locals);
    if (!shape)
      return false;
    auto type = mlir::RankedTensorType::get(*shape, element);
    auto op = builder_.create<ir::ParamOp>(loc(param.name.range), type,
                                           builder_.getStringAttr(prefix + *name));
    // An f16 or bf16 parameter is stored so and read as f32.
    instance.params[*name] =
        widen(TensorValue{op, static_cast<int>(shape->size())}, loc(param.name.range));
    return true;
  }
  std::unique_ptr<Instance> sub;
  if (param.container) {
    sub = elaborate_container(*param.container, instance, loops, prefix + *name + ".");
  } else {
    const dsl::CallExpr &call = *param.instance;
    if (!call.module)
      return false; // reported by Sema
    auto values = dsl::bind_instance_hyperparameters(call, instance.values, diag_, locals);
    if (!values)
      return false;
    // The submodule's parameters are located at their declarations, called from here.
    auto saved = call_site_;
    call_site_ = loc(call.range());
    sub = elaborate(*call.module, std::move(*values), prefix + *name + ".");
    call_site_ = saved;
  }
  if (!sub)
    return false;
  instance.submodules[*name] = std::move(sub);
  return true;
}

std::unique_ptr<Instance> Generator::elaborate_container(const dsl::ContainerDecl &container,
                                                         const Instance &outer, LoopValues &loops,
                                                         const std::string &prefix) {
  if (++instances_ > kMaxExpansion) {
    if (instances_ == kMaxExpansion + 1)
      report(container.range,
             "the model has more than " + llvm::Twine(kMaxExpansion) + " module instances");
    return nullptr;
  }
  auto instance = std::make_unique<Instance>();
  instance->container = &container;
  instance->prefix = prefix;
  auto add = [&](const dsl::ElementDecl &element) {
    std::string element_prefix = prefix + std::to_string(instance->elements.size()) + ".";
    auto sub = elaborate_element(element, outer, loops, element_prefix);
    if (!sub)
      return false;
    instance->elements.push_back(std::move(sub));
    return true;
  };
  if (!container.loop) {
    for (const dsl::ElementDecl &element : container.elements)
      if (!add(element))
        return nullptr;
    return instance;
  }
  auto bounds = loop_bounds(*container.loop, outer.values, loop_lookup(loops));
  if (!bounds)
    return nullptr;
  const std::string &var = container.loop->var.name;
  bool ok = true;
  for (int64_t i = bounds->first; ok && i < bounds->second; ++i) {
    loops[var] = dsl::ConstValue::of_int(i);
    ok = add(container.elements.front());
  }
  loops.erase(var);
  return ok ? std::move(instance) : nullptr;
}

std::unique_ptr<Instance> Generator::elaborate_element(const dsl::ElementDecl &element,
                                                       const Instance &outer, LoopValues &loops,
                                                       const std::string &prefix) {
  if (element.container)
    return elaborate_container(*element.container, outer, loops, prefix);
  const dsl::CallExpr &call = *element.instance;
  if (!call.module)
    return nullptr; // reported by Sema
  auto values = dsl::bind_instance_hyperparameters(call, outer.values, diag_, loop_lookup(loops));
  if (!values)
    return nullptr;
  auto saved = call_site_;
  call_site_ = loc(call.range());
  auto sub = elaborate(*call.module, std::move(*values), prefix);
  call_site_ = saved;
  return sub;
}

//===----------------------------------------------------------------------===//
// Members used in a forward
//===----------------------------------------------------------------------===//

void Generator::report_missing_member(const Instance &instance, const std::string &name,
                                      const std::string &written, bool interpolated,
                                      llvm::SMRange range, bool submodule) {
  const char *kind = submodule ? "submodule" : "parameter";
  const dsl::ParamDecl *decl = interpolated ? nullptr : instance.decl->find_param(name);
  if (decl) {
    report(range, llvm::Twine(kind) + " '" + name + "' is not declared in this " +
                      describe_instance(instance) + ": its declaration is under a condition " +
                      "that does not hold");
    diag_.note(decl->name.range, "'" + name + "' is declared here");
    return;
  }
  std::string spelled = interpolated ? "'" + written + "' is '" + name + "' here, but this " : "";
  report(range, (interpolated ? spelled : "this ") + describe_instance(instance) + " has no " +
                    kind + " '" + name + "'");
  std::vector<std::string> candidates;
  if (submodule)
    for (const auto &entry : instance.submodules)
      candidates.push_back(entry.first().str());
  else
    for (const auto &entry : instance.params)
      candidates.push_back(entry.first().str());
  dsl::suggest(diag_, name, candidates);
}

TensorValue Generator::member_param(const std::string &written,
                                    const std::vector<dsl::NamePart> &parts, llvm::SMRange range,
                                    Frame &frame) {
  Instance &self = *frame.instance;
  auto name =
      spell_name(written, parts, range, self.values, frame_lookup(frame), frame_dtypes(frame));
  if (!name)
    return {};
  if (auto it = self.params.find(*name); it != self.params.end())
    return it->second;
  report_missing_member(self, *name, written, !parts.empty(), range, /*submodule=*/false);
  return {};
}

Instance *Generator::resolve_callee(const dsl::CallExpr &call, Frame &frame) {
  Instance &self = *frame.instance;
  auto name = spell_name(call.callee.name, call.callee_parts, call.callee.range, self.values,
                         frame_lookup(frame), frame_dtypes(frame));
  if (!name)
    return nullptr;
  auto found = self.submodules.find(*name);
  if (found == self.submodules.end()) {
    report_missing_member(self, *name, call.callee.name, !call.callee_parts.empty(),
                          call.callee.range, /*submodule=*/true);
    return nullptr;
  }
  Instance *target = found->second.get();
  std::string path = *name;
  for (const dsl::ExprPtr &index : call.element_indices) {
    auto v = gen_int(*index, frame);
    if (!v)
      return nullptr;
    if (!target->container) {
      report(index->range(), "'self." + path + "' is a module, not a list; it has no elements");
      return nullptr;
    }
    int64_t n = static_cast<int64_t>(target->elements.size());
    int64_t k = *v < 0 ? *v + n : *v;
    if (k < 0 || k >= n) {
      report(index->range(), "index " + llvm::Twine(*v) + " is out of range for '" + path +
                                 "', which has " + llvm::Twine(n) + " module" +
                                 (n == 1 ? "" : "s"));
      return nullptr;
    }
    target = target->elements[k].get();
    path += "[" + std::to_string(k) + "]";
  }
  if (target->container && target->container->kind == dsl::ContainerDecl::Kind::List) {
    report(call.range(), "'self." + path + "' is a module list; call one of its elements: self." +
                             path + "[i](...)");
    return nullptr;
  }
  return target;
}

//===----------------------------------------------------------------------===//
// Statements and conditional expressions
//===----------------------------------------------------------------------===//

std::optional<std::vector<TensorValue>>
Generator::gen_scoped_block(const std::vector<dsl::Stmt> &body, Frame &frame) {
  // Names first bound inside the block are dropped at its end; names bound before it keep the
  // values the block gave them.
  std::vector<std::string> tensors, scalars;
  for (const auto &entry : frame.tensors)
    tensors.push_back(entry.first().str());
  for (const auto &entry : frame.scalars)
    scalars.push_back(entry.first().str());
  auto results = gen_block(body, frame);
  auto drop_new = [](auto &map, const std::vector<std::string> &before) {
    std::vector<std::string> added;
    for (const auto &entry : map)
      if (!llvm::is_contained(before, entry.first()))
        added.push_back(entry.first().str());
    for (const std::string &name : added)
      map.erase(name);
  };
  drop_new(frame.tensors, tensors);
  drop_new(frame.scalars, scalars);
  return results;
}

std::optional<std::vector<TensorValue>> Generator::gen_control(const dsl::Stmt &stmt,
                                                               Frame &frame) {
  if (stmt.kind == dsl::Stmt::Kind::If) {
    for (const dsl::StmtBranch &branch : stmt.branches) {
      if (branch.condition) {
        auto holds = gen_scalar(*branch.condition, frame);
        if (!holds)
          return std::nullopt;
        if (!holds->bool_value)
          continue;
      }
      return gen_scoped_block(branch.body, frame);
    }
    return std::nullopt;
  }
  auto bounds =
      loop_bounds(*stmt.loop, frame.instance->values, frame_lookup(frame), frame_dtypes(frame));
  if (!bounds)
    return std::nullopt;
  const std::string &var = stmt.loop->var.name;
  std::optional<std::vector<TensorValue>> results;
  for (int64_t i = bounds->first; i < bounds->second && !results; ++i) {
    frame.scalars[var] = dsl::ConstValue::of_int(i);
    results = gen_scoped_block(stmt.body, frame);
  }
  frame.scalars.erase(var);
  return results;
}

TensorValue Generator::gen_conditional(const dsl::ConditionalExpr &conditional, Frame &frame) {
  auto holds = gen_scalar(*conditional.condition, frame);
  if (!holds)
    return {};
  return gen_tensor(holds->bool_value ? *conditional.then_value : *conditional.else_value, frame);
}

} // namespace attn::mlirgen
