// Partitions a forward function into kernels. A value is *materialised* (written to a buffer
// by a kernel of its own) when it is the result of an anchor op — matmul, softmax, attention —
// or returned by the forward; every other op (elementwise, layout, constants) is inlined into
// each kernel that reads it. An anchor whose only user is an elementwise op with the anchor's
// shape, combined only with weights, inputs, constants or buffers (a bias add, a scale, a
// residual add), hands its materialisation to that user: the op becomes the kernel's epilogue.
// An elementwise value that two or more kernels would inline, and that depends on another
// kernel's result (a residual stream), is materialised so that it is computed once; views of
// buffers and values of weights and inputs alone stay inlined.
// Reductions along one axis (sum, mean, max, min) are not anchors: they inline into the kernel
// that reads them and are computed per row of its output, so a LayerNorm is one kernel. When an
// anchor reads a value that computes reductions, that value is materialised first.
// conv2d and max_pool2d are anchors too: a convolution's staged image and its accumulation
// live in its kernel, and a pooled image is read by the next convolution many times over.
//
// An `attn.scan` is a step of its own: its operands, and the values its body reads from outside
// it, are materialised before it; its body is partitioned the same way (what the body yields
// is materialised); its results are buffers the runtime's loop fills, not kernels.
#pragma once

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallPtrSet.h"

#include <vector>

namespace attn::compiler::lowering {

struct Grouping {
  /// One step of a block, in program order: a kernel materialising `root`, or a scan with the
  /// steps of its body.
  struct Step {
    mlir::Value root;
    mlir::Operation *scan = nullptr;
    std::vector<Step> body;
  };
  std::vector<Step> steps;
  /// Values held in buffers: the kernels' roots, and the scans' results.
  llvm::DenseSet<mlir::Value> materialised;
};

bool is_anchor(mlir::Operation *op);
bool is_elementwise(mlir::Operation *op);
bool is_reduction(mlir::Operation *op);
Grouping group_kernels(mlir::FuncOp func);

} // namespace attn::compiler::lowering
