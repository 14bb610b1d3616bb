// Calls of built-ins: arity, keyword arguments, where each may be used, argument types, and
// the score forms dot(q, k) and dim(q).
#include "SemaImpl.h"

#include "llvm/ADT/STLExtras.h"

namespace attn::dsl {

static const char *context_name(Context context) {
  switch (context) {
  case Context::Constant:
    return "a hyperparameter expression";
  case Context::Dim:
    return "a dimension";
  case Context::Forward:
    return "a forward";
  case Context::Score:
    return "an attention score";
  case Context::Mask:
    return "an attention mask";
  }
  return "here";
}

static bool allowed_in(const BuiltinInfo &info, Context context) {
  switch (context) {
  case Context::Forward:
    return info.contexts & InForward;
  case Context::Score:
    return info.contexts & InScore;
  case Context::Mask:
    return (info.contexts & InScore) && info.id != Builtin::Dot && info.id != Builtin::Dim &&
           info.id != Builtin::Len;
  case Context::Constant:
  case Context::Dim:
    return info.contexts & InConstant;
  }
  return false;
}

/// The argument at `position`, given positionally or by its keyword; null when absent.
static Expr *argument_at(CallExpr &call, const BuiltinInfo &info, size_t position) {
  if (position < call.args.size())
    return call.args[position].get();
  for (KeywordArg &kwarg : call.kwargs)
    for (size_t k = 0; k < info.keywords.size(); ++k)
      if (kwarg.name.name == info.keywords[k] && info.min_args + k == position)
        return kwarg.value.get();
  return nullptr;
}

ExprType Sema::check_builtin(CallExpr &call, const BuiltinInfo &info, Scope &scope) {
  call.builtin = info.id;
  if (!allowed_in(info, scope.context)) {
    diag_.error(call.callee.range, "'" + llvm::Twine(info.name) + "' cannot be used in " +
                                       context_name(scope.context));
    return ExprType::Error;
  }
  if (call.variant && info.id != Builtin::Attend) {
    diag_.error(call.variant->range, "only attend takes an attention variant");
    return ExprType::Error;
  }
  if (ExprType moved = check_move_builtin(call, info, scope); moved != ExprType::Unknown)
    return moved;
  // Arity: positional arguments, then keywords standing for the optional positions.
  size_t total = call.args.size() + call.kwargs.size();
  for (const KeywordArg &kwarg : call.kwargs) {
    auto it = llvm::find_if(info.keywords, [&](const char *k) { return kwarg.name.name == k; });
    if (it == info.keywords.end()) {
      diag_.error(kwarg.name.range,
                  "'" + llvm::Twine(info.name) + "' has no argument '" + kwarg.name.name + "'");
      // max and min are elementwise here; PyTorch's torch.max(x, dim) is amax.
      if ((info.id == Builtin::Max || info.id == Builtin::Min) && kwarg.name.name == "dim")
        diag_.note("along an axis, use a" + llvm::Twine(info.name) + "(x, dim=...)");
      if (info.id == Builtin::Conv2d &&
          (kwarg.name.name == "groups" || kwarg.name.name == "dilation"))
        diag_.note("grouped and dilated convolutions are not supported");
      return ExprType::Error;
    }
    size_t position = info.min_args + (it - info.keywords.begin());
    if (position < call.args.size()) {
      diag_.error(kwarg.name.range, "'" + kwarg.name.name + "' is given twice");
      return ExprType::Error;
    }
  }
  if (total < info.min_args || total > info.max_args ||
      (info.id == Builtin::Transpose && total == 2)) {
    diag_.error(call.range(), "wrong number of arguments for '" + llvm::Twine(info.name) +
                                  "': got " + llvm::Twine(total));
    diag_.note("usage: " + llvm::Twine(info.usage));
    return ExprType::Error;
  }
  if (info.id == Builtin::Dot || info.id == Builtin::Dim || info.id == Builtin::Len)
    return check_score_builtin(call, scope);
  if (ExprType conv = check_conv_builtin(call, info, scope); conv != ExprType::Unknown)
    return conv;

  auto arg = [&](size_t i) -> Expr & {
    if (i < call.args.size())
      return *call.args[i];
    return *call.kwargs[i - call.args.size()].value;
  };
  auto what = [&](size_t i) { return "argument " + std::to_string(i + 1) + " of " + info.name; };
  bool ok = true;
  switch (info.id) {
  case Builtin::Matmul:
    ok &= expect_type(arg(0), scope, {ExprType::Tensor}, what(0));
    ok &= expect_type(arg(1), scope, {ExprType::Tensor}, what(1));
    return ok ? ExprType::Tensor : ExprType::Error;
  case Builtin::Transpose:
  case Builtin::SplitHeads:
  case Builtin::Softmax:
  case Builtin::LogSoftmax:
  case Builtin::MergeHeads:
    ok &= expect_type(arg(0), scope, {ExprType::Tensor}, what(0));
    for (size_t i = 1; i < total; ++i)
      ok &= expect_type(arg(i), scope, {ExprType::Int}, what(i));
    return ok ? ExprType::Tensor : ExprType::Error;
  case Builtin::Sum:
  case Builtin::Mean:
  case Builtin::Amax:
  case Builtin::Amin: {
    ok &= expect_type(arg(0), scope, {ExprType::Tensor}, what(0));
    Expr *dim = argument_at(call, info, 1), *keepdim = argument_at(call, info, 2);
    if (!dim) {
      // PyTorch would reduce over every axis; here the axis is always named.
      diag_.error(call.range(), "'" + llvm::Twine(info.name) + "' needs the axis to reduce");
      diag_.note("usage: " + llvm::Twine(info.usage));
      return ExprType::Error;
    }
    ok &= expect_type(*dim, scope, {ExprType::Int}, "dim of " + llvm::Twine(info.name));
    if (keepdim)
      ok &= expect_type(*keepdim, scope, {ExprType::Bool}, "keepdim of " + llvm::Twine(info.name));
    return ok ? ExprType::Tensor : ExprType::Error;
  }
  case Builtin::Gelu:
  case Builtin::Square:
  case Builtin::Rsqrt:
  case Builtin::Elu:
  case Builtin::LeakyRelu:
  case Builtin::Pow:
    // In a score, leaky_relu is a number's (below).
    if (info.id == Builtin::LeakyRelu && scope.context != Context::Forward)
      break;
    // Tensors only (no compile-time form); the optional second argument is a constant.
    ok &= expect_type(arg(0), scope, {ExprType::Tensor}, what(0));
    if (total > 1)
      ok &= expect_type(arg(1), scope, {ExprType::Int, ExprType::Float}, what(1));
    return ok ? ExprType::Tensor : ExprType::Error;
  case Builtin::Where:
    ok &= expect_type(arg(0), scope, {ExprType::Tensor}, what(0));
    for (size_t i = 1; i < 3; ++i)
      ok &= expect_type(arg(i), scope, {ExprType::Tensor, ExprType::Int, ExprType::Float}, what(i));
    return ok ? ExprType::Tensor : ExprType::Error;
  case Builtin::Dtype:
    // A name, so that reading the type builds nothing (dtype(attn_mask) == "bool").
    if (!llvm::isa<NameExpr>(arg(0))) {
      diag_.error(arg(0).range(), "dtype takes the name of a tensor: dtype(mask)");
      return ExprType::Error;
    }
    return expect_type(arg(0), scope, {ExprType::Tensor}, what(0)) ? ExprType::String
                                                                   : ExprType::Error;
  case Builtin::Reshape: {
    ok &= expect_type(arg(0), scope, {ExprType::Tensor}, what(0));
    auto *list = llvm::dyn_cast<ListExpr>(&arg(1));
    if (!list) {
      diag_.error(arg(1).range(), "the shape of reshape is a list of ints: reshape(x, [4, -1])");
      return ExprType::Error;
    }
    for (ExprPtr &element : list->elements)
      ok &= expect_type(*element, scope, {ExprType::Int}, "a size in the shape of reshape");
    return ok ? ExprType::Tensor : ExprType::Error;
  }
  case Builtin::Attend: {
    for (size_t i = 0; i < 3; ++i)
      ok &= expect_type(arg(i), scope, {ExprType::Tensor}, what(i));
    if (total > 3)
      ok &= expect_type(arg(3), scope, {ExprType::Tensor}, "the mask of attend");
    const Ident &variant = *call.variant;
    const SourceFile *file = scope.module ? scope.module->file : nullptr;
    const AttentionDecl *decl = program_.find_attention(variant.name, file);
    if (!decl) {
      if (program_.find_module(variant.name, file)) {
        diag_.error(variant.range, "'" + variant.name + "' is a module, not an attention variant");
      } else {
        std::vector<std::string> names;
        for (const auto &file : program_.files)
          for (const auto &a : file->attentions)
            names.push_back(a->name.name);
        diag_.error(variant.range, "unknown attention variant '" + variant.name + "'");
        suggest(diag_, variant.name, names);
        if (names.empty())
          diag_.note("the standard variants come with: import \"attention\"");
      }
      return ExprType::Error;
    }
    call.variant_decl = decl;
    if (decl->has_params() && scope.module != decl->module) {
      diag_.error(variant.range, "attention '" + variant.name +
                                     "' has learned parameters, so attend cannot make it: "
                                     "declare it as a member, param a = " +
                                     variant.name + "(...), and call self.a(q, k, v)");
      return ExprType::Error;
    }
    const std::vector<Hyperparameter> &params = decl->hyperparameters;
    size_t required = 0;
    for (const Hyperparameter &h : params)
      required += h.default_value ? 0 : 1;
    size_t given = call.variant_args.size();
    if (given < required || given > params.size()) {
      std::string count = std::to_string(params.size());
      if (required < params.size())
        count = std::to_string(required) + " to " + count;
      diag_.error(variant.range, "attention '" + variant.name + "' takes " + count +
                                     " argument(s), got " + llvm::Twine(given));
      return ExprType::Error;
    }
    for (size_t a = 0; a < given; ++a) {
      Expr &value = *call.variant_args[a];
      if (!expect_type(value, scope, {ExprType::Int, ExprType::Float, ExprType::Bool},
                       "an attention variant argument")) {
        ok = false;
        continue;
      }
      const Hyperparameter &h = params[a];
      if (!accepts(h.type, value.type)) {
        diag_.error(value.range(), "argument '" + h.name.name + "' of attention '" + variant.name +
                                       "' must be " + (h.type == ScalarType::Int ? "an " : "a ") +
                                       scalar_type_name(h.type) + ", got " +
                                       expr_type_phrase(value.type));
        ok = false;
      }
    }
    return ok ? ExprType::Tensor : ExprType::Error;
  }
  default:
    break;
  }

  // Elementwise math: tensors in a forward, scalars anywhere.
  std::vector<ExprType> types;
  for (size_t i = 0; i < total; ++i) {
    ExprType t = check(arg(i), scope);
    if (t == ExprType::Error)
      return ExprType::Error;
    if (t != ExprType::Tensor && t != ExprType::Int && t != ExprType::Float) {
      diag_.error(arg(i).range(),
                  what(i) + " must be a number or a tensor, got " + expr_type_phrase(t));
      return ExprType::Error;
    }
    types.push_back(t);
  }
  if (llvm::is_contained(types, ExprType::Tensor))
    return ExprType::Tensor;
  bool all_int = llvm::all_of(types, [](ExprType t) { return t == ExprType::Int; });
  bool keeps_int = info.id == Builtin::Max || info.id == Builtin::Min || info.id == Builtin::Abs ||
                   info.id == Builtin::Relu;
  ExprType result = all_int && keeps_int ? ExprType::Int : ExprType::Float;
  if (scope.context == Context::Mask && result != ExprType::Int &&
      !llvm::any_of(call.args, [](const ExprPtr &a) { return reads_let(*a); })) {
    diag_.error(call.range(), "masks compute on integer positions; '" + llvm::Twine(info.name) +
                                  "' gives a float");
    return ExprType::Error;
  }
  return result;
}

ExprType Sema::check_score_builtin(CallExpr &call, Scope &scope) {
  auto name_of = [](const ExprPtr &e) -> const NameExpr * {
    return llvm::dyn_cast<NameExpr>(e.get());
  };
  if (call.builtin == Builtin::Dim) {
    const NameExpr *arg = name_of(call.args[0]);
    if (!arg || (arg->name != scope.query && arg->name != scope.key)) {
      diag_.error(call.args[0]->range(),
                  "dim takes the query or the key: dim(" + scope.query + ")");
      return ExprType::Error;
    }
    auto *name = llvm::cast<NameExpr>(call.args[0].get());
    name->binding = arg->name == scope.query ? Binding::ScoreQuery : Binding::ScoreKey;
    name->type = ExprType::Tensor;
    scope.dims.push_back(call.range());
    return ExprType::Float;
  }
  if (call.builtin == Builtin::Len) {
    const NameExpr *arg = name_of(call.args[0]);
    if (!scope.in_let) {
      diag_.error(call.range(), "len(k), the number of keys, is computed in a let: let n(q, k) = "
                                "len(k)");
      return ExprType::Error;
    }
    if (!arg || scope.key.empty() || arg->name != scope.key) {
      diag_.error(call.args[0]->range(), "len takes the key, the let's second parameter: len(" +
                                             llvm::Twine(scope.key.empty() ? "k" : scope.key) +
                                             ")");
      return ExprType::Error;
    }
    auto *name = llvm::cast<NameExpr>(call.args[0].get());
    name->binding = Binding::ScoreKey;
    name->type = ExprType::Tensor;
    return ExprType::Float;
  }
  return check_dot(call, scope);
}

} // namespace attn::dsl
