// The data-movement built-ins (embedding, concat, select, slice, unsqueeze, arange) and postfix
// indexing `x[...]`: their arities, which take a variable number of tensors (concat) or a tensor
// or an int first (arange), and the types of their arguments. Axes and bounds are compile-time
// ints; whether they fit the shapes is checked once shapes are known (the shape rules).
#include "SemaImpl.h"

#include "llvm/ADT/STLExtras.h"

namespace attn::dsl {

/// The argument at `position`, given positionally or by its keyword; null when absent.
static Expr *argument_at(CallExpr &call, const BuiltinInfo &info, size_t position) {
  if (position < call.args.size())
    return call.args[position].get();
  for (KeywordArg &kwarg : call.kwargs)
    for (size_t k = 0; k < info.keywords.size(); ++k)
      if (kwarg.name.name == info.keywords[k] && k + 1 == position)
        return kwarg.value.get();
  return nullptr;
}

ExprType Sema::check_move_builtin(CallExpr &call, const BuiltinInfo &info, Scope &scope) {
  switch (info.id) {
  case Builtin::Embedding:
  case Builtin::Concat:
  case Builtin::Select:
  case Builtin::Slice:
  case Builtin::Unsqueeze:
  case Builtin::Arange:
    break;
  default:
    return ExprType::Unknown;
  }
  // Keywords name positions after the first argument (arange's dim and dtype, concat's dim).
  for (size_t i = 0; i < call.kwargs.size(); ++i) {
    const Ident &name = call.kwargs[i].name;
    auto it = llvm::find_if(info.keywords, [&](const char *k) { return name.name == k; });
    if (it == info.keywords.end()) {
      diag_.error(name.range,
                  "'" + llvm::Twine(info.name) + "' has no argument '" + name.name + "'");
      return ExprType::Error;
    }
    bool twice = llvm::any_of(llvm::makeArrayRef(call.kwargs).take_front(i),
                              [&](const KeywordArg &k) { return k.name.name == name.name; });
    size_t position = 1 + (it - info.keywords.begin());
    if (twice || (info.id == Builtin::Arange && position < call.args.size())) {
      diag_.error(name.range, "'" + name.name + "' is given twice");
      return ExprType::Error;
    }
  }
  size_t total = call.args.size() + call.kwargs.size();
  if (total < info.min_args || total > info.max_args) {
    diag_.error(call.range(), "wrong number of arguments for '" + llvm::Twine(info.name) +
                                  "': got " + llvm::Twine(total));
    diag_.note("usage: " + llvm::Twine(info.usage));
    return ExprType::Error;
  }
  auto what = [&](size_t i) { return "argument " + std::to_string(i + 1) + " of " + info.name; };
  bool ok = true;
  switch (info.id) {
  case Builtin::Embedding:
    ok &= expect_type(*call.args[0], scope, {ExprType::Tensor}, "the table of embedding");
    ok &= expect_type(*call.args[1], scope, {ExprType::Tensor}, "the ids of embedding");
    break;
  case Builtin::Select:
  case Builtin::Slice:
  case Builtin::Unsqueeze:
    ok &= expect_type(*call.args[0], scope, {ExprType::Tensor}, what(0));
    for (size_t i = 1; i < call.args.size(); ++i)
      ok &= expect_type(*call.args[i], scope, {ExprType::Int}, what(i));
    break;
  case Builtin::Concat: {
    // The axis is `dim=` or the last positional argument.
    size_t tensors = call.kwargs.empty() ? call.args.size() - 1 : call.args.size();
    if (tensors < 2) {
      diag_.error(call.range(), "concat needs at least two tensors and the axis");
      diag_.note("usage: " + llvm::Twine(info.usage));
      return ExprType::Error;
    }
    for (size_t i = 0; i < tensors; ++i)
      ok &= expect_type(*call.args[i], scope, {ExprType::Tensor}, what(i));
    Expr &axis = call.kwargs.empty() ? *call.args.back() : *call.kwargs.front().value;
    ok &= expect_type(axis, scope, {ExprType::Int}, "the axis of concat (its last argument)");
    break;
  }
  case Builtin::Arange: {
    ExprType first = check(*call.args[0], scope);
    if (first == ExprType::Error)
      return ExprType::Error;
    if (first != ExprType::Tensor && first != ExprType::Int) {
      diag_.error(call.args[0]->range(), "arange counts to an int or along an axis of a tensor, "
                                         "got " +
                                             llvm::Twine(expr_type_phrase(first)));
      diag_.note("usage: " + llvm::Twine(info.usage));
      return ExprType::Error;
    }
    Expr *dim = argument_at(call, info, 1), *dtype = argument_at(call, info, 2);
    if (first == ExprType::Int && dim) {
      diag_.error(dim->range(), "arange(n) counts to n; an axis is only for arange(x, dim)");
      return ExprType::Error;
    }
    if (dim)
      ok &= expect_type(*dim, scope, {ExprType::Int}, "the axis of arange");
    if (dtype)
      ok &= expect_type(*dtype, scope, {ExprType::String},
                        "the dtype of arange (\"i64\" or "
                        "\"f32\")");
    break;
  }
  default:
    break;
  }
  return ok ? ExprType::Tensor : ExprType::Error;
}

ExprType Sema::check_index(IndexExpr &index, Scope &scope) {
  if (scope.context == Context::Score)
    return check_param_index(index, scope, /*in_dot=*/false);
  if (scope.context != Context::Forward) {
    diag_.error(index.range(), "indexing is for tensors in a forward");
    return ExprType::Error;
  }
  bool ok = expect_type(*index.base, scope, {ExprType::Tensor}, "an indexed value");
  int ellipses = 0;
  for (IndexEntry &entry : index.entries) {
    if (entry.kind == IndexEntry::Kind::Ellipsis && ++ellipses > 1) {
      diag_.error(entry.range, "an index may contain '...' only once");
      return ExprType::Error;
    }
    for (Expr *bound : {entry.start.get(), entry.end.get()})
      if (bound)
        ok &= expect_type(*bound, scope, {ExprType::Int},
                          entry.kind == IndexEntry::Kind::Index ? "an index" : "a slice bound");
  }
  return ok ? ExprType::Tensor : ExprType::Error;
}

} // namespace attn::dsl
