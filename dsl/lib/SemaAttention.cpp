// Attention variants: parents and extension cycles, parameters, scores, masks and normalisers.
#include "SemaImpl.h"

#include "attn/dsl/Parser.h"

#include "llvm/ADT/STLExtras.h"

#include <set>

namespace attn::dsl {

static std::vector<std::string> attention_names(const Program &program) {
  std::vector<std::string> names;
  for (const auto &file : program.files)
    for (const auto &attention : file->attentions)
      names.push_back(attention->name.name);
  return names;
}

void Sema::resolve_parent(AttentionDecl &attention) {
  if (!attention.parent)
    return;
  const Ident &parent = *attention.parent;
  if (const AttentionDecl *decl = program_.find_attention(parent.name, attention.file)) {
    attention.parent_decl = decl;
    return;
  }
  if (program_.find_module(parent.name, attention.file)) {
    diag_.error(parent.range, "'" + parent.name +
                                  "' is a module; an attention variant can "
                                  "only extend another attention variant");
    return;
  }
  undefined_name(Ident{parent.name, parent.range}, attention_names(program_));
}

void Sema::check_inheritance_cycles() {
  for (auto &file : program_.files)
    for (auto &attention : file->attentions) {
      std::string chain = attention->name.name;
      std::set<const AttentionDecl *> seen{attention.get()};
      size_t length = 0;
      for (const AttentionDecl *p = attention->parent_decl; p; p = p->parent_decl) {
        if (++length > static_cast<size_t>(kMaxNesting)) {
          if (!reported_long_chain_)
            diag_.error(attention->parent->range, "attention '" + attention->name.name +
                                                      "' extends a chain of more than " +
                                                      llvm::Twine(kMaxNesting) + " variants");
          reported_long_chain_ = true;
          attention->parent_decl = nullptr;
          break;
        }
        chain += " : " + p->name.name;
        if (p == attention.get()) {
          diag_.error(attention->parent->range,
                      "attention '" + attention->name.name + "' extends itself (" + chain + ")");
          attention->parent_decl = nullptr; // break the cycle for everything after
          break;
        }
        if (!seen.insert(p).second)
          break; // a cycle further up, reported at its own variant
      }
    }
}

void Sema::check_attention(AttentionDecl &attention) {
  unsigned errors = diag_.error_count();
  // A variant with learned parameters shares its hyperparameters with its module, which checks
  // them (once).
  if (!attention.has_params())
    check_hyperparameters(attention.hyperparameters);
  // The grammar has no way to pass arguments to the parent (`: window(4)`), so a parameterised
  // variant can only be used, not extended.
  const AttentionDecl *parent = attention.parent_decl;
  if (parent && (!parent->hyperparameters.empty() || parent->has_params()))
    diag_.error(attention.parent->range, "attention '" + attention.name.name + "' cannot extend '" +
                                             attention.parent->name +
                                             "', which takes parameters: only variants without "
                                             "parameters can be extended");
  if (attention.has_params())
    for (const Hyperparameter &h : attention.hyperparameters)
      if (is_variant_input(h.name.name))
        diag_.error(h.name.range,
                    "a variant with learned parameters is called with inputs named "
                    "query, key, value and mask, so no hyperparameter of it may be named '" +
                        h.name.name + "'");
  for (LetDecl &let : attention.lets)
    check_let(attention, let);
  if (attention.score)
    check_region(attention, *attention.score, /*is_score=*/true);
  if (attention.mask)
    check_region(attention, *attention.mask, /*is_score=*/false);
  if (attention.value)
    check_value_clause(attention, *attention.value);
  if (attention.normalize)
    check_normalize(attention, *attention.normalize);
  if (attention.has_params() && !syntax_errors_ && diag_.error_count() == errors)
    for (const ParamDecl &param : attention.module->params)
      if (!used_params_.contains(&param))
        diag_.warning(param.name.range, "parameter '" + param.name.name + "' of attention '" +
                                            attention.name.name +
                                            "' is never used in its score or value");
}

void Sema::check_normalize(AttentionDecl &attention, NormalizeDecl &normalize) {
  const std::string &kind = normalize.kind.name;
  if (kind != "softmax" && kind != "argmax" && kind != "topk") {
    diag_.error(normalize.kind.range, "unknown normaliser '" + kind + "'");
    suggest(diag_, kind, std::vector<std::string>{"softmax", "argmax", "topk"});
    diag_.note("the normalisers are softmax (the default), argmax and topk(k)");
    return;
  }
  if (kind != "topk") {
    if (normalize.count)
      diag_.error(normalize.count->range(), "'" + kind + "' takes no argument");
    return;
  }
  if (!normalize.count) {
    diag_.error(normalize.kind.range, "topk takes the number of keys to keep: topk(4)");
    return;
  }
  Scope scope;
  scope.context = Context::Constant;
  scope.hyperparameters = &attention.hyperparameters;
  ExprType type = check(*normalize.count, scope);
  if (type != ExprType::Error && type != ExprType::Int)
    diag_.error(normalize.count->range(),
                "topk's count must be an int, got " + llvm::Twine(expr_type_phrase(type)));
}

void Sema::check_region(AttentionDecl &attention, RegionDecl &region, bool is_score) {
  Scope scope;
  scope.context = is_score ? Context::Score : Context::Mask;
  scope.attention = &attention;
  scope.hyperparameters = &attention.hyperparameters;
  size_t first_index = 0;
  if (is_score) {
    if (region.params.size() < 2) {
      diag_.error(region.keyword_range, "a score takes at least the query and the key: "
                                        "score(q, k) = dot(q, k)");
      return;
    }
    scope.query = region.params[0].name;
    scope.key = region.params[1].name;
    first_index = 2;
  }
  if (!declare_indices(region, first_index, scope))
    return;
  ExprType type = check(*region.body, scope);
  if (type == ExprType::Error)
    return;
  if (is_score) {
    if (type != ExprType::Int && type != ExprType::Float)
      diag_.error(region.body->range(),
                  "a score must be a number, got " + llvm::Twine(expr_type_phrase(type)));
    else if (scope.dots == 0 && scope.one_sided_dots == 0 && !scope.dot_error)
      diag_.error(region.body->range(),
                  "a score must contain dot(...) (or super): score(q, k) = dot(q, k)");
    else if (scope.dots == 0 && !scope.dims.empty() && !scope.dot_error)
      diag_.error(scope.dims.front(), "dim(...) is the length of the vectors that a dot of the "
                                      "query and the key multiplies, and this score has none");
  } else if (type != ExprType::Bool) {
    diag_.error(region.body->range(), "a mask must be a condition (such as j <= i), got " +
                                          llvm::Twine(expr_type_phrase(type)));
  }
}

} // namespace attn::dsl

namespace attn::dsl {

bool Sema::declare_indices(const RegionDecl &region, size_t first, Scope &scope) {
  for (size_t i = first; i < region.params.size(); ++i) {
    const Ident &param = region.params[i];
    if (!llvm::is_contained(llvm::makeArrayRef(kIndexNames), param.name)) {
      diag_.error(param.range, "unknown index '" + param.name +
                                   "': the indices are b (batch), "
                                   "h (head), i (query position) and j (key position)");
      return false;
    }
    if (!scope.index_vars.try_emplace(param.name, param.range).second) {
      diag_.error(param.range, "index '" + param.name + "' is declared twice");
      return false;
    }
  }
  return true;
}

void Sema::check_value_clause(AttentionDecl &attention, RegionDecl &region) {
  if (region.params.empty()) {
    diag_.error(region.keyword_range,
                "a value clause takes at least the value's row: value(v, i, j) = v + a[j - i]");
    return;
  }
  Scope scope;
  scope.context = Context::Score; // numbers as in a score: indices, hyperparameters
  scope.attention = &attention;
  scope.hyperparameters = &attention.hyperparameters;
  scope.value = region.params[0].name;
  if (!declare_indices(region, 1, scope))
    return;
  ExprType type = check_value_expr(*region.body, scope);
  if (type != ExprType::Error && type != ExprType::Tensor)
    diag_.error(region.body->range(), "a value must be a vector: the value's row '" + scope.value +
                                          "' or an expression of it and of a "
                                          "parameter's rows (" +
                                          scope.value + " + a[j - i])");
}

ExprType Sema::check_value_expr(Expr &e, Scope &scope) {
  auto combine = [](ExprType a, ExprType b) {
    if (a == ExprType::Error || b == ExprType::Error)
      return ExprType::Error;
    if (a == ExprType::Tensor || b == ExprType::Tensor)
      return ExprType::Tensor;
    return a == ExprType::Float || b == ExprType::Float ? ExprType::Float : ExprType::Int;
  };
  switch (e.kind()) {
  case Expr::Kind::Name: {
    auto &name = llvm::cast<NameExpr>(e);
    if (name.name == scope.value) {
      name.binding = Binding::ScoreValue;
      return name.type = ExprType::Tensor;
    }
    const ModuleDecl *module = scope.attention->module;
    if (module && module->find_param(name.name) && !scope.index_vars.count(name.name)) {
      diag_.error(name.range(), "'" + name.name +
                                    "' is a tensor parameter: in a value, read a row or an "
                                    "element of it by index (" +
                                    name.name + "[j - i], " + name.name + "[h])");
      return name.type = ExprType::Error;
    }
    break;
  }
  case Expr::Kind::Index: {
    // a[r] of a matrix is a row as long as the value, a[h, r] of a rank-3 parameter too; one
    // index per axis reads a number.
    auto &index = llvm::cast<IndexExpr>(e);
    const ModuleDecl *module = scope.attention->module;
    auto *base = llvm::dyn_cast<NameExpr>(index.base.get());
    const ParamDecl *param = base && module ? module->find_param(base->name) : nullptr;
    if (!param || !param->tensor) {
      diag_.error(index.base->range(), "in a value only the variant's tensor parameters may be "
                                       "indexed: a[j - i], a row as long as the value");
      return e.type = ExprType::Error;
    }
    size_t rank = param->tensor->dims.size();
    if (index.entries.size() + 1 != rank)
      return e.type = check_param_index(index, scope, /*in_dot=*/false);
    used_params_.insert(param);
    base->binding = Binding::Param;
    base->type = ExprType::Tensor;
    if (check_table_read(index, base->name, rank - 1, scope) == ExprType::Error)
      return e.type = ExprType::Error;
    return e.type = ExprType::Tensor;
  }
  case Expr::Kind::Unary: {
    auto &unary = llvm::cast<UnaryExpr>(e);
    if (unary.op != UnaryOp::Neg)
      break;
    return e.type = check_value_expr(*unary.operand, scope);
  }
  case Expr::Kind::Binary: {
    auto &binary = llvm::cast<BinaryExpr>(e);
    ExprType l = check_value_expr(*binary.lhs, scope), r = check_value_expr(*binary.rhs, scope);
    bool arithmetic = binary.op == BinaryOp::Add || binary.op == BinaryOp::Sub ||
                      binary.op == BinaryOp::Mul || binary.op == BinaryOp::Div;
    if (!arithmetic) {
      diag_.error(binary.op_range, "only + - * / combine the rows and numbers of a value");
      return e.type = ExprType::Error;
    }
    ExprType t = combine(l, r);
    return e.type = binary.op == BinaryOp::Div && t == ExprType::Int ? ExprType::Float : t;
  }
  case Expr::Kind::Call: {
    auto &call = llvm::cast<CallExpr>(e);
    const BuiltinInfo *info = call.self_call ? nullptr : find_builtin(call.callee.name);
    bool elementwise = info && (info->id == Builtin::Exp || info->id == Builtin::Log ||
                                info->id == Builtin::Sqrt || info->id == Builtin::Tanh ||
                                info->id == Builtin::Sigmoid || info->id == Builtin::Relu ||
                                info->id == Builtin::Abs);
    if (!elementwise || call.args.size() != 1 || !call.kwargs.empty()) {
      diag_.error(call.range(), "a value is computed with + - * / and exp, log, sqrt, tanh, "
                                "sigmoid, relu and abs of one argument");
      return e.type = ExprType::Error;
    }
    call.builtin = info->id;
    ExprType x = check_value_expr(*call.args[0], scope);
    return e.type = x == ExprType::Int ? ExprType::Float : x;
  }
  case Expr::Kind::Number:
    break;
  default:
    diag_.error(e.range(), "not allowed in a value: use the value's row, the variant's "
                           "parameters, the indices, numbers, + - * / and elementwise functions");
    return e.type = ExprType::Error;
  }
  // A number: as in a score (the indices, hyperparameters, a parameter's element).
  ExprType type = check(e, scope);
  if (type != ExprType::Error && type != ExprType::Int && type != ExprType::Float) {
    diag_.error(e.range(), "expected a number or a vector in a value, got " +
                               llvm::Twine(expr_type_phrase(type)));
    return e.type = ExprType::Error;
  }
  return e.type = type;
}

const LetDecl *find_let(const AttentionDecl *variant, llvm::StringRef name) {
  for (; variant; variant = variant->parent_decl)
    for (const LetDecl &let : variant->lets)
      if (let.name.name == name)
        return &let;
  return nullptr;
}

bool reads_let(const Expr &e) {
  if (auto *name = llvm::dyn_cast<NameExpr>(&e))
    return name->binding == Binding::AttentionLet;
  if (auto *unary = llvm::dyn_cast<UnaryExpr>(&e))
    return reads_let(*unary->operand);
  if (auto *binary = llvm::dyn_cast<BinaryExpr>(&e))
    return reads_let(*binary->lhs) || reads_let(*binary->rhs);
  if (auto *call = llvm::dyn_cast<CallExpr>(&e))
    return llvm::any_of(call->args, [](const ExprPtr &a) { return reads_let(*a); });
  if (auto *c = llvm::dyn_cast<ConditionalExpr>(&e))
    return reads_let(*c->condition) || reads_let(*c->then_value) || reads_let(*c->else_value);
  return false;
}

/// Whether `e` reads a parameter by index (a let reads none).
static const Expr *find_index(const Expr &e) {
  if (llvm::isa<IndexExpr>(e))
    return &e;
  if (auto *unary = llvm::dyn_cast<UnaryExpr>(&e))
    return find_index(*unary->operand);
  if (auto *binary = llvm::dyn_cast<BinaryExpr>(&e)) {
    const Expr *found = find_index(*binary->lhs);
    return found ? found : find_index(*binary->rhs);
  }
  if (auto *call = llvm::dyn_cast<CallExpr>(&e))
    for (const ExprPtr &arg : call->args)
      if (const Expr *found = find_index(*arg))
        return found;
  return nullptr;
}

void Sema::check_let(AttentionDecl &attention, LetDecl &let) {
  if (let.params.empty() || let.params.size() > 2) {
    diag_.error(let.keyword_range, "a let takes the query's name, and the key's to count the "
                                   "keys: let p(q, k) = len(k) * sigmoid(dot(a, q))");
    return;
  }
  const std::string &name = let.name.name;
  bool hyperparameter = llvm::any_of(attention.hyperparameters,
                                     [&](const Hyperparameter &h) { return h.name.name == name; });
  if (hyperparameter || llvm::is_contained(llvm::makeArrayRef(kIndexNames), name) ||
      (attention.module && attention.module->find_param(name))) {
    diag_.error(let.name.range,
                "the let '" + name + "' takes the name of " +
                    (hyperparameter                                           ? "a hyperparameter"
                     : attention.module && attention.module->find_param(name) ? "a parameter"
                                                                              : "an index") +
                    " of attention '" + attention.name.name + "'; give it a name of its own");
    return;
  }
  Scope scope;
  scope.context = Context::Score;
  scope.attention = &attention;
  scope.hyperparameters = &attention.hyperparameters;
  scope.in_let = true;
  scope.query = let.params[0].name;
  scope.key = let.params.size() > 1 ? let.params[1].name : "";
  if (const Expr *index = find_index(*let.body)) {
    diag_.error(index->range(), "a let is a number per query row and reads no parameter by "
                                "index; read the parameter in a dot of the query (dot(a, q))");
    return;
  }
  ExprType type = check(*let.body, scope);
  if (type == ExprType::Error)
    return;
  if (type != ExprType::Int && type != ExprType::Float)
    diag_.error(let.body->range(),
                "a let is a number per query row, got " + llvm::Twine(expr_type_phrase(type)));
  else if (scope.dots > 0 || scope.key_dots > 0)
    diag_.error(let.body->range(), "a let is a number per query row: its dots read the query "
                                   "alone, such as dot(a, " +
                                       scope.query + ")");
  else if (!scope.dims.empty())
    diag_.error(scope.dims.front(), "dim(...) is the length of the vectors that a dot of the "
                                    "query and the key multiplies, which a let has not");
}

} // namespace attn::dsl
