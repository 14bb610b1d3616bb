// attn-opt: the attn dialect's `mlir-opt`. Reads textual IR, runs the passes named on the command
// line (`-attn-shape-inference`, `-attn-fuse-attention`, `-attn-canonicalize`, `-attn-pipeline`,
// and MLIR's own such as `-canonicalize` or `-cse`), and prints the result. With
// `-verify-diagnostics` it checks the errors a test expects inline, which is how every verifier
// and shape rule is tested.
#include "attn/compiler/Dialect/AttnDialect.h"
#include "attn/compiler/Passes.h"

#include "mlir/Dialect/StandardOps/IR/Ops.h"
#include "mlir/Support/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  registry.insert<mlir::attn::AttnDialect, mlir::arith::ArithmeticDialect, mlir::math::MathDialect,
                  mlir::StandardOpsDialect>();
  mlir::registerTransformsPasses();
  attn::compiler::register_attn_passes();
  return mlir::asMainReturnCode(mlir::MlirOptMain(argc, argv, "attn optimizer driver\n", registry));
}
