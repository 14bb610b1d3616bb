// Declarations: definitions, modules, parameters, forwards (attention variants are checked in
// SemaAttention.cpp, expressions in SemaExpr.cpp).
#include "SemaImpl.h"

#include "attn/dsl/Parser.h"

#include "llvm/ADT/STLExtras.h"

#include <functional>
#include <map>
#include <set>

namespace attn::dsl {

bool check_program(Program &program, DiagnosticEngine &diag) {
  unsigned before = diag.error_count();
  Sema(program, diag).run();
  return diag.error_count() == before;
}

static unsigned result_count(const ModuleDecl &module, int depth) {
  if (!module.forward)
    return 0;
  const ForwardDecl &forward = *module.forward;
  if (forward.has_result_types)
    return forward.results.size();
  if (const Stmt *stmt = first_return(forward.body)) {
    if (stmt->values.size() == 1 && depth < 64)
      if (auto *call = llvm::dyn_cast<CallExpr>(stmt->values[0].get()))
        if (call->module)
          return result_count(*call->module, depth + 1);
    return stmt->values.size();
  }
  return 1;
}

unsigned forward_result_count(const ModuleDecl &module) { return result_count(module, 0); }

void Sema::run() {
  syntax_errors_ = diag_.error_count() > 0;
  bool syntax_errors = syntax_errors_;
  register_definitions();
  for (auto &file : program_.files)
    for (auto &attention : file->attentions)
      resolve_parent(*attention);
  check_inheritance_cycles();
  // Imported files first (what a file uses is checked before it), and declarations in source
  // order, so messages come out in the order of each file.
  for (auto &file : llvm::reverse(program_.files)) {
    auto modules = file->modules.begin();
    auto attentions = file->attentions.begin();
    while (modules != file->modules.end() || attentions != file->attentions.end()) {
      bool module_first =
          attentions == file->attentions.end() ||
          (modules != file->modules.end() && (*modules)->name.range.Start.getPointer() <
                                                 (*attentions)->name.range.Start.getPointer());
      if (module_first) {
        unsigned errors = diag_.error_count();
        check_module(**modules);
        // A variant's module: a hyperparameter named like its inputs (reported with the
        // variant) would be shadowed in the forward the parser wrote.
        const ModuleDecl &module = **modules;
        if (!module.attention || llvm::none_of(module.hyperparameters, [](const Hyperparameter &h) {
              return is_variant_input(h.name.name);
            }))
          check_forward(**modules);
        // After a syntax error, or an error in the module, the forward may stop before naming
        // a parameter, or the parameter be the error's subject: no warning then.
        if (!syntax_errors && diag_.error_count() == errors)
          warn_unused_params(**modules);
        ++modules;
      } else {
        check_attention(**attentions++);
      }
    }
  }
  check_instantiation_cycles();
}

void Sema::register_definitions() {
  // Imported files first, so a clash is reported in the file that imports the other.
  for (auto &file : llvm::reverse(program_.files)) {
    auto report = [&](const Ident &name, const Ident *previous) {
      if (!previous)
        return;
      diag_.error(name.range, "duplicate definition of '" + name.name + "'");
      diag_.note(previous->range, "previous definition is here");
    };
    // In source order, so the later of two definitions in one file is the duplicate.
    auto attention = file->attentions.begin();
    auto module = file->modules.begin();
    while (attention != file->attentions.end() || module != file->modules.end()) {
      if (module == file->modules.end() ||
          (attention != file->attentions.end() && (*attention)->name.range.Start.getPointer() <
                                                      (*module)->name.range.Start.getPointer())) {
        report((*attention)->name, program_.register_attention(attention->get()));
        ++attention;
      } else {
        report((*module)->name, program_.register_module(module->get()));
        ++module;
      }
    }
  }
}

//===----------------------------------------------------------------------===//
// Modules
//===----------------------------------------------------------------------===//

bool accepts(ScalarType declared, ExprType value) {
  switch (declared) {
  case ScalarType::Int:
    return value == ExprType::Int;
  case ScalarType::Float:
    return value == ExprType::Int || value == ExprType::Float;
  case ScalarType::Bool:
    return value == ExprType::Bool;
  case ScalarType::String:
    return value == ExprType::String;
  }
  return false;
}

void Sema::check_hyperparameters(std::vector<Hyperparameter> &hyperparameters) {
  for (size_t i = 0; i < hyperparameters.size(); ++i) {
    Hyperparameter &h = hyperparameters[i];
    for (size_t j = 0; j < i; ++j)
      if (hyperparameters[j].name.name == h.name.name) {
        diag_.error(h.name.range, "duplicate hyperparameter '" + h.name.name + "'");
        diag_.note(hyperparameters[j].name.range, "previous declaration is here");
        break;
      }
    if (!h.default_value)
      continue;
    Scope scope;
    scope.context = Context::Constant;
    scope.hyperparameters = &hyperparameters;
    scope.visible = i;
    ExprType type = check(*h.default_value, scope);
    if (type != ExprType::Error && !accepts(h.type, type))
      diag_.error(h.default_value->range(), "the default of '" + h.name.name + "' must be " +
                                                (h.type == ScalarType::Int ? "an " : "a ") +
                                                scalar_type_name(h.type) + ", got " +
                                                expr_type_phrase(type));
  }
}

void Sema::check_module(ModuleDecl &module) {
  check_hyperparameters(module.hyperparameters);
  if (module.name.name == "Sequential")
    diag_.error(module.name.range,
                "'Sequential' is built into the language; give the module another name");
  Scope scope;
  scope.context = Context::Constant;
  scope.module = &module;
  scope.hyperparameters = &module.hyperparameters;
  check_members(module, module.members, scope, /*in_loop=*/false);
}

// A parameter may share a hyperparameter's name (PyTorch's Linear has both a `bias` argument and
// a `bias` parameter): a bare name means the hyperparameter, `self.name` the parameter.
void Sema::check_param(ModuleDecl &module, ParamDecl &param, Scope &scope) {
  check_name_parts(param.name_parts, scope);
  if (param.instance) {
    check_instance(module, *param.instance, scope);
  } else if (param.container) {
    check_container(module, *param.container, scope);
  } else {
    Scope dims = scope;
    dims.context = Context::Dim;
    dims.allow_symbols = false;
    if (param.tensor->leading_ellipsis)
      diag_.error(param.tensor->range, "a parameter's shape must be fully known: '...' is "
                                       "only allowed in forward types");
    check_tensor_type(*param.tensor, dims);
  }
}

void Sema::check_instance(ModuleDecl &module, CallExpr &call, const Scope &outer) {
  const std::string &name = call.callee.name;
  const ModuleDecl *callee = program_.find_module(name, module.file);
  if (!callee) {
    if (program_.find_attention(name, module.file))
      diag_.error(call.callee.range, "'" + name +
                                         "' is an attention variant, not a module; "
                                         "use it in forward as attend<" +
                                         name + ">(q, k, v)");
    else if (find_builtin(name))
      diag_.error(call.callee.range, "'" + name + "' is a built-in function, not a module");
    else {
      std::vector<std::string> names;
      for (const auto &file : program_.files)
        for (const auto &m : file->modules)
          names.push_back(m->name.name);
      undefined_name(call.callee, names);
    }
    return;
  }
  call.module = callee;
  Scope scope = outer; // the hyperparameters, and the variables of enclosing loops
  scope.context = Context::Constant;
  scope.module = &module;
  const auto &targets = callee->hyperparameters;
  std::vector<const Expr *> bound(targets.size(), nullptr);
  bool argument_error = false; // then a "missing argument" may only be a consequence
  auto bind = [&](size_t index, Expr &value) {
    const Hyperparameter &target = targets[index];
    bound[index] = &value;
    ExprType type = check(value, scope);
    if (type != ExprType::Error && !accepts(target.type, type))
      diag_.error(value.range(), "argument '" + target.name.name + "' of " + name + " must be " +
                                     (target.type == ScalarType::Int ? "an " : "a ") +
                                     scalar_type_name(target.type) + ", got " +
                                     expr_type_phrase(type));
  };
  for (size_t i = 0; i < call.args.size(); ++i) {
    if (i >= targets.size()) {
      std::string list;
      for (const Hyperparameter &h : targets)
        list += (list.empty() ? "" : ", ") + h.name.name;
      diag_.error(call.args[i]->range(), "too many arguments for " + name + ": it takes " +
                                             llvm::Twine(targets.size()) +
                                             (list.empty() ? "" : " (" + list + ")"));
      return;
    }
    bind(i, *call.args[i]);
  }
  for (KeywordArg &kwarg : call.kwargs) {
    auto it = llvm::find_if(
        targets, [&](const Hyperparameter &h) { return h.name.name == kwarg.name.name; });
    if (it == targets.end()) {
      std::vector<std::string> names;
      for (const Hyperparameter &h : targets)
        names.push_back(h.name.name);
      diag_.error(kwarg.name.range, name + " has no hyperparameter '" + kwarg.name.name + "'");
      suggest(diag_, kwarg.name.name, names);
      argument_error = true;
      continue;
    }
    size_t index = it - targets.begin();
    if (bound[index]) {
      diag_.error(kwarg.name.range, "'" + kwarg.name.name + "' is given twice");
      argument_error = true;
      continue;
    }
    bind(index, *kwarg.value);
  }
  for (size_t i = 0; i < targets.size() && !argument_error; ++i)
    if (!bound[i] && !targets[i].default_value) {
      diag_.error(call.range(), "missing argument '" + targets[i].name.name + "' for " + name);
      diag_.note(targets[i].name.range, "'" + targets[i].name.name + "' is declared here");
    }
}

void Sema::check_instantiation_cycles() {
  // Depth-first over "module A holds an instance of module B"; an edge closing a cycle is
  // reported and cut, so elaboration never recurses forever.
  enum class State { Unvisited, Active, Done };
  std::map<const ModuleDecl *, State> state;
  std::vector<const ModuleDecl *> stack;
  std::function<void(const ModuleDecl &)> visit = [&](const ModuleDecl &module) {
    state[&module] = State::Active;
    stack.push_back(&module);
    auto edge = [&](CallExpr &instance) {
      const ModuleDecl *callee = instance.module;
      if (!callee)
        return;
      if (stack.size() >= static_cast<size_t>(kMaxNesting)) {
        if (!reported_deep_nesting_)
          diag_.error(instance.callee.range,
                      "modules are nested more than " + llvm::Twine(kMaxNesting) + " deep");
        reported_deep_nesting_ = true;
        instance.module = nullptr;
      } else if (state[callee] == State::Active) {
        std::string chain;
        auto start = llvm::find(stack, callee);
        for (auto it = start; it != stack.end(); ++it)
          chain += (*it)->name.name + " -> ";
        chain += callee->name.name;
        diag_.error(instance.callee.range,
                    "module '" + callee->name.name + "' contains itself (" + chain + ")");
        instance.module = nullptr;
      } else if (state[callee] == State::Unvisited) {
        visit(*callee);
      }
    };
    for (const ParamDecl &param : module.params)
      for_each_instance(param, edge);
    stack.pop_back();
    state[&module] = State::Done;
  };
  for (auto &file : program_.files)
    for (auto &module : file->modules)
      if (state[module.get()] == State::Unvisited)
        visit(*module);
}

void Sema::check_tensor_type(TensorType &type, Scope &scope) {
  for (ExprPtr &dim : type.dims) {
    ExprType t = check(*dim, scope);
    if (auto *name = llvm::dyn_cast<NameExpr>(dim.get()); name && name->binding == Binding::Symbol)
      continue;
    if (t != ExprType::Error && t != ExprType::Int)
      diag_.error(dim->range(), "a dimension must be an int or a symbol, got " +
                                    llvm::Twine(expr_type_phrase(t)));
  }
}

void Sema::report_hyperparameter_clash(const ModuleDecl &module, const Ident &name,
                                       const char *what) {
  const Hyperparameter *h = module.find_hyperparameter(name.name);
  if (!h)
    return;
  diag_.error(name.range, llvm::Twine(what) + " '" + name.name +
                              "' has the same name as a hyperparameter of '" + module.name.name +
                              "'");
  diag_.note(h->name.range, "the hyperparameter is declared here");
}

/// How many values `expr` gives: a submodule call or a scan may give several.
static unsigned value_count(const Expr &expr) {
  if (expr.type != ExprType::Tuple)
    return 1;
  if (auto *scan = llvm::dyn_cast<ScanExpr>(&expr))
    return scan->num_results;
  return llvm::cast<CallExpr>(expr).num_results;
}

void Sema::warn_unused_params(const ModuleDecl &module) {
  if (!module.forward || module.attention) // a variant's: check_attention warns
    return;
  for (const ParamDecl &param : module.params)
    if (!used_params_.contains(&param))
      diag_.warning(param.name.range,
                    llvm::Twine(param.is_submodule() ? "submodule" : "parameter") + " '" +
                        param.name.name + "' of '" + module.name.name +
                        "' is never used in its forward");
}

void Sema::check_forward(ModuleDecl &module) {
  if (!module.forward)
    return;
  ForwardDecl &forward = *module.forward;
  Scope dims;
  dims.context = Context::Dim;
  dims.module = &module;
  dims.hyperparameters = &module.hyperparameters;
  dims.allow_symbols = true;
  Scope scope;
  scope.context = Context::Forward;
  scope.module = &module;
  scope.hyperparameters = &module.hyperparameters;
  const ForwardArg *optional = nullptr; // the first input with a default
  for (ForwardArg &arg : forward.args) {
    if (!module.attention) // a variant's inputs: check_attention reports the clash
      report_hyperparameter_clash(module, arg.name, "forward argument");
    if (!scope.locals.try_emplace(arg.name.name, Local{arg.name.range, ExprType::Tensor}).second) {
      diag_.error(arg.name.range, "duplicate forward argument '" + arg.name.name + "'");
      diag_.note(scope.locals[arg.name.name].range, "previous declaration is here");
    }
    check_tensor_type(arg.type, dims);
    check_input_default(module, arg, optional);
  }
  for (TensorType &result : forward.results)
    check_tensor_type(result, dims);

  bool returned = check_block(forward, forward.body, scope);
  if (!returned && !forward.body_has_errors) {
    SMRange at = forward.close_brace.Start.isValid() ? forward.close_brace : forward.keyword_range;
    diag_.error(at, "forward of '" + module.name.name + "' must end with a 'return'");
  }
}

void Sema::check_input_default(ModuleDecl &module, ForwardArg &arg, const ForwardArg *&optional) {
  if (!arg.default_value) {
    if (optional) {
      diag_.error(arg.name.range, "input '" + arg.name.name +
                                      "' needs a default: it follows the optional input '" +
                                      optional->name.name + "'");
      diag_.note(optional->name.range, "optional inputs come last, as the calls leave them out");
    }
    return;
  }
  if (!optional)
    optional = &arg;
  Scope constant;
  constant.context = Context::Constant;
  constant.module = &module;
  constant.hyperparameters = &module.hyperparameters;
  if (arg.type.dtype == DType::Bool)
    expect_type(*arg.default_value, constant, {ExprType::Bool},
                "the default of a bool input '" + arg.name.name + "'");
  else
    expect_type(*arg.default_value, constant, {ExprType::Int, ExprType::Float},
                "the default of input '" + arg.name.name + "'");
}

void Sema::check_let(Stmt &stmt, Scope &scope) {
  Expr &value = *stmt.values.front();
  ExprType type = check(value, scope);
  unsigned produced = value_count(value);
  if (type != ExprType::Error && produced != stmt.names.size())
    diag_.error(stmt.range, "the value has " + llvm::Twine(produced) + " result" +
                                (produced == 1 ? "" : "s") + " but 'let' binds " +
                                llvm::Twine(stmt.names.size()) + " name" +
                                (stmt.names.size() == 1 ? "" : "s"));
  // A name bound to a bad value is still bound (as an error), so its uses stay quiet.
  ExprType each = type == ExprType::Tuple ? ExprType::Tensor : type;
  if (produced != stmt.names.size())
    each = ExprType::Error;
  for (const Ident &name : stmt.names) {
    report_hyperparameter_clash(*scope.module, name, "let");
    ExprType recorded = check_block_update(name, each, scope);
    scope.locals[name.name] = Local{name.range, recorded};
  }
}

void Sema::check_return(ForwardDecl &forward, Stmt &stmt, Scope &scope) {
  unsigned count = 0;
  bool failed = false;
  for (ExprPtr &value : stmt.values) {
    ExprType type = check(*value, scope);
    if (type == ExprType::Error) {
      failed = true;
    } else if (type == ExprType::Tuple && stmt.values.size() == 1) {
      count += value_count(*value);
      continue;
    } else if (type != ExprType::Tensor) {
      diag_.error(value->range(), llvm::Twine(scope.in_scan ? "a scan's body" : "forward") +
                                      " returns tensors; this value is " + expr_type_phrase(type));
      failed = true;
    }
    ++count;
  }
  // A scan's body returns to the scan (SemaScan.cpp), not as the forward.
  if (!failed && !scope.in_scan && forward.has_result_types && count != forward.results.size())
    diag_.error(stmt.range, "forward returns " + llvm::Twine(count) + " value" +
                                (count == 1 ? "" : "s") + " but declares " +
                                llvm::Twine(forward.results.size()) + " result type" +
                                (forward.results.size() == 1 ? "" : "s"));
  else if (!failed && (scope.in_scan || !forward.has_result_types) && scope.return_count >= 0 &&
           count != unsigned(scope.return_count))
    diag_.error(stmt.range, "this 'return' gives " + llvm::Twine(count) + " value" +
                                (count == 1 ? "" : "s") + " but an earlier one gives " +
                                llvm::Twine(scope.return_count));
  if (!failed && scope.return_count < 0) {
    scope.return_count = int(count);
    scope.first_return = stmt.range;
  }
}

} // namespace attn::dsl
