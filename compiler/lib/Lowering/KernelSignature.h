// What a kernel computes, as text: two kernels with the same signature compile to the same
// code (their weights and buffers are arguments), so the model compiles the first and calls
// it for both — the repeated layers of a transformer or an RNN are compiled once. The
// signature lists every value the kernel builds in build order: its kind (an input read from a
// buffer, a scan row, an op with its attributes and regions), its operands by position, and
// its type (static sizes; symbol names are left out, as the code does not depend on them).
#pragma once

#include "mlir/IR/Value.h"
#include "llvm/ADT/DenseMap.h"

#include <string>

namespace attn::compiler::lowering {

class KernelSignature {
public:
  enum class Kind { Input, Row, Op };
  /// Records `v`, built as `kind`; its operands were recorded before it.
  void add(mlir::Value v, Kind kind);
  /// Records that `of` reads `operand` (for values whose operands are not op operands).
  void add_use(mlir::Value of, mlir::Value operand);
  const std::string &text() const { return text_; }

private:
  std::string text_;
  llvm::DenseMap<mlir::Value, int> ids_;
};

} // namespace attn::compiler::lowering
