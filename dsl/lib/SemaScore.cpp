// The arguments of dot(...) in an attention score: vector expressions of the query, the key and
// the variant's learned parameters (`dot(q, k)`, `dot(q, matmul(W, k))`,
// `dot(v, tanh(matmul(W, q) + matmul(U, k)))`).
#include "SemaImpl.h"

#include "llvm/ADT/STLExtras.h"

namespace attn::dsl {

namespace {

/// The shape class of an expression inside dot(...).
enum class Feature { Error, Scalar, Vector, Matrix };

/// Which of the query and the key an expression reads.
enum Side : unsigned { kQuery = 1, kKey = 2 };

bool is_elementwise(Builtin id) {
  switch (id) {
  case Builtin::Tanh:
  case Builtin::Sigmoid:
  case Builtin::Relu:
  case Builtin::Exp:
  case Builtin::Log:
  case Builtin::Sqrt:
  case Builtin::Abs:
    return true;
  default:
    return false;
  }
}

} // namespace

bool is_key_position_row(const IndexExpr &index) {
  if (index.entries.size() != 1 || index.entries[0].kind != IndexEntry::Kind::Index)
    return false;
  auto *name = llvm::dyn_cast<NameExpr>(index.entries[0].start.get());
  return name && name->name == kIndexNames[3];
}

const IndexExpr *relative_row_term(const Expr &arg, const Expr *&rest) {
  auto relative = [](const Expr &e) {
    auto *index = llvm::dyn_cast<IndexExpr>(&e);
    return index && !is_key_position_row(*index) ? index : nullptr;
  };
  rest = nullptr;
  if (const IndexExpr *row = relative(arg))
    return row;
  auto *sum = llvm::dyn_cast<BinaryExpr>(&arg);
  if (!sum || sum->op != BinaryOp::Add)
    return nullptr;
  if (const IndexExpr *row = relative(*sum->rhs)) {
    rest = sum->lhs.get();
    return row;
  }
  if (const IndexExpr *row = relative(*sum->lhs)) {
    rest = sum->rhs.get();
    return row;
  }
  return nullptr;
}

/// Checks `e`, an argument of dot or a part of one; `sides` collects what it reads.
static Feature check_feature(Expr &e, Scope &scope, unsigned &sides, DiagnosticEngine &diag,
                             const std::function<ExprType(Expr &)> &scalar,
                             llvm::DenseSet<const ParamDecl *> &used) {
  auto recurse = [&](Expr &sub) { return check_feature(sub, scope, sides, diag, scalar, used); };
  if (e.kind() == Expr::Kind::Index) { // W[j] or W[j - i], Sema::check_param_index
    if (scalar(e) == ExprType::Error)
      return Feature::Error;
    if (is_key_position_row(llvm::cast<IndexExpr>(e)))
      sides |= kKey; // a row per key; a row at another index is a relative term (check_dot)
    return Feature::Vector;
  }
  auto fail = [&](const llvm::Twine &message) {
    diag.error(e.range(), message);
    return Feature::Error;
  };
  switch (e.kind()) {
  case Expr::Kind::Number:
    e.type = llvm::cast<NumberExpr>(e).is_int ? ExprType::Int : ExprType::Float;
    return Feature::Scalar;
  case Expr::Kind::Name: {
    auto &name = llvm::cast<NameExpr>(e);
    if (name.name == scope.query || name.name == scope.key) {
      bool query = name.name == scope.query;
      name.binding = query ? Binding::ScoreQuery : Binding::ScoreKey;
      name.type = ExprType::Tensor;
      sides |= query ? kQuery : kKey;
      return Feature::Vector;
    }
    const ModuleDecl *module = scope.attention ? scope.attention->module : nullptr;
    if (const ParamDecl *param = module ? module->find_param(name.name) : nullptr) {
      used.insert(param);
      name.binding = Binding::Param;
      name.type = ExprType::Tensor;
      size_t rank = param->tensor ? param->tensor->dims.size() : 0;
      if (rank == 1)
        return Feature::Vector;
      if (rank == 2)
        return Feature::Matrix;
      return fail("parameter '" + name.name + "' has rank " + llvm::Twine(rank) +
                  ": inside dot(...) a parameter is a vector or a matrix");
    }
    if (scope.index_vars.count(name.name))
      return fail("the index '" + name.name +
                  "' cannot be used inside dot(...); use it outside, on the score");
    ExprType type = scalar(e);
    if (type == ExprType::Error)
      return Feature::Error;
    if (name.binding == Binding::AttentionLet)
      return fail("the let '" + name.name + "' is a number per query row: use it outside dot(...)");
    if (type != ExprType::Int && type != ExprType::Float)
      return fail("expected a number, got " + llvm::Twine(expr_type_phrase(type)));
    return Feature::Scalar;
  }
  case Expr::Kind::Unary: {
    auto &unary = llvm::cast<UnaryExpr>(e);
    if (unary.op != UnaryOp::Neg)
      return fail("'not' is not a vector operation");
    Feature f = recurse(*unary.operand);
    if (f == Feature::Matrix)
      return fail("a matrix may only be an argument of matmul");
    e.type = unary.operand->type;
    return f;
  }
  case Expr::Kind::Binary: {
    auto &binary = llvm::cast<BinaryExpr>(e);
    Feature l = recurse(*binary.lhs), r = recurse(*binary.rhs);
    if (l == Feature::Error || r == Feature::Error)
      return Feature::Error;
    switch (binary.op) {
    case BinaryOp::Add:
    case BinaryOp::Sub:
    case BinaryOp::Mul:
    case BinaryOp::Div:
      break;
    default:
      diag.error(binary.op_range, "only + - * / combine the vectors inside dot(...)");
      return Feature::Error;
    }
    if (l == Feature::Matrix || r == Feature::Matrix)
      return fail("a matrix may only be an argument of matmul: matmul(W, k)");
    if (l == Feature::Scalar && r == Feature::Scalar) {
      e.type = binary.lhs->type == ExprType::Float || binary.rhs->type == ExprType::Float ||
                       binary.op == BinaryOp::Div
                   ? ExprType::Float
                   : ExprType::Int;
      return Feature::Scalar;
    }
    e.type = ExprType::Tensor;
    return Feature::Vector;
  }
  case Expr::Kind::Call: {
    auto &call = llvm::cast<CallExpr>(e);
    const BuiltinInfo *info = call.self_call ? nullptr : find_builtin(call.callee.name);
    if (!info || (info->id != Builtin::Matmul && !is_elementwise(info->id)))
      return fail("inside dot(...) only matmul, + - * / and tanh, sigmoid, relu, exp, log, sqrt "
                  "and abs combine the query, the key and parameters");
    size_t want = info->id == Builtin::Matmul ? 2 : 1;
    if (call.args.size() != want || !call.kwargs.empty())
      return fail("'" + call.callee.name + "' takes " + llvm::Twine(want) + " argument" +
                  (want == 1 ? "" : "s") + " here");
    call.builtin = info->id;
    std::vector<Feature> args;
    for (ExprPtr &arg : call.args)
      args.push_back(recurse(*arg));
    if (llvm::is_contained(args, Feature::Error))
      return Feature::Error;
    e.type = ExprType::Tensor;
    if (info->id == Builtin::Matmul) {
      bool matrix_vector = args[0] == Feature::Matrix && args[1] == Feature::Vector;
      bool vector_matrix = args[0] == Feature::Vector && args[1] == Feature::Matrix;
      if (!matrix_vector && !vector_matrix)
        return fail("matmul inside dot(...) multiplies a matrix parameter and a vector: "
                    "matmul(W, k) or matmul(k, W)");
      return Feature::Vector;
    }
    if (args[0] == Feature::Matrix)
      return fail("a matrix may only be an argument of matmul");
    e.type = call.args[0]->type;
    return args[0];
  }
  default:
    return fail("not allowed inside dot(...): use the query, the key, the variant's "
                "parameters, numbers, matmul, + - * / and elementwise functions");
  }
}

/// Whether `e` holds a parameter's row at an index other than the key position.
static bool has_relative_row(const Expr &e) {
  if (auto *index = llvm::dyn_cast<IndexExpr>(&e))
    return !is_key_position_row(*index);
  if (auto *unary = llvm::dyn_cast<UnaryExpr>(&e))
    return has_relative_row(*unary->operand);
  if (auto *binary = llvm::dyn_cast<BinaryExpr>(&e))
    return has_relative_row(*binary->lhs) || has_relative_row(*binary->rhs);
  if (auto *call = llvm::dyn_cast<CallExpr>(&e))
    return llvm::any_of(call->args, [](const ExprPtr &a) { return has_relative_row(*a); });
  return false;
}

ExprType Sema::check_dot(CallExpr &call, Scope &scope) {
  unsigned sides = 0, arg_sides[2] = {0, 0};
  bool ok = true;
  auto scalar = [&](Expr &e) {
    if (auto *index = llvm::dyn_cast<IndexExpr>(&e))
      return e.type = check_param_index(*index, scope, /*in_dot=*/true);
    return check(e, scope);
  };
  for (size_t a = 0; a < call.args.size(); ++a) {
    Expr &arg = *call.args[a];
    Feature f = check_feature(arg, scope, arg_sides[a], diag_, scalar, used_params_);
    sides |= arg_sides[a];
    if (f == Feature::Error) {
      ok = false;
    } else if (f != Feature::Vector) {
      diag_.error(arg.range(), "an argument of dot must be a vector (the query, the key, or "
                               "a vector computed from them), got a " +
                                   llvm::Twine(f == Feature::Scalar ? "number" : "matrix"));
      ok = false;
    }
  }
  // A row at another index than j (Shaw's relative positions, dot(q, k + a[j - i])) is one
  // term of the key's argument, or that whole argument, against the query alone.
  for (size_t a = 0; ok && a < call.args.size(); ++a) {
    const Expr *rest = nullptr;
    const IndexExpr *row = relative_row_term(*call.args[a], rest);
    const Expr &other = *call.args[1 - a];
    if (!row) {
      if (has_relative_row(*call.args[a])) {
        diag_.error(call.args[a]->range(),
                    "inside dot(...) a parameter's row at another index than the key position "
                    "is added to the key, or is the whole argument, against the query: dot(" +
                        scope.query + ", " + scope.key + " + a[j - i])");
        ok = false;
      }
      continue;
    }
    if ((rest && (has_relative_row(*rest) || arg_sides[a] != kKey)) || arg_sides[1 - a] != kQuery ||
        has_relative_row(other)) {
      diag_.error(call.range(), "a parameter's row at another index than the key position is "
                                "multiplied with the query alone, and added to the key or to "
                                "nothing: dot(" +
                                    scope.query + ", " + scope.key + " + a[j - i]) or dot(" +
                                    scope.query + ", a[j - i])");
      ok = false;
    }
  }
  if (!ok) {
    scope.dot_error = true;
    return ExprType::Error;
  }
  if (sides == 0) {
    diag_.error(call.range(), "dot(...) must read the query '" + scope.query + "' or the key '" +
                                  scope.key + "' (or a parameter's row at the key position, W[j])");
    scope.dot_error = true;
    return ExprType::Error;
  }
  // A dot of one side (dot(a, q)) is a number per query or per key row.
  if (sides != (kQuery | kKey)) {
    ++scope.one_sided_dots;
    scope.key_dots += sides == kKey;
    return ExprType::Float;
  }
  if (++scope.dots > 1) {
    diag_.error(call.range(), "a score may contain one dot(...) that reads both the query and "
                              "the key (counting super); dots of one side, such as dot(a, " +
                                  scope.query + "), may be added");
    scope.dot_error = true;
    return ExprType::Error;
  }
  return ExprType::Float;
}

ExprType Sema::check_param_index(IndexExpr &index, Scope &scope, bool in_dot) {
  const ModuleDecl *module = scope.attention ? scope.attention->module : nullptr;
  auto *base = llvm::dyn_cast<NameExpr>(index.base.get());
  const ParamDecl *param = base && module ? module->find_param(base->name) : nullptr;
  if (!param || !param->tensor) {
    diag_.error(index.base->range(), "in a score only the variant's tensor parameters may be "
                                     "indexed: W[j] inside dot(...), bias[h, j - i] outside");
    return ExprType::Error;
  }
  used_params_.insert(param);
  base->binding = Binding::Param;
  base->type = ExprType::Tensor;
  size_t rank = param->tensor->dims.size();
  if (!in_dot)
    return check_table_read(index, base->name, rank, scope);
  const llvm::StringRef key_position = kIndexNames[3];
  if (index.entries.size() != 1 || index.entries[0].kind != IndexEntry::Kind::Index) {
    diag_.error(index.entries.empty() ? index.range() : index.entries[0].range,
                "inside dot(...) a parameter's row is taken at one int index: " + base->name + "[" +
                    key_position + "], or " + base->name + "[j - i] added to the key");
    return ExprType::Error;
  }
  if (!is_key_position_row(index)) {
    // A row at an index computed from the indices (a relative position).
    if (rank != 2) {
      diag_.error(index.range(), "inside dot(...) a parameter indexed once is a matrix, whose "
                                 "row is a vector; '" +
                                     base->name + "' has rank " + std::to_string(rank));
      return ExprType::Error;
    }
    return check_table_read(index, base->name, 1, scope) == ExprType::Error ? ExprType::Error
                                                                            : ExprType::Tensor;
  }
  auto *position = llvm::cast<NameExpr>(index.entries[0].start.get());
  if (!scope.index_vars.count(key_position)) {
    diag_.error(position->range(), "declare the key position to index by it: score(" + scope.query +
                                       ", " + scope.key + ", " + key_position + ")");
    return ExprType::Error;
  }
  position->binding = Binding::IndexVar;
  position->type = ExprType::Int;
  if (rank != 2) {
    diag_.error(index.range(), "inside dot(...) a parameter indexed by the key position is a "
                               "matrix, whose row " +
                                   base->name + "[j] is a vector; '" + base->name + "' has rank " +
                                   std::to_string(rank));
    return ExprType::Error;
  }
  return ExprType::Tensor;
}

ExprType Sema::check_table_read(IndexExpr &index, const std::string &name, size_t rank,
                                Scope &scope) {
  if (index.entries.size() != rank) {
    diag_.error(index.range(), "'" + name + "' has rank " + std::to_string(rank) +
                                   ": outside dot(...) it takes one index per axis, each an "
                                   "int expression of the indices (bias[h, j - i]), and gives "
                                   "a number");
    return ExprType::Error;
  }
  bool ok = true;
  for (IndexEntry &entry : index.entries) {
    if (entry.kind != IndexEntry::Kind::Index) {
      diag_.error(entry.range, "a parameter in a score is read one element at a time: an "
                               "index, not a slice or '...'");
      ok = false;
      continue;
    }
    ExprType type = check(*entry.start, scope);
    if (type != ExprType::Error && type != ExprType::Int) {
      diag_.error(entry.start->range(),
                  "an index of '" + name +
                      "' is an int expression of the indices and the variant's int "
                      "parameters, got " +
                      expr_type_phrase(type));
      ok = false;
    }
    ok &= type == ExprType::Int;
  }
  return ok ? ExprType::Float : ExprType::Error;
}

} // namespace attn::dsl
