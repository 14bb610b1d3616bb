//===- AttnDialect.td - the attn dialect ------------------------*- tablegen -*-===//
//
// The `attn` dialect holds a model's forward computation at the level of tensors: one op per
// layer-level operation, with `attn.attention` carrying regions for its score and mask. Values are
// tensors whose dimensions are static or symbolic; the symbolic names live in each result's
// `attn.dims` attribute, which the shape-inference pass fills in.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_DIALECT_TD
#define ATTN_DIALECT_TD

include "mlir/IR/OpBase.td"

def Attn_Dialect : Dialect {
  let name = "attn";
  let summary = "Tensor-level IR for attention models";
  let cppNamespace = "::mlir::attn";
  let dependentDialects = ["::mlir::arith::ArithmeticDialect", "::mlir::math::MathDialect"];
  let hasConstantMaterializer = 0;
}

class Attn_Op<string mnemonic, list<Trait> traits = []> : Op<Attn_Dialect, mnemonic, traits>;

#endif // ATTN_DIALECT_TD
