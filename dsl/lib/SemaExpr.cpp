// Expressions: names, operators, calls of built-ins and submodules, and the special forms of
// attention scores (dot, dim, super) and masks.
#include "SemaImpl.h"

#include "llvm/ADT/STLExtras.h"

namespace attn::dsl {

static bool is_numeric(ExprType t) { return t == ExprType::Int || t == ExprType::Float; }

static const char *with_article(ExprType t) { return expr_type_phrase(t); }

static unsigned context_bit(Context context) {
  switch (context) {
  case Context::Forward:
    return InForward;
  case Context::Score:
  case Context::Mask:
    return InScore;
  case Context::Constant:
  case Context::Dim:
    return InConstant;
  }
  return 0;
}

void Sema::undefined_name(const Ident &name, const std::vector<std::string> &candidates) {
  diag_.error(name.range, "undefined name '" + name.name + "'");
  suggest(diag_, name.name, candidates);
}

ExprType Sema::check(Expr &expr, Scope &scope) {
  ExprType type = ExprType::Error;
  switch (expr.kind()) {
  case Expr::Kind::Error:
    type = ExprType::Error;
    break;
  case Expr::Kind::Number:
    type = llvm::cast<NumberExpr>(expr).is_int ? ExprType::Int : ExprType::Float;
    break;
  case Expr::Kind::String:
    type = ExprType::String;
    break;
  case Expr::Kind::Bool:
    type = ExprType::Bool;
    break;
  case Expr::Kind::Name:
    type = check_name(llvm::cast<NameExpr>(expr), scope);
    break;
  case Expr::Kind::SelfMember:
    type = check_self_member(llvm::cast<SelfMemberExpr>(expr), scope);
    break;
  case Expr::Kind::Super:
    if (scope.context != Context::Score) {
      diag_.error(expr.range(), "'super' is only meaningful in an attention score");
    } else if (!scope.attention->parent_decl) {
      if (!scope.attention->parent)
        diag_.error(expr.range(), "'super' needs a parent variant (attention " +
                                      scope.attention->name.name + " : dot { ... })");
    } else {
      ++scope.dots;
      type = ExprType::Float;
    }
    break;
  case Expr::Kind::List:
    diag_.error(expr.range(), "a list is only allowed as the shape argument of reshape");
    break;
  case Expr::Kind::Unary:
    type = check_unary(llvm::cast<UnaryExpr>(expr), scope);
    break;
  case Expr::Kind::Binary:
    type = check_binary(llvm::cast<BinaryExpr>(expr), scope);
    break;
  case Expr::Kind::Call:
    type = check_call(llvm::cast<CallExpr>(expr), scope);
    break;
  case Expr::Kind::Index:
    type = check_index(llvm::cast<IndexExpr>(expr), scope);
    break;
  case Expr::Kind::Scan:
    type = check_scan(llvm::cast<ScanExpr>(expr), scope);
    break;
  case Expr::Kind::Conditional:
    type = check_conditional(llvm::cast<ConditionalExpr>(expr), scope);
    break;
  }
  expr.type = type;
  return type;
}

static ExprType hyperparameter_type(const Hyperparameter &h) {
  switch (h.type) {
  case ScalarType::Int:
    return ExprType::Int;
  case ScalarType::Float:
    return ExprType::Float;
  case ScalarType::Bool:
    return ExprType::Bool;
  case ScalarType::String:
    return ExprType::String;
  }
  return ExprType::Error;
}

ExprType Sema::check_name(NameExpr &name, Scope &scope) {
  Ident ident{name.name, name.range()};
  std::vector<std::string> candidates;
  auto find_hyperparameter = [&]() -> const Hyperparameter * {
    if (!scope.hyperparameters)
      return nullptr;
    size_t n = std::min(scope.visible, scope.hyperparameters->size());
    for (size_t i = 0; i < n; ++i)
      if ((*scope.hyperparameters)[i].name.name == name.name)
        return &(*scope.hyperparameters)[i];
    return nullptr;
  };
  auto add_hyperparameter_candidates = [&] {
    if (!scope.hyperparameters)
      return;
    size_t n = std::min(scope.visible, scope.hyperparameters->size());
    for (size_t i = 0; i < n; ++i)
      candidates.push_back((*scope.hyperparameters)[i].name.name);
  };

  // Forward arguments and lets, and loop variables (also in members and comprehensions).
  if (auto it = scope.locals.find(name.name); it != scope.locals.end()) {
    name.binding = Binding::Local;
    return it->second.type;
  }
  if (scope.context == Context::Score || scope.context == Context::Mask) {
    if (scope.index_vars.count(name.name)) {
      name.binding = Binding::IndexVar;
      return ExprType::Int;
    }
    // A let of the variant (or of one it extends): a number per query row. A let's own body
    // uses none, so that each is computed from the query alone.
    if (find_let(scope.attention, name.name)) {
      if (scope.in_let) {
        diag_.error(name.range(),
                    "a let uses no other let: write the expression of '" + name.name + "' here");
        return ExprType::Error;
      }
      name.binding = Binding::AttentionLet;
      return ExprType::Float;
    }
    if (name.name == scope.query || name.name == scope.key) {
      name.binding = name.name == scope.query ? Binding::ScoreQuery : Binding::ScoreKey;
      diag_.error(name.range(), "'" + name.name + "' may only appear inside dot(...) or as dim(" +
                                    name.name + ")");
      return ExprType::Error;
    }
    const ModuleDecl *params = scope.attention ? scope.attention->module : nullptr;
    if (params && params->find_param(name.name)) {
      name.binding = Binding::Param;
      diag_.error(name.range(), "parameter '" + name.name + "' of attention '" +
                                    scope.attention->name.name +
                                    "' may only appear inside dot(...)");
      return ExprType::Error;
    }
  }
  if (const Hyperparameter *h = find_hyperparameter()) {
    name.binding = Binding::Hyperparameter;
    ExprType type = hyperparameter_type(*h);
    if (scope.context == Context::Dim && type != ExprType::Int) {
      diag_.error(name.range(), "a dimension must be an int, but hyperparameter '" + name.name +
                                    "' is " + with_article(type));
      return ExprType::Error;
    }
    return type;
  }
  if (scope.context == Context::Constant && scope.hyperparameters &&
      scope.visible < scope.hyperparameters->size()) {
    for (size_t i = scope.visible; i < scope.hyperparameters->size(); ++i)
      if ((*scope.hyperparameters)[i].name.name == name.name) {
        diag_.error(name.range(), "hyperparameter '" + name.name +
                                      "' is used before it is "
                                      "declared");
        return ExprType::Error;
      }
  }
  if (scope.context == Context::Forward && scope.module) {
    if (const ParamDecl *param = scope.module->find_param(name.name)) {
      if (param->is_submodule()) {
        name.binding = Binding::Submodule;
        diag_.error(name.range(),
                    "'" + name.name + "' is a submodule; call it: self." + name.name + "(...)");
        return ExprType::Error;
      }
      name.binding = Binding::Param;
      used_params_.insert(param);
      return ExprType::Tensor;
    }
  }
  if (scope.context == Context::Dim) {
    add_hyperparameter_candidates();
    if (!scope.allow_symbols) {
      diag_.error(name.range(), "parameter shapes must be known at compile time: '" + name.name +
                                    "' is not a hyperparameter of '" + scope.module->name.name +
                                    "'");
      suggest(diag_, name.name, candidates);
      return ExprType::Error;
    }
    name.binding = Binding::Symbol;
    std::string near = closest_name(name.name, candidates);
    if (!near.empty() && name.name.size() >= 4) {
      diag_.warning(name.range(), "'" + name.name + "' is taken as a symbolic dimension");
      diag_.note("did you mean the hyperparameter '" + near + "'?");
    }
    return ExprType::Int;
  }

  // Undefined: suggest from everything visible here.
  add_hyperparameter_candidates();
  for (const auto &entry : scope.locals)
    candidates.push_back(entry.first().str());
  for (const auto &entry : scope.index_vars)
    candidates.push_back(entry.first().str());
  if (scope.context == Context::Forward && scope.module)
    for (const ParamDecl &param : scope.module->params)
      candidates.push_back(param.name.name);
  undefined_name(ident, candidates);
  bool is_index = llvm::is_contained(llvm::makeArrayRef(kIndexNames), name.name);
  if (is_index && scope.in_let)
    diag_.note("a let is a number per query row, computed before the indices exist");
  else if (is_index && scope.context == Context::Score && !scope.value.empty())
    diag_.note("declare the index as a parameter of the value: value(" + scope.value + ", " +
               name.name + ")");
  else if (is_index && scope.context == Context::Score)
    diag_.note("declare the index as a score parameter: score(" + scope.query + ", " + scope.key +
               ", " + name.name + ")");
  else if (is_index && scope.context == Context::Mask)
    diag_.note("declare the index as a mask parameter: mask(" + name.name + ")");
  return ExprType::Error;
}

ExprType Sema::check_self_member(SelfMemberExpr &member, Scope &scope) {
  if (scope.context != Context::Forward || !scope.module) {
    diag_.error(member.range(), "'self' is only available in a module's forward");
    return ExprType::Error;
  }
  if (!check_name_parts(member.parts, scope))
    return ExprType::Error;
  auto found = find_members(*scope.module, member.member.name, member.parts);
  used_params_.insert(found.begin(), found.end());
  const ParamDecl *param = found.empty() ? nullptr : found.front();
  if (!param) {
    diag_.error(member.member.range, "module '" + scope.module->name.name +
                                         "' has no parameter or submodule '" + member.member.name +
                                         "'");
    std::vector<std::string> names;
    for (const ParamDecl &p : scope.module->params)
      names.push_back(p.name.name);
    suggest(diag_, member.member.name, names);
    return ExprType::Error;
  }
  if (param->is_submodule()) {
    member.binding = Binding::Submodule;
    if (param->container && param->container->kind == ContainerDecl::Kind::List)
      diag_.error(member.range(), "'self." + member.member.name +
                                      "' is a module list; call one of its elements: self." +
                                      member.member.name + "[0](...)");
    else
      diag_.error(member.range(), "'self." + member.member.name +
                                      "' is a submodule; call it: self." + member.member.name +
                                      "(...)");
    return ExprType::Error;
  }
  member.binding = Binding::Param;
  return ExprType::Tensor;
}

ExprType Sema::check_unary(UnaryExpr &unary, Scope &scope) {
  ExprType t = check(*unary.operand, scope);
  if (t == ExprType::Error)
    return t;
  if (unary.op == UnaryOp::Not) {
    // On a tensor, elementwise: a bool mask, true where the element is false or zero.
    if (t == ExprType::Bool || t == ExprType::Tensor)
      return t;
    diag_.error(unary.range(),
                "'not' needs a condition (bool) or a tensor, got " + llvm::Twine(with_article(t)));
    return ExprType::Error;
  }
  if (is_numeric(t) || t == ExprType::Tensor)
    return t;
  diag_.error(unary.range(), "'-' needs a number or a tensor, got " + llvm::Twine(with_article(t)));
  return ExprType::Error;
}

ExprType Sema::check_binary(BinaryExpr &binary, Scope &scope) {
  ExprType l = check(*binary.lhs, scope);
  ExprType r = check(*binary.rhs, scope);
  if (l == ExprType::Error || r == ExprType::Error)
    return ExprType::Error;
  const char *op = binary_op_spelling(binary.op);
  auto fail = [&](const llvm::Twine &message) {
    diag_.error(binary.op_range, message);
    return ExprType::Error;
  };
  if (scope.context == Context::Dim)
    for (Expr *side : {binary.lhs.get(), binary.rhs.get()})
      if (auto *name = llvm::dyn_cast<NameExpr>(side); name && name->binding == Binding::Symbol) {
        diag_.error(side->range(),
                    "symbolic dimension '" + name->name + "' cannot be used in arithmetic yet");
        return ExprType::Error;
      }
  if (scope.context == Context::Mask && (l == ExprType::Float || r == ExprType::Float) &&
      !reads_let(*binary.lhs) && !reads_let(*binary.rhs))
    return fail("masks compute on integer positions; '" + llvm::Twine(op) + "' got " +
                with_article(l) + " and " + with_article(r));
  if (is_logical(binary.op)) {
    // On tensors, elementwise (torch.logical_and / logical_or): a bool mask, an element
    // counting as true when it is true or not zero. A compile-time bool beside a tensor is the
    // same everywhere.
    auto condition = [](ExprType t) { return t == ExprType::Bool || t == ExprType::Tensor; };
    if (l == ExprType::Bool && r == ExprType::Bool)
      return l;
    if (condition(l) && condition(r))
      return ExprType::Tensor;
    return fail("'" + llvm::Twine(op) + "' needs conditions (bool) or tensors, got " +
                with_article(l) + " and " + with_article(r));
  }
  if (is_comparison(binary.op)) {
    // A tensor comparison is a bool mask, true where it holds. A tensor equals a compile-time
    // bool where it is 1 (true) or 0 (false), as PyTorch compares `m == True`.
    bool equality = binary.op == BinaryOp::Eq || binary.op == BinaryOp::Ne;
    if (l == ExprType::Tensor || r == ExprType::Tensor) {
      ExprType other = l == ExprType::Tensor ? r : l;
      if (other == ExprType::Tensor || is_numeric(other) || (equality && other == ExprType::Bool))
        return ExprType::Tensor;
      return fail("cannot compare a tensor with " + llvm::Twine(with_article(other)));
    }
    if ((is_numeric(l) && is_numeric(r)) || (equality && l == r && l != ExprType::Tuple))
      return ExprType::Bool;
    return fail("cannot compare " + llvm::Twine(with_article(l)) + " with " + with_article(r));
  }
  // Arithmetic.
  if (l == ExprType::Tensor || r == ExprType::Tensor) {
    ExprType other = l == ExprType::Tensor ? r : l;
    if (other == ExprType::Tensor || is_numeric(other))
      return ExprType::Tensor;
    fail("'" + llvm::Twine(op) + "' cannot combine a tensor with " + with_article(other));
    note_shadowed_param(l == ExprType::Tensor ? *binary.rhs : *binary.lhs, scope);
    return ExprType::Error;
  }
  if (!is_numeric(l) || !is_numeric(r))
    return fail("'" + llvm::Twine(op) + "' needs numbers or tensors, got " + with_article(l) +
                " and " + with_article(r));
  return l == ExprType::Int && r == ExprType::Int ? ExprType::Int : ExprType::Float;
}

ExprType Sema::check_call(CallExpr &call, Scope &scope) {
  const std::string &name = call.callee.name;
  if (call.self_call) {
    if (scope.context != Context::Forward || !scope.module) {
      diag_.error(call.range(), "'self' is only available in a module's forward");
      return ExprType::Error;
    }
    return check_member_call(call, scope);
  }
  if (scope.context == Context::Forward && scope.module)
    if (const ParamDecl *param = scope.module->find_param(name); param && param->is_submodule())
      return check_member_call(call, scope);
  if (const BuiltinInfo *info = find_builtin(name))
    return check_builtin(call, *info, scope);
  const SourceFile *file = scope.module ? scope.module->file : nullptr;
  if (program_.find_module(name, file) || name == "Sequential") {
    diag_.error(call.callee.range, "module '" + name +
                                       "' is instantiated as a parameter "
                                       "(param x = " +
                                       name + "(...)) and called as self.x(...)");
    return ExprType::Error;
  }
  if (program_.find_attention(name, file)) {
    diag_.error(call.callee.range,
                "'" + name + "' is an attention variant: use attend<" + name + ">(q, k, v)");
    return ExprType::Error;
  }
  diag_.error(call.callee.range, "unknown function '" + name + "'");
  std::vector<std::string> candidates = builtin_names(context_bit(scope.context));
  if (scope.context == Context::Forward && scope.module)
    for (const ParamDecl &p : scope.module->params)
      if (p.is_submodule())
        candidates.push_back(p.name.name);
  suggest(diag_, name, candidates);
  return ExprType::Error;
}

ExprType Sema::check_submodule_call(CallExpr &call, const ParamDecl &param, Scope &scope) {
  bool ok = true;
  for (ExprPtr &arg : call.args)
    ok &= expect_type(*arg, scope, {ExprType::Tensor}, "a submodule's argument");
  for (KeywordArg &kw : call.kwargs)
    ok &= expect_type(*kw.value, scope, {ExprType::Tensor}, "a submodule's argument");
  const ModuleDecl *callee = param.instance->module;
  if (!ok || !callee)
    return ExprType::Error; // already reported
  call.module = callee;
  if (!callee->forward) {
    diag_.error(call.callee.range, "module '" + callee->name.name + "' has no forward to call");
    return ExprType::Error;
  }
  return check_call_inputs(call, param.name.name, *callee) ? finish_submodule_call(call, *callee)
                                                           : ExprType::Error;
}

ExprType Sema::finish_submodule_call(CallExpr &call, const ModuleDecl &callee) {
  call.num_results = forward_result_count(callee);
  return call.num_results == 1 ? ExprType::Tensor : ExprType::Tuple;
}

bool Sema::check_call_inputs(CallExpr &call, llvm::StringRef path, const ModuleDecl &callee) {
  const std::vector<ForwardArg> &inputs = callee.forward->args;
  size_t expected = inputs.size(), required = 0;
  for (const ForwardArg &arg : inputs)
    required += arg.default_value == nullptr;
  if (!call.kwargs.empty() && call.args.size() <= expected)
    return check_keyword_inputs(call, path, callee);
  if (call.args.size() < required || call.args.size() > expected) {
    std::string count = required == expected
                            ? std::to_string(expected)
                            : std::to_string(required) + " to " + std::to_string(expected);
    diag_.error(call.range(), "'" + path + "' (" + callee.name.name + ") takes " + count +
                                  " argument" + (expected == 1 ? "" : "s") + ", got " +
                                  llvm::Twine(call.args.size()));
    return false;
  }
  return true;
}

bool Sema::check_keyword_inputs(CallExpr &call, llvm::StringRef path, const ModuleDecl &callee) {
  const std::vector<ForwardArg> &inputs = callee.forward->args;
  std::vector<bool> given(inputs.size(), false);
  std::fill(given.begin(), given.begin() + call.args.size(), true);
  std::string who = "'" + path.str() + "' (" + callee.name.name + ")";
  bool ok = true;
  call.kwarg_positions.clear();
  for (const KeywordArg &kw : call.kwargs) {
    auto it =
        llvm::find_if(inputs, [&](const ForwardArg &a) { return a.name.name == kw.name.name; });
    if (it == inputs.end()) {
      diag_.error(kw.name.range, who + " has no input '" + kw.name.name + "'");
      std::vector<std::string> names;
      for (const ForwardArg &a : inputs)
        names.push_back(a.name.name);
      suggest(diag_, kw.name.name, names);
      ok = false;
      continue;
    }
    size_t position = static_cast<size_t>(it - inputs.begin());
    if (given[position]) {
      diag_.error(kw.name.range, "input '" + kw.name.name + "' of " + who + " is given twice");
      ok = false;
      continue;
    }
    given[position] = true;
    call.kwarg_positions.push_back(position);
  }
  for (size_t i = 0; ok && i < inputs.size(); ++i)
    if (!given[i] && !inputs[i].default_value) {
      diag_.error(call.range(), who + " needs its input '" + inputs[i].name.name + "'");
      ok = false;
    }
  return ok;
}

bool Sema::expect_type(Expr &expr, Scope &scope, std::initializer_list<ExprType> allowed,
                       const llvm::Twine &what) {
  ExprType t = check(expr, scope);
  if (t == ExprType::Error)
    return false;
  if (llvm::is_contained(allowed, t))
    return true;
  std::string names; // "an int, a float or a bool"
  size_t i = 0;
  for (ExprType a : allowed) {
    if (i > 0)
      names += i + 1 == allowed.size() ? " or " : ", ";
    names += with_article(a);
    ++i;
  }
  diag_.error(expr.range(), what + " must be " + names + ", got " + with_article(t));
  return false;
}

} // namespace attn::dsl
