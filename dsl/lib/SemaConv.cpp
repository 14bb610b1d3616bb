// The convolution-network built-ins (conv2d, max_pool2d, flatten): the types of their arguments
// once check_builtin has checked their number and keywords. A window's size, stride and padding
// are compile-time ints, or lists of two (rows, columns); whether they fit the image is checked
// once shapes are known (the shape rules).
#include "SemaImpl.h"

namespace attn::dsl {

namespace {

/// The argument at `position`, given positionally or by its keyword; null when absent.
Expr *argument_at(CallExpr &call, const BuiltinInfo &info, size_t position) {
  if (position < call.args.size())
    return call.args[position].get();
  for (KeywordArg &kwarg : call.kwargs)
    for (size_t k = 0; k < info.keywords.size(); ++k)
      if (kwarg.name.name == info.keywords[k] && info.min_args + k == position)
        return kwarg.value.get();
  return nullptr;
}

} // namespace

ExprType Sema::check_conv_builtin(CallExpr &call, const BuiltinInfo &info, Scope &scope) {
  // The names of the arguments, by position; the windows' are ints or [rows, columns].
  std::vector<const char *> names;
  size_t tensors = 1, windows_from = 1;
  switch (info.id) {
  case Builtin::Conv2d:
    names = {"the input", "the weight", "the bias", "the stride", "the padding"};
    tensors = 3;
    windows_from = 3;
    break;
  case Builtin::MaxPool2d:
    names = {"the input", "the kernel size", "the stride", "the padding"};
    break;
  case Builtin::Flatten:
    names = {"the input", "start_dim", "end_dim"};
    windows_from = names.size();
    break;
  default:
    return ExprType::Unknown;
  }
  bool ok = true;
  for (size_t i = 0; i < names.size(); ++i) {
    Expr *arg = argument_at(call, info, i);
    if (!arg)
      continue;
    std::string what = std::string(names[i]) + " of " + info.name;
    if (i < tensors) {
      ok &= expect_type(*arg, scope, {ExprType::Tensor}, what);
      continue;
    }
    auto *list = llvm::dyn_cast<ListExpr>(arg);
    if (!list || i < windows_from) {
      ok &= expect_type(*arg, scope, {ExprType::Int}, what);
      continue;
    }
    if (list->elements.size() != 2) {
      diag_.error(arg->range(), what + " is an int or a list of two ints [rows, columns], got " +
                                    std::to_string(list->elements.size()) + " entries");
      ok = false;
      continue;
    }
    for (ExprPtr &element : list->elements)
      ok &= expect_type(*element, scope, {ExprType::Int}, what);
  }
  return ok ? ExprType::Tensor : ExprType::Error;
}

} // namespace attn::dsl
