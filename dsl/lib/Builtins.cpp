#include "attn/dsl/Builtins.h"

#include <cassert>

namespace attn::dsl {

static const std::vector<BuiltinInfo> &table() {
  constexpr unsigned kMath = InForward | InConstant | InScore;
  static const std::vector<BuiltinInfo> infos = {
      {Builtin::Matmul, "matmul", 2, 2, {}, InForward, "matmul(a, b)"},
      {Builtin::Transpose, "transpose", 1, 3, {}, InForward, "transpose(x) or transpose(x, 0, 1)"},
      {Builtin::Reshape, "reshape", 2, 2, {}, InForward, "reshape(x, [4, -1])"},
      {Builtin::SplitHeads, "split_heads", 2, 2, {}, InForward, "split_heads(x, num_heads)"},
      {Builtin::MergeHeads, "merge_heads", 1, 1, {}, InForward, "merge_heads(x)"},
      {Builtin::Softmax, "softmax", 1, 2, {"dim"}, InForward, "softmax(x, dim=-1)"},
      {Builtin::Attend, "attend", 3, 3, {}, InForward, "attend<scaled_dot>(q, k, v)"},
      {Builtin::Exp, "exp", 1, 1, {}, kMath, "exp(x)"},
      {Builtin::Log, "log", 1, 1, {}, kMath, "log(x)"},
      {Builtin::Sqrt, "sqrt", 1, 1, {}, kMath, "sqrt(x)"},
      {Builtin::Tanh, "tanh", 1, 1, {}, kMath, "tanh(x)"},
      {Builtin::Sigmoid, "sigmoid", 1, 1, {}, kMath, "sigmoid(x)"},
      {Builtin::Relu, "relu", 1, 1, {}, kMath, "relu(x)"},
      {Builtin::Abs, "abs", 1, 1, {}, InConstant | InScore, "abs(x)"},
      {Builtin::Max, "max", 2, 2, {}, kMath, "max(x, 0)"},
      {Builtin::Min, "min", 2, 2, {}, kMath, "min(x, 1)"},
      {Builtin::Dot, "dot", 2, 2, {}, InScore, "dot(q, k)"},
      {Builtin::Dim, "dim", 1, 1, {}, InScore, "dim(q)"},
  };
  return infos;
}

const BuiltinInfo *find_builtin(llvm::StringRef name) {
  for (const BuiltinInfo &info : table())
    if (name == info.name)
      return &info;
  return nullptr;
}

const BuiltinInfo &builtin_info(Builtin id) {
  for (const BuiltinInfo &info : table())
    if (info.id == id)
      return info;
  assert(false && "not a built-in");
  return table().front();
}

std::vector<std::string> builtin_names(unsigned context) {
  std::vector<std::string> names;
  for (const BuiltinInfo &info : table())
    if (info.contexts & context)
      names.push_back(info.name);
  return names;
}

} // namespace attn::dsl
