//===- AttnOps.td - ops of the attn dialect ---------------------*- tablegen -*-===//
//
// One op per tensor-level operation of the language. Each op states its shape contract in its
// description; the shape rule itself is the op's `inferSymShape` (ShapeInference interface),
// in lib/Dialect/ShapeRules.cpp. Results start unranked (`tensor<*xf32>`) when the front end
// builds them and are refined by the shape-inference pass.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_OPS_TD
#define ATTN_OPS_TD

include "attn/compiler/Dialect/AttnDialect.td"
include "attn/compiler/Dialect/ShapeInferenceInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"

// An op's checks beyond its ODS constraints are `mlir::attn::verify_op(<Op>)`, one overload per
// op in lib/Dialect/Verifiers.cpp. The generated verify() declares the overload it calls, so the
// checks sit together in one file without a header of their own.
defvar Attn_VerifyOp = [{
  ::mlir::LogicalResult verify_op(std::decay_t<decltype(*this)>);
  return verify_op(*this);
}];

class Attn_TensorOp<string mnemonic, list<Trait> traits = []>
    : Attn_Op<mnemonic, !listconcat(traits,
        [NoSideEffect, DeclareOpInterfaceMethods<ShapeInferenceOpInterface>])>;

//===----------------------------------------------------------------------===//
// Leaves: parameters, constants
//===----------------------------------------------------------------------===//

def Attn_ParamOp : Attn_TensorOp<"param"> {
  let summary = "a named model parameter (a weight)";
  let description = [{
    Reads the parameter `name` (its PyTorch `state_dict` name) from the model's weights.
    The result type is the parameter's exact static shape.

    ```mlir
    %w = attn.param "query.weight" : tensor<40x40xf32>
    ```
  }];
  let arguments = (ins StrAttr:$name);
  let results = (outs AnyStaticShapeTensor:$result);
  let assemblyFormat = "$name attr-dict `:` type($result)";
  let verifier = Attn_VerifyOp;
}

def Attn_ConstantOp : Attn_TensorOp<"constant", [ConstantLike]> {
  let summary = "a scalar constant, as a rank-0 tensor";
  let description = [{
    ```mlir
    %c = attn.constant 8.0 : tensor<f32>
    ```
  }];
  let arguments = (ins F32Attr:$value);
  let results = (outs 0DTensorOf<[F32]>:$result);
  let assemblyFormat = "$value attr-dict `:` type($result)";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

// Binary ops broadcast as NumPy does: shapes are aligned at the last axis; a dimension of 1
// stretches; otherwise the dimensions must be equal (the same integer or the same symbol).
class Attn_BinaryOp<string mnemonic, string what, list<Trait> traits = []>
    : Attn_TensorOp<mnemonic, traits> {
  let summary = "elementwise " # what # " with broadcasting";
  let arguments = (ins AnyTensor:$lhs, AnyTensor:$rhs);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let verifier = Attn_VerifyOp;
}

def Attn_AddOp : Attn_BinaryOp<"add", "addition", [Commutative]>;
def Attn_SubOp : Attn_BinaryOp<"sub", "subtraction">;
def Attn_MulOp : Attn_BinaryOp<"mul", "multiplication", [Commutative]>;
def Attn_DivOp : Attn_BinaryOp<"div", "division">;
def Attn_MaxOp : Attn_BinaryOp<"max", "maximum", [Commutative]>;
def Attn_MinOp : Attn_BinaryOp<"min", "minimum", [Commutative]>;

// Unary ops keep their operand's shape.
class Attn_UnaryOp<string mnemonic, string what> : Attn_TensorOp<mnemonic> {
  let summary = "elementwise " # what;
  let arguments = (ins AnyTensor:$input);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Attn_NegOp : Attn_UnaryOp<"neg", "negation">;
def Attn_ExpOp : Attn_UnaryOp<"exp", "exponential">;
def Attn_LogOp : Attn_UnaryOp<"log", "natural logarithm">;
def Attn_SqrtOp : Attn_UnaryOp<"sqrt", "square root">;
def Attn_TanhOp : Attn_UnaryOp<"tanh", "hyperbolic tangent">;
def Attn_SigmoidOp : Attn_UnaryOp<"sigmoid", "logistic sigmoid">;
def Attn_ReluOp : Attn_UnaryOp<"relu", "max(x, 0)">;

//===----------------------------------------------------------------------===//
// Linear algebra and layout
//===----------------------------------------------------------------------===//

def Attn_MatmulOp : Attn_TensorOp<"matmul"> {
  let summary = "batched matrix product";
  let description = [{
    `lhs: [..., M, K]`, `rhs: [..., K, N]` → `[..., M, N]`. Both operands have rank ≥ 2; the
    leading (batch) axes broadcast as in `attn.add`; `K` must match.
  }];
  let arguments = (ins AnyTensor:$lhs, AnyTensor:$rhs);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let verifier = Attn_VerifyOp;
}

def Attn_TransposeOp : Attn_TensorOp<"transpose"> {
  let summary = "permute axes";
  let description = [{
    `result.shape[i] = input.shape[perm[i]]`; `perm` is a permutation of `0..rank-1`.
  }];
  let arguments = (ins AnyTensor:$input, I64ArrayAttr:$perm);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = "$input $perm attr-dict `:` functional-type(operands, results)";
  let verifier = Attn_VerifyOp;
}

def Attn_ReshapeOp : Attn_TensorOp<"reshape"> {
  let summary = "reinterpret the row-major elements with a new shape";
  let description = [{
    `shape` lists the new sizes; at most one entry is -1 and is inferred. The element count
    must be unchanged.
  }];
  let arguments = (ins AnyTensor:$input, I64ArrayAttr:$shape);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = "$input $shape attr-dict `:` functional-type(operands, results)";
  let verifier = Attn_VerifyOp;
}

def Attn_SplitHeadsOp : Attn_TensorOp<"split_heads"> {
  let summary = "split the feature axis into heads";
  let description = [{
    `[B, S, E]` → `[B, H, S, E/H]` with `H = num_heads`; `E` must be static and divisible by
    `H`. Equivalent to `reshape([B, S, H, E/H])` then `transpose([0, 2, 1, 3])`.
  }];
  let arguments = (ins AnyTensor:$input, I64Attr:$num_heads);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = "$input `heads` `=` $num_heads attr-dict `:` functional-type(operands, results)";
  let verifier = Attn_VerifyOp;
}

def Attn_MergeHeadsOp : Attn_TensorOp<"merge_heads"> {
  let summary = "merge heads back into the feature axis";
  let description = [{
    `[B, H, S, D]` → `[B, S, H*D]`: the inverse of `attn.split_heads`.
  }];
  let arguments = (ins AnyTensor:$input);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let verifier = Attn_VerifyOp;
}

//===----------------------------------------------------------------------===//
// Normalisers
//===----------------------------------------------------------------------===//

def Attn_SoftmaxOp : Attn_TensorOp<"softmax"> {
  let summary = "softmax along one axis";
  let description = [{
    Shape-preserving; `axis` is in `0..rank-1`. Computed with the row maximum subtracted.
  }];
  let arguments = (ins AnyTensor:$input, I64Attr:$axis);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = "$input `axis` `=` $axis attr-dict `:` functional-type(operands, results)";
  let verifier = Attn_VerifyOp;
}

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

def Attn_AttentionOp : Attn_TensorOp<"attention"> {
  let summary = "fused attention: score, mask, softmax over keys, weighted sum of values";
  let description = [{
    `query: [..., Sq, D]`, `key: [..., Sk, D]`, `value: [..., Sk, Dv]` → `[..., Sq, Dv]`; the
    leading axes (batch, or batch and heads) are equal for all three.

    For query row `i` and key row `j` the raw score is the dot product `s = q_i · k_j`. The
    `score` region maps it to the final logit: its block arguments are `(s: f32, b: index,
    h: index, i: index, j: index)` — `b` and `h` index the leading axes (`h` is 0 when there
    is only one leading axis) — and it yields an `f32`. An empty `score` region keeps `s`.
    The `mask` region, if not empty, takes `(b, h, i, j: index)` and yields an `i1`: false
    removes key `j` for query `i`. A row whose keys are all removed yields zeros.
    Inside the regions, `attn.score_dim` is `D`.
  }];
  let arguments = (ins AnyTensor:$query, AnyTensor:$key, AnyTensor:$value);
  let results = (outs AnyTensor:$result);
  let regions = (region AnyRegion:$score, AnyRegion:$mask);
  let verifier = Attn_VerifyOp;
}

def Attn_ScoreDimOp : Attn_Op<"score_dim", [NoSideEffect]> {
  let summary = "the length D of the query and key vectors of the enclosing attention";
  let description = [{
    Valid only inside a region of `attn.attention`; folds to a constant once the query's last
    axis is static.
  }];
  let results = (outs F32:$result);
  let assemblyFormat = "attr-dict `:` type($result)";
  let verifier = Attn_VerifyOp;
}

def Attn_YieldOp : Attn_Op<"yield", [NoSideEffect, Terminator, ReturnLike,
                                    ParentOneOf<["AttentionOp"]>]> {
  let summary = "yields the value of an attention region";
  let arguments = (ins AnyType:$value);
  let assemblyFormat = "$value attr-dict `:` type($value)";
}

//===----------------------------------------------------------------------===//
// Shape assertions and the function boundary
//===----------------------------------------------------------------------===//

def Attn_AssertShapeOp : Attn_TensorOp<"assert_shape"> {
  let summary = "asserts a value's shape against a declared symbolic shape";
  let description = [{
    The identity on `input`, asserting that its shape matches `dims`: each entry is an integer
    or a symbol name (a string); a first entry `"..."` matches any number of leading axes.
    Symbols are local to `scope` (one scope per module call in the source): the first
    occurrence binds the symbol, later ones must agree. The shape-inference pass checks and
    erases these ops.
  }];
  let arguments = (ins AnyTensor:$input, ArrayAttr:$dims, I64Attr:$scope);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = "$input $dims `scope` `=` $scope attr-dict `:` functional-type(operands, results)";
  let verifier = Attn_VerifyOp;
}

def Attn_ReturnOp : Attn_Op<"return", [NoSideEffect, Terminator, ReturnLike,
                                      HasParent<"::mlir::FuncOp">]> {
  let summary = "returns the forward's results";
  let arguments = (ins Variadic<AnyTensor>:$operands);
  let assemblyFormat = "attr-dict ($operands^ `:` type($operands))?";
}

#endif // ATTN_OPS_TD
