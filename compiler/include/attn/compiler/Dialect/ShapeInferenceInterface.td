//===- ShapeInferenceInterface.td - symbolic shape inference ----*- tablegen -*-===//
//
// Every tensor op of the dialect computes its result's shape from its operands' shapes. Shapes
// are symbolic (`attn::compiler::SymShape`: a list of static sizes and dim expressions such as
// `B` or `B*Sq`), so that the shape-inference pass can check a model once for every binding of
// its symbolic dimensions, and the emitted manifest can state each buffer's size.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_SHAPE_INFERENCE_INTERFACE
#define ATTN_SHAPE_INFERENCE_INTERFACE

include "mlir/IR/OpBase.td"

def ShapeInferenceOpInterface : OpInterface<"ShapeInference"> {
  let cppNamespace = "::mlir::attn";
  let description = [{
    Computes the symbolic shape of the op's single result from the symbolic shapes of its
    operands, or emits a located error explaining why the shapes cannot match.
  }];
  let methods = [
    InterfaceMethod<"Infer the symbolic shape of the result.",
      "::mlir::FailureOr<::attn::compiler::SymShape>", "inferSymShape",
      (ins "::llvm::ArrayRef<::attn::compiler::SymShape>":$operands)>
  ];
}

#endif // ATTN_SHAPE_INFERENCE_INTERFACE
