// The built-in functions of the language, in one table: name, arity, keyword arguments and
// where they may be used. Sema checks calls against it; the bridge to the IR switches on the
// `Builtin` value. dsl/SPEC.md documents each one.
#pragma once

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace attn::dsl {

enum class Builtin {
  None,
  // tensor operations (forward bodies)
  Matmul,
  Transpose,
  Reshape,
  SplitHeads,
  MergeHeads,
  Softmax,
  LogSoftmax,
  Attend,
  // reductions along one axis (forward bodies)
  Sum,
  Mean,
  Amax,
  Amin,
  // elementwise on tensors only (forward bodies)
  Gelu,
  Elu,
  LeakyRelu,
  Pow,
  Square,
  Rsqrt,
  Where,
  // data movement (forward bodies; dsl/lib/SemaMove.cpp)
  Embedding,
  Concat,
  Select,
  Slice,
  Unsqueeze,
  Arange,
  // the element type of a tensor, a compile-time string (forward bodies)
  Dtype,
  // convolution networks (forward bodies; dsl/lib/SemaConv.cpp)
  Conv2d,
  MaxPool2d,
  Flatten,
  // elementwise; also compile-time math on scalars, and scalar math in scores
  Exp,
  Log,
  Sqrt,
  Tanh,
  Sigmoid,
  Relu,
  Abs,
  Max,
  Min,
  // only in attention scores
  Dot,
  Dim,
  Len,
};

/// Where a built-in may appear.
enum BuiltinContext : unsigned {
  InForward = 1u << 0,  // forward bodies (tensors and scalars)
  InConstant = 1u << 1, // hyperparameter expressions (compile-time scalars)
  InScore = 1u << 2,    // attention scores and masks
};

struct BuiltinInfo {
  Builtin id;
  const char *name;
  unsigned min_args;
  unsigned max_args;
  /// Keyword arguments accepted, each also accepted positionally after the required ones.
  std::vector<const char *> keywords;
  unsigned contexts;
  /// The SPEC example, also used in "usage:" notes.
  const char *usage;
};

/// The entry for `name`, or null if it is not a built-in.
const BuiltinInfo *find_builtin(llvm::StringRef name);
const BuiltinInfo &builtin_info(Builtin id);
/// Names of the built-ins usable in `context` (for suggestions).
std::vector<std::string> builtin_names(unsigned context);

} // namespace attn::dsl
