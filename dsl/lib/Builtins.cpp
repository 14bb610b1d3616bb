#include "attn/dsl/Builtins.h"

#include <cassert>

namespace attn::dsl {

static const std::vector<BuiltinInfo> &table() {
  constexpr unsigned kMath = InForward | InConstant | InScore;
  constexpr unsigned kVariadic = ~0u; // concat takes any number of tensors
  static const std::vector<BuiltinInfo> infos = {
      {Builtin::Matmul, "matmul", 2, 2, {}, InForward, "matmul(a, b)"},
      {Builtin::Transpose, "transpose", 1, 3, {}, InForward, "transpose(x) or transpose(x, 0, 1)"},
      {Builtin::Reshape, "reshape", 2, 2, {}, InForward, "reshape(x, [4, -1])"},
      {Builtin::SplitHeads, "split_heads", 2, 2, {}, InForward, "split_heads(x, num_heads)"},
      {Builtin::MergeHeads, "merge_heads", 1, 1, {}, InForward, "merge_heads(x)"},
      {Builtin::Softmax, "softmax", 1, 2, {"dim"}, InForward, "softmax(x, dim=-1)"},
      {Builtin::LogSoftmax, "log_softmax", 1, 2, {"dim"}, InForward, "log_softmax(x, dim=-1)"},
      {Builtin::Sum, "sum", 1, 3, {"dim", "keepdim"}, InForward, "sum(x, dim=-1, keepdim=true)"},
      {Builtin::Mean, "mean", 1, 3, {"dim", "keepdim"}, InForward, "mean(x, dim=-1, keepdim=true)"},
      {Builtin::Amax, "amax", 1, 3, {"dim", "keepdim"}, InForward, "amax(x, dim=-1, keepdim=true)"},
      {Builtin::Amin, "amin", 1, 3, {"dim", "keepdim"}, InForward, "amin(x, dim=0)"},
      {Builtin::Gelu, "gelu", 1, 1, {}, InForward, "gelu(x)"},
      {Builtin::Elu, "elu", 1, 2, {"alpha"}, InForward, "elu(x, alpha=1.0)"},
      {Builtin::LeakyRelu,
       "leaky_relu",
       1,
       2,
       {"negative_slope"},
       InForward | InScore,
       "leaky_relu(x, 0.2)"},
      {Builtin::Pow, "pow", 2, 2, {}, InForward, "pow(x, 3)"},
      {Builtin::Square, "square", 1, 1, {}, InForward, "square(x)"},
      {Builtin::Rsqrt, "rsqrt", 1, 1, {}, InForward, "rsqrt(variance + eps)"},
      {Builtin::Where, "where", 3, 3, {}, InForward, "where(x > 0, x, 0.1 * x)"},
      {Builtin::Attend,
       "attend",
       3,
       4,
       {"mask"},
       InForward,
       "attend<scaled_dot>(q, k, v) or attend<scaled_dot>(q, k, v, mask=adjacency)"},
      {Builtin::Embedding, "embedding", 2, 2, {}, InForward, "embedding(table, ids)"},
      {Builtin::Concat, "concat", 2, kVariadic, {"dim"}, InForward, "concat(a, b, dim=-1)"},
      {Builtin::Select, "select", 3, 3, {}, InForward, "select(x, 1, -1)"},
      {Builtin::Slice, "slice", 3, 4, {}, InForward, "slice(x, 1, 0, -1)"},
      {Builtin::Unsqueeze, "unsqueeze", 2, 2, {}, InForward, "unsqueeze(mask, -1)"},
      {Builtin::Arange, "arange", 1, 3, {"dim", "dtype"}, InForward, "arange(ids, dim=1)"},
      {Builtin::Dtype, "dtype", 1, 1, {}, InForward, "dtype(attn_mask) == \"bool\""},
      {Builtin::Conv2d,
       "conv2d",
       2,
       5,
       {"bias", "stride", "padding"},
       InForward,
       "conv2d(x, weight, bias, stride=1, padding=0)"},
      {Builtin::MaxPool2d,
       "max_pool2d",
       2,
       4,
       {"stride", "padding"},
       InForward,
       "max_pool2d(x, 2, stride=2, padding=0)"},
      {Builtin::Flatten,
       "flatten",
       1,
       3,
       {"start_dim", "end_dim"},
       InForward,
       "flatten(x, start_dim=1, end_dim=-1)"},
      {Builtin::Exp, "exp", 1, 1, {}, kMath, "exp(x)"},
      {Builtin::Log, "log", 1, 1, {}, kMath, "log(x)"},
      {Builtin::Sqrt, "sqrt", 1, 1, {}, kMath, "sqrt(x)"},
      {Builtin::Tanh, "tanh", 1, 1, {}, kMath, "tanh(x)"},
      {Builtin::Sigmoid, "sigmoid", 1, 1, {}, kMath, "sigmoid(x)"},
      {Builtin::Relu, "relu", 1, 1, {}, kMath, "relu(x)"},
      {Builtin::Abs, "abs", 1, 1, {}, kMath, "abs(x)"},
      {Builtin::Max, "max", 2, 2, {}, kMath, "max(x, 0)"},
      {Builtin::Min, "min", 2, 2, {}, kMath, "min(x, 1)"},
      {Builtin::Dot, "dot", 2, 2, {}, InScore, "dot(q, k)"},
      {Builtin::Dim, "dim", 1, 1, {}, InScore, "dim(q)"},
      {Builtin::Len, "len", 1, 1, {}, InScore, "len(k)"},
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
