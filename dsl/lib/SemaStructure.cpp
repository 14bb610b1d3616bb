// The compile-time structure of modules and forwards: member `if`/`for` blocks, module lists and
// Sequential, interpolated names, element calls (`self.layers[i](x)`), `if`/`for` statements and
// conditional expressions.
//
// Sema checks a module once, not once per instance, so it checks every branch and every loop
// body whatever the hyperparameters; what only the values decide (which branch, how many
// elements, which name an interpolation spells, whether an index is in range) is checked when a
// model is built (compiler/lib/MLIRGen/StructureGen.cpp). Names declared in blocks follow that
// split: a `self.name` is accepted when some declaration can spell it.
#include "SemaImpl.h"

#include "llvm/ADT/STLExtras.h"

namespace attn::dsl {

static constexpr char kWildcard = '*'; // never part of a name

/// A member name as a pattern: its text, with a wildcard for each interpolated piece.
static std::string name_pattern(const std::string &name, const std::vector<NamePart> &parts) {
  if (parts.empty())
    return name;
  std::string pattern;
  for (const NamePart &part : parts)
    pattern += part.expr ? std::string(1, kWildcard) : part.text;
  return pattern;
}

/// Whether two patterns (text with wildcards that match any text) can spell the same name.
static bool patterns_overlap(llvm::StringRef a, llvm::StringRef b) {
  bool wild_a = a.contains(kWildcard), wild_b = b.contains(kWildcard);
  if (!wild_a && !wild_b)
    return a == b;
  size_t n = a.size(), m = b.size();
  if ((n + 1) * (m + 1) > (size_t(1) << 22))
    return true; // absurdly long names: let the build decide
  // can[i][j]: a[i:] and b[j:] can spell the same text; filled from the ends.
  std::vector<char> can((n + 1) * (m + 1), 0);
  auto at = [&](size_t i, size_t j) -> char & { return can[i * (m + 1) + j]; };
  for (size_t i = n + 1; i-- > 0;)
    for (size_t j = m + 1; j-- > 0;) {
      bool r;
      if (i == n && j == m)
        r = true;
      else if (i < n && a[i] == kWildcard)
        r = at(i + 1, j) || (j < m && at(i, j + 1));
      else if (j < m && b[j] == kWildcard)
        r = at(i, j + 1) || (i < n && at(i + 1, j));
      else
        r = i < n && j < m && a[i] == b[j] && at(i + 1, j + 1);
      at(i, j) = r;
    }
  return at(0, 0);
}

std::vector<const ParamDecl *> Sema::find_members(const ModuleDecl &module, const std::string &name,
                                                  const std::vector<NamePart> &parts) {
  if (parts.empty())
    if (const ParamDecl *exact = module.find_param(name); exact && exact->name_parts.empty())
      return {exact};
  std::string pattern = name_pattern(name, parts);
  std::vector<const ParamDecl *> found;
  for (const ParamDecl &param : module.params)
    if (patterns_overlap(pattern, name_pattern(param.name.name, param.name_parts)))
      found.push_back(&param);
  return found;
}

const Stmt *first_return(const std::vector<Stmt> &body) {
  for (const Stmt &stmt : body) {
    if (stmt.kind == Stmt::Kind::Return)
      return &stmt;
    for (const StmtBranch &branch : stmt.branches)
      if (const Stmt *found = first_return(branch.body))
        return found;
    if (const Stmt *found = first_return(stmt.body))
      return found;
  }
  return nullptr;
}

//===----------------------------------------------------------------------===//
// Compile-time values: conditions, bounds, name pieces
//===----------------------------------------------------------------------===//

bool Sema::expect_compile_time(Expr &expr, Scope &scope, ExprType want, const llvm::Twine &what) {
  ExprType type = check(expr, scope);
  if (type == ExprType::Error)
    return false;
  if (type == want)
    return true;
  if (type == ExprType::Tensor) {
    diag_.error(expr.range(), what + " must be known at compile time, but this is a tensor");
    if (want == ExprType::Bool)
      diag_.note("to choose elementwise between tensors, use where(condition, a, b)");
    return false;
  }
  diag_.error(expr.range(),
              what + " must be " + expr_type_phrase(want) + ", got " + expr_type_phrase(type));
  return false;
}

bool Sema::check_name_parts(std::vector<NamePart> &parts, Scope &scope) {
  bool ok = true;
  for (NamePart &part : parts) {
    if (!part.expr)
      continue;
    // Pieces are compile-time values wherever the name stands.
    Context saved = scope.context;
    if (saved == Context::Dim)
      scope.context = Context::Constant;
    ExprType type = check(*part.expr, scope);
    scope.context = saved;
    if (type == ExprType::Error) {
      ok = false;
    } else if (type != ExprType::Int && type != ExprType::String) {
      diag_.error(part.expr->range(), "a piece of a name must be an int or a string, got " +
                                          llvm::Twine(expr_type_phrase(type)));
      ok = false;
    }
  }
  return ok;
}

bool Sema::check_range_loop(RangeLoop &loop, Scope &scope) {
  bool ok = true;
  for (Expr *bound : {loop.start.get(), loop.end.get()})
    if (bound)
      ok &= expect_compile_time(*bound, scope, ExprType::Int, "a range bound");
  const std::string &var = loop.var.name;
  if (auto it = scope.locals.find(var); it != scope.locals.end()) {
    diag_.error(loop.var.range, "loop variable '" + var + "' is already a name here");
    diag_.note(it->second.range, "'" + var + "' is bound here");
    ok = false;
  } else if (scope.module) {
    if (const Hyperparameter *h = scope.module->find_hyperparameter(var)) {
      diag_.error(loop.var.range, "loop variable '" + var +
                                      "' has the same name as a hyperparameter of '" +
                                      scope.module->name.name + "'");
      diag_.note(h->name.range, "the hyperparameter is declared here");
      ok = false;
    }
  }
  if (ok || !scope.locals.count(var))
    scope.locals[var] = Local{loop.var.range, ok ? ExprType::Int : ExprType::Error, true};
  return ok;
}

ExprType Sema::check_conditional(ConditionalExpr &conditional, Scope &scope) {
  if (scope.context == Context::Score || scope.context == Context::Mask)
    return check_region_conditional(conditional, scope);
  // The condition is a compile-time bool, also inside a dimension (`d if k == 0 else h`).
  Context saved = scope.context;
  if (saved == Context::Dim)
    scope.context = Context::Constant;
  bool condition_ok =
      expect_compile_time(*conditional.condition, scope, ExprType::Bool, "the condition");
  scope.context = saved;
  ExprType a = check(*conditional.then_value, scope);
  ExprType b = check(*conditional.else_value, scope);
  if (!condition_ok || a == ExprType::Error || b == ExprType::Error)
    return ExprType::Error;
  // In a forward's types a condition may pick a symbolic dimension (`B if batch_first else S`);
  // the bridge picks the branch when the model is built.
  for (Expr *side : {conditional.then_value.get(), conditional.else_value.get()})
    if (auto *name = llvm::dyn_cast<NameExpr>(side); name && name->binding == Binding::Symbol)
      return ExprType::Int; // only dims bind names as symbols
  if (a == ExprType::Tuple || b == ExprType::Tuple) {
    diag_.error(a == ExprType::Tuple ? conditional.then_value->range()
                                     : conditional.else_value->range(),
                "a conditional expression chooses one value; this call returns several");
    return ExprType::Error;
  }
  auto numeric = [](ExprType t) { return t == ExprType::Int || t == ExprType::Float; };
  if (a == b)
    return a;
  if (numeric(a) && numeric(b))
    return ExprType::Float;
  if ((a == ExprType::Tensor && numeric(b)) || (b == ExprType::Tensor && numeric(a)))
    return ExprType::Tensor;
  diag_.error(conditional.if_range, "the two values of a conditional expression do not fit "
                                    "together: " +
                                        llvm::Twine(expr_type_phrase(a)) + " and " +
                                        expr_type_phrase(b));
  return ExprType::Error;
}

void Sema::note_shadowed_param(const Expr &operand, const Scope &scope) {
  auto *name = llvm::dyn_cast<NameExpr>(&operand);
  if (name && name->binding == Binding::Hyperparameter && scope.module &&
      scope.module->find_param(name->name))
    diag_.note("'" + name->name + "' is the hyperparameter here; the parameter is self." +
               name->name);
}

//===----------------------------------------------------------------------===//
// Members
//===----------------------------------------------------------------------===//

void Sema::check_members(ModuleDecl &module, std::vector<MemberNode> &members, Scope &scope,
                         bool in_loop) {
  // Two plain names in one block are always both declared; elsewhere only the values tell.
  llvm::StringMap<const ParamDecl *> plain;
  for (MemberNode &node : members) {
    switch (node.kind) {
    case MemberNode::Kind::Param: {
      ParamDecl &param = module.params[node.param];
      if (param.name_parts.empty()) {
        auto [it, fresh] = plain.try_emplace(param.name.name, &param);
        if (!fresh) {
          diag_.error(param.name.range, "duplicate parameter '" + param.name.name + "'");
          diag_.note(it->second->name.range, "previous declaration is here");
        } else if (in_loop) {
          diag_.error(param.name.range, "'" + param.name.name +
                                            "' would be declared again by every iteration of "
                                            "the loop; put the loop variable in its name (" +
                                            param.name.name + "_{k})");
        }
      }
      check_param(module, param, scope);
      break;
    }
    case MemberNode::Kind::If:
      for (MemberBranch &branch : node.branches) {
        if (branch.condition)
          expect_compile_time(*branch.condition, scope, ExprType::Bool, "the condition of 'if'");
        check_members(module, branch.body, scope, in_loop);
      }
      break;
    case MemberNode::Kind::For: {
      Scope inner = scope;
      check_range_loop(*node.loop, inner);
      check_members(module, node.body, inner, /*in_loop=*/true);
      break;
    }
    case MemberNode::Kind::Assert:
      expect_compile_time(*node.condition, scope, ExprType::Bool, "the condition of 'assert'");
      break;
    }
  }
}

void Sema::check_container(ModuleDecl &module, ContainerDecl &container, Scope &scope) {
  Scope inner = scope;
  if (container.loop)
    check_range_loop(*container.loop, inner);
  std::function<void(ElementDecl &)> element = [&](ElementDecl &e) {
    if (e.instance)
      check_instance(module, *e.instance, inner);
    else if (e.container)
      check_container(module, *e.container, inner);
  };
  for (ElementDecl &e : container.elements)
    element(e);
}

/// `a if c else b` in a score or a mask: the condition is computed as a mask is (positions, int
/// and bool parameters), so that it holds per query and key; a score chooses between numbers,
/// a mask between two conditions or two positions.
ExprType Sema::check_region_conditional(ConditionalExpr &conditional, Scope &scope) {
  Context saved = scope.context;
  scope.context = Context::Mask;
  ExprType c = check(*conditional.condition, scope);
  scope.context = saved;
  ExprType a = check(*conditional.then_value, scope);
  ExprType b = check(*conditional.else_value, scope);
  bool ok = c != ExprType::Error && a != ExprType::Error && b != ExprType::Error;
  if (c != ExprType::Error && c != ExprType::Bool) {
    diag_.error(conditional.condition->range(),
                "the condition must be true or false, got " + llvm::Twine(expr_type_phrase(c)));
    ok = false;
  }
  if (!ok)
    return ExprType::Error;
  auto numeric = [](ExprType t) { return t == ExprType::Int || t == ExprType::Float; };
  if (saved == Context::Score && numeric(a) && numeric(b))
    return ExprType::Float;
  if (saved == Context::Mask && a == b && (a == ExprType::Bool || a == ExprType::Int))
    return a;
  diag_.error(conditional.if_range,
              llvm::Twine(saved == Context::Score ? "a score's conditional chooses between numbers"
                                                  : "a mask's conditional chooses between two "
                                                    "conditions or two positions") +
                  ", got " + expr_type_phrase(a) + " and " + expr_type_phrase(b));
  return ExprType::Error;
}

//===----------------------------------------------------------------------===//
// Element calls: self.layers[i](x), self.ffn(x), self.attention_{i}(x)
//===----------------------------------------------------------------------===//

namespace {

/// What a member call may reach: a module instance or a container, and how it is written.
struct Reach {
  const CallExpr *instance = nullptr;
  const ContainerDecl *container = nullptr;
  std::string path; // layers[i]
  SMRange declared;
};

/// The value of an index written as an int literal (`0`, `-1`), if it is one.
std::optional<int64_t> literal_int(const Expr &expr) {
  if (auto *n = llvm::dyn_cast<NumberExpr>(&expr); n && n->is_int)
    return n->int_value;
  return std::nullopt;
}

std::string source_text(SMRange range) {
  return std::string(range.Start.getPointer(), range.End.getPointer());
}

} // namespace

ExprType Sema::check_member_call(CallExpr &call, Scope &scope) {
  const ModuleDecl &module = *scope.module;
  const std::string &name = call.callee.name;
  bool ok = check_name_parts(call.callee_parts, scope);
  auto found = find_members(module, name, call.callee_parts);
  used_params_.insert(found.begin(), found.end());
  if (found.empty()) {
    diag_.error(call.callee.range,
                "module '" + module.name.name + "' has no submodule '" + name + "'");
    std::vector<std::string> names;
    for (const ParamDecl &p : module.params)
      if (p.is_submodule())
        names.push_back(p.name.name);
    suggest(diag_, name, names);
    return ExprType::Error;
  }
  const ParamDecl &first = *found.front();
  if (!first.is_submodule()) {
    diag_.error(call.callee.range, "'self." + name +
                                       "' is a parameter, not a submodule; only "
                                       "submodules can be called");
    return ExprType::Error;
  }
  for (ExprPtr &index : call.element_indices)
    ok &= expect_compile_time(*index, scope, ExprType::Int, "an element index");
  if (found.size() == 1 && first.instance && call.element_indices.empty())
    return ok ? check_submodule_call(call, first, scope) : ExprType::Error;
  for (ExprPtr &arg : call.args)
    ok &= expect_type(*arg, scope, {ExprType::Tensor}, "a submodule's argument");
  for (KeywordArg &kw : call.kwargs)
    ok &= expect_type(*kw.value, scope, {ExprType::Tensor}, "a submodule's argument");
  if (!ok)
    return ExprType::Error;

  std::vector<Reach> reach;
  for (const ParamDecl *p : found)
    if (p->is_submodule())
      reach.push_back(Reach{p->instance.get(), p->container.get(), p->name.name, p->name.range});
  for (ExprPtr &index : call.element_indices) {
    std::optional<int64_t> literal = literal_int(*index);
    std::string text = source_text(index->range());
    std::vector<Reach> next;
    for (const Reach &r : reach) {
      if (!r.container) {
        diag_.error(index->range(), "'self." + r.path + "' is a module (" +
                                        r.instance->callee.name +
                                        "), not a list; it has no elements");
        return ExprType::Error;
      }
      const auto &elements = r.container->elements;
      auto add = [&](const ElementDecl &e) {
        next.push_back(
            Reach{e.instance.get(), e.container.get(), r.path + "[" + text + "]", e.range()});
      };
      if (r.container->loop) {
        add(elements.front()); // every element is an instance of the one written
      } else if (literal) {
        int64_t n = int64_t(elements.size());
        int64_t k = *literal < 0 ? *literal + n : *literal;
        if (k < 0 || k >= n) {
          diag_.error(index->range(), "index " + llvm::Twine(*literal) + " is out of range for '" +
                                          r.path + "', which has " + llvm::Twine(n) + " module" +
                                          (n == 1 ? "" : "s"));
          return ExprType::Error;
        }
        add(elements[k]);
      } else {
        if (elements.empty()) {
          diag_.error(index->range(), "'" + r.path + "' is an empty module list");
          return ExprType::Error;
        }
        for (const ElementDecl &e : elements)
          add(e);
      }
    }
    reach = std::move(next);
  }

  // The arguments and results of what is reached: a module's forward, or a Sequential's chain.
  std::function<std::optional<std::pair<size_t, unsigned>>(const Reach &)> signature =
      [&](const Reach &r) -> std::optional<std::pair<size_t, unsigned>> {
    if (r.instance) {
      const ModuleDecl *callee = r.instance->module;
      if (!callee)
        return std::nullopt; // already reported
      if (!callee->forward) {
        diag_.error(call.callee.range, "module '" + callee->name.name + "' has no forward to call");
        diag_.note(r.declared, "'" + r.path + "' is declared here");
        return std::nullopt;
      }
      return std::make_pair(callee->forward->args.size(), forward_result_count(*callee));
    }
    if (r.container->kind == ContainerDecl::Kind::List) {
      diag_.error(call.range(), "'self." + r.path +
                                    "' is a module list; call one of its elements: self." + r.path +
                                    "[i](...)");
      return std::nullopt;
    }
    const auto &elements = r.container->elements;
    size_t count = r.container->loop ? std::min<size_t>(1, elements.size()) : elements.size();
    for (size_t k = 0; k < count; ++k) {
      const ElementDecl &e = elements[k];
      std::string path = r.path + "[" + std::to_string(k) + "]";
      auto inner = signature(Reach{e.instance.get(), e.container.get(), path, e.range()});
      if (!inner)
        return std::nullopt;
      if (inner->first != 1 || inner->second != 1) {
        std::string what = e.instance ? e.instance->callee.name : "Sequential";
        diag_.error(call.range(), "Sequential '" + r.path +
                                      "' passes one tensor from element to element, but "
                                      "element " +
                                      llvm::Twine(k) + " (" + what + ") takes " +
                                      llvm::Twine(inner->first) + " and returns " +
                                      llvm::Twine(inner->second));
        diag_.note(e.range(), "element " + llvm::Twine(k) + " is declared here");
        return std::nullopt;
      }
    }
    return std::make_pair(size_t(1), 1u);
  };
  std::optional<std::pair<size_t, unsigned>> common;
  const ModuleDecl *single = nullptr;
  bool one_module = true;
  for (const Reach &r : reach) {
    auto sig = signature(r);
    if (!sig)
      return ExprType::Error;
    if (common && *common != *sig) {
      diag_.error(call.range(), "the elements of 'self." + name +
                                    "' take different arguments or return different numbers "
                                    "of values; choose one with a literal index");
      return ExprType::Error;
    }
    common = sig;
    const ModuleDecl *m = r.instance ? r.instance->module : nullptr;
    if (!m || (single && single != m))
      one_module = false;
    single = m;
  }
  if (!common)
    return ExprType::Error;
  if (one_module && single) {
    // Every element the index can reach is an instance of one module: its inputs are named and
    // may be left out as in a call of a plain submodule (`self.layers[i](x, mask = m)`).
    call.module = single;
    if (!check_call_inputs(call, reach.front().path, *single))
      return ExprType::Error;
    call.num_results = common->second;
    return call.num_results == 1 ? ExprType::Tensor : ExprType::Tuple;
  }
  // A Sequential, or elements of different modules: inputs by position, each of them given.
  if (!call.kwargs.empty()) {
    diag_.error(call.kwargs.front().name.range,
                "calls of a Sequential, or of list elements that are different modules, take "
                "positional arguments only");
    return ExprType::Error;
  }
  if (call.args.size() != common->first) {
    const Reach &r = reach.front();
    std::string what = r.instance ? r.instance->callee.name : "Sequential";
    diag_.error(call.range(), "'" + r.path + "' (" + what + ") takes " +
                                  llvm::Twine(common->first) + " argument" +
                                  (common->first == 1 ? "" : "s") + ", got " +
                                  llvm::Twine(call.args.size()));
    return ExprType::Error;
  }
  call.module = one_module ? single : nullptr;
  call.num_results = common->second;
  return call.num_results == 1 ? ExprType::Tensor : ExprType::Tuple;
}

//===----------------------------------------------------------------------===//
// Statements
//===----------------------------------------------------------------------===//

namespace {

/// A block of a forward: names bound inside it that did not exist before are dropped at its end
/// (Python-like scoping: a `let` of an existing name updates it).
class BlockScope {
public:
  explicit BlockScope(Scope &scope)
      : scope_(scope), entry_(scope.locals), saved_(scope.block_entry) {
    scope_.block_entry = &entry_;
  }
  ~BlockScope() {
    std::vector<std::string> added;
    for (const auto &local : scope_.locals)
      if (!entry_.count(local.first()))
        added.push_back(local.first().str());
    for (const std::string &name : added)
      scope_.locals.erase(name);
    scope_.block_entry = saved_;
  }

private:
  Scope &scope_;
  llvm::StringMap<Local> entry_;
  const llvm::StringMap<Local> *saved_;
};

} // namespace

ExprType Sema::check_block_update(const Ident &name, ExprType type, Scope &scope) {
  auto it = scope.locals.find(name.name);
  if (it == scope.locals.end())
    return type;
  if (it->second.loop_var) {
    diag_.error(name.range, "'" + name.name + "' is a loop variable; it cannot be rebound");
    return ExprType::Error;
  }
  if (!scope.block_entry || !scope.block_entry->count(name.name))
    return type;
  ExprType before = it->second.type;
  if (before == type || before == ExprType::Error || type == ExprType::Error)
    return type;
  diag_.error(name.range, "'" + name.name + "' is " + expr_type_phrase(before) +
                              " before this block; a 'let' inside the block updates it and must "
                              "keep it " +
                              expr_type_phrase(before) + ", got " + expr_type_phrase(type));
  return before;
}

bool Sema::check_block(ForwardDecl &forward, std::vector<Stmt> &body, Scope &scope) {
  bool returned = false;
  for (Stmt &stmt : body) {
    if (returned) {
      diag_.error(stmt.range, "statement after 'return' is never run");
      break;
    }
    switch (stmt.kind) {
    case Stmt::Kind::Let:
      check_let(stmt, scope);
      break;
    case Stmt::Kind::Return:
      check_return(forward, stmt, scope);
      returned = true;
      break;
    case Stmt::Kind::If:
      returned = check_if(forward, stmt, scope);
      break;
    case Stmt::Kind::For:
      check_for(forward, stmt, scope);
      break;
    }
  }
  return returned;
}

bool Sema::check_if(ForwardDecl &forward, Stmt &stmt, Scope &scope) {
  bool has_else = false;
  bool all_return = true;
  for (StmtBranch &branch : stmt.branches) {
    if (branch.condition)
      expect_compile_time(*branch.condition, scope, ExprType::Bool, "the condition of 'if'");
    else
      has_else = true;
    BlockScope block(scope);
    all_return &= check_block(forward, branch.body, scope);
  }
  return has_else && all_return;
}

void Sema::check_for(ForwardDecl &forward, Stmt &stmt, Scope &scope) {
  BlockScope block(scope);
  check_range_loop(*stmt.loop, scope);
  // The loop may run no iteration, so it never counts as returning.
  check_block(forward, stmt.body, scope);
}

} // namespace attn::dsl
