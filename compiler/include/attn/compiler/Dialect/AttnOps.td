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

// Comparisons give a bool (i1) tensor, true where the relation holds; the front end compares
// f32 operands. An f32 result (IR written by hand) holds 1.0 and 0.0 instead.
def Attn_LtOp : Attn_BinaryOp<"lt", "comparison lhs < rhs">;
def Attn_LeOp : Attn_BinaryOp<"le", "comparison lhs <= rhs">;
def Attn_GtOp : Attn_BinaryOp<"gt", "comparison lhs > rhs">;
def Attn_GeOp : Attn_BinaryOp<"ge", "comparison lhs >= rhs">;
def Attn_EqOp : Attn_BinaryOp<"eq", "comparison lhs == rhs", [Commutative]>;
def Attn_NeOp : Attn_BinaryOp<"ne", "comparison lhs != rhs", [Commutative]>;

def Attn_WhereOp : Attn_TensorOp<"where"> {
  let summary = "elementwise choice between two tensors by a condition";
  let description = [{
    `condition`, `true_value`, `false_value` broadcast together as in `attn.add` (three ways);
    the result has the broadcast shape and is `true_value` where `condition` is nonzero,
    `false_value` elsewhere.
  }];
  let arguments = (ins AnyTensor:$condition, AnyTensor:$true_value, AnyTensor:$false_value);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = [{
    $condition `,` $true_value `,` $false_value attr-dict `:` functional-type(operands, results)
  }];
  let verifier = Attn_VerifyOp;
}

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
def Attn_AbsOp : Attn_UnaryOp<"abs", "absolute value">;
def Attn_RsqrtOp : Attn_UnaryOp<"rsqrt", "reciprocal square root 1 / sqrt(x)">;
def Attn_GeluOp : Attn_UnaryOp<"gelu", "GELU, exact: x * (1 + erf(x / sqrt(2))) / 2"> {
  let description = [{
    Shape-preserving. The exact (erf) form of `torch.nn.GELU()`, not the tanh approximation;
    erf is evaluated to about 2e-7 absolute error in f32.
  }];
}

// Unary ops with a constant parameter; shape-preserving like the others.
def Attn_EluOp : Attn_TensorOp<"elu"> {
  let summary = "elementwise ELU: x where x > 0, else alpha * (exp(x) - 1)";
  let description = [{ Shape-preserving; `torch.nn.functional.elu(x, alpha)`. }];
  let arguments = (ins AnyTensor:$input, F32Attr:$alpha);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = "$input `alpha` `=` $alpha attr-dict `:` functional-type(operands, results)";
}

def Attn_LeakyReluOp : Attn_TensorOp<"leaky_relu"> {
  let summary = "elementwise leaky ReLU: x where x > 0, else negative_slope * x";
  let description = [{ Shape-preserving; `torch.nn.functional.leaky_relu(x, negative_slope)`. }];
  let arguments = (ins AnyTensor:$input, F32Attr:$negative_slope);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = [{
    $input `negative_slope` `=` $negative_slope attr-dict `:` functional-type(operands, results)
  }];
}

def Attn_PowOp : Attn_TensorOp<"pow"> {
  let summary = "elementwise power by a constant exponent";
  let description = [{
    Shape-preserving; `x ** exponent`. Small integer exponents are exact products (a negative
    base is fine); other exponents follow `pow` (NaN for a negative base, as in PyTorch).
  }];
  let arguments = (ins AnyTensor:$input, F32Attr:$exponent);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = "$input `exponent` `=` $exponent attr-dict `:` functional-type(operands, results)";
}

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

def Attn_LogSoftmaxOp : Attn_TensorOp<"log_softmax"> {
  let summary = "logarithm of the softmax along one axis";
  let description = [{
    Shape-preserving; `axis` is in `0..rank-1`. Computed as `x - max - log(sum(exp(x - max)))`,
    so that large logits neither overflow nor lose the small terms.
  }];
  let arguments = (ins AnyTensor:$input, I64Attr:$axis);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = "$input `axis` `=` $axis attr-dict `:` functional-type(operands, results)";
  let verifier = Attn_VerifyOp;
}

//===----------------------------------------------------------------------===//
// Reductions (shape rules in lib/Dialect/ShapeRulesReduce.cpp)
//===----------------------------------------------------------------------===//

// `input: [d0, ..., dn-1]` reduced along `axis` (in `0..n-1`): with `keepdim` the result is
// `[d0, ..., 1, ..., dn-1]` (axis `axis` of size 1, so it broadcasts against the input),
// otherwise the input's shape without that axis (rank 0 for a rank-1 input).
class Attn_ReduceOp<string mnemonic, string what> : Attn_TensorOp<mnemonic> {
  let summary = what # " along one axis";
  let description = [{
    `input: [d0, ..., dn-1]`, `axis` in `0..n-1` → `[d0, ..., 1, ..., dn-1]` with `keepdim`,
    else `input`'s shape without axis `axis`.
  }];
  let arguments = (ins AnyTensor:$input, I64Attr:$axis, BoolAttr:$keepdim);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = [{
    $input `axis` `=` $axis `keepdim` `=` $keepdim attr-dict `:` functional-type(operands, results)
  }];
  let verifier = Attn_VerifyOp;
}

def Attn_ReduceSumOp : Attn_ReduceOp<"reduce_sum", "sum">;
def Attn_ReduceMeanOp : Attn_ReduceOp<"reduce_mean", "arithmetic mean">;
def Attn_ReduceMaxOp : Attn_ReduceOp<"reduce_max", "maximum">;
def Attn_ReduceMinOp : Attn_ReduceOp<"reduce_min", "minimum">;

//===----------------------------------------------------------------------===//
// Convolution networks: NCHW images, sizes rounded down as PyTorch does. Shape rules in
// lib/Dialect/ShapeRulesConv.cpp, checks in lib/Dialect/VerifiersConv.cpp, algorithms in
// lib/Lowering/ConvAlgorithms.cpp.
//===----------------------------------------------------------------------===//

def Attn_Conv2dOp : Attn_TensorOp<"conv2d"> {
  let summary = "2-D convolution (cross-correlation) of NCHW images, zero padding";
  let description = [{
    `input: [N, C, H, W]`, `weight: [O, C, kh, kw]` (static), optional `bias: [O]` →
    `[N, O, (H + 2*ph - kh) / sh + 1, (W + 2*pw - kw) / sw + 1]`, divisions rounding down;
    `stride = [sh, sw]` (positive) and `padding = [ph, pw]` (zeros around the image, not
    negative) are per axis. `result[n, o, y, x] = bias[o] + Σ_{c, i, j} weight[o, c, i, j] *
    input[n, c, y*sh + i - ph, x*sw + j - pw]`, as `torch.nn.functional.conv2d`. A static
    image smaller than the kernel after padding is an error.

    ```mlir
    %y = attn.conv2d %x, %w, %b stride = [2, 2] padding = [1, 1]
        : (tensor<?x3x?x?xf32>, tensor<32x3x3x3xf32>, tensor<32xf32>) -> tensor<?x32x?x?xf32>
    ```
  }];
  let arguments = (ins AnyTensor:$input, AnyTensor:$weight, Optional<AnyTensor>:$bias,
                   I64ArrayAttr:$stride, I64ArrayAttr:$padding);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? `stride` `=` $stride `padding` `=` $padding attr-dict `:`
    functional-type(operands, results)
  }];
  let verifier = Attn_VerifyOp;
}

def Attn_MaxPool2dOp : Attn_TensorOp<"max_pool2d"> {
  let summary = "2-D max pooling over the last two axes";
  let description = [{
    `input: [..., C, H, W]` (rank 3 or 4) → `[..., C, (H + 2*ph - kh) / sh + 1,
    (W + 2*pw - kw) / sw + 1]`, divisions rounding down (PyTorch's floor mode); each output
    is the maximum of its `kernel_size = [kh, kw]` window at `stride = [sh, sw]`, padded with
    -inf by `padding = [ph, pw]`, which is at most half the kernel (as PyTorch requires).

    ```mlir
    %p = attn.max_pool2d %x kernel = [2, 2] stride = [2, 2] padding = [0, 0]
        : (tensor<?x32x?x?xf32>) -> tensor<?x32x?x?xf32>
    ```
  }];
  let arguments = (ins AnyTensor:$input, I64ArrayAttr:$kernel_size, I64ArrayAttr:$stride,
                   I64ArrayAttr:$padding);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = [{
    $input `kernel` `=` $kernel_size `stride` `=` $stride `padding` `=` $padding attr-dict `:`
    functional-type(operands, results)
  }];
  let verifier = Attn_VerifyOp;
}

def Attn_FlattenOp : Attn_TensorOp<"flatten"> {
  let summary = "merge a range of axes into one";
  let description = [{
    Axes `start_dim..end_dim` (inclusive, `0 <= start_dim <= end_dim < rank`) become one axis,
    the product of their sizes, in row-major order: `[B, C, H, W]` from 2 to 3 gives
    `[B, C, H*W]`. The elements and their order are unchanged; the element type is kept.

    ```mlir
    %f = attn.flatten %x start = 2 end = 3 : (tensor<?x8x?x?xf32>) -> tensor<?x8x?xf32>
    ```
  }];
  let arguments = (ins AnyTensor:$input, I64Attr:$start_dim, I64Attr:$end_dim);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = [{
    $input `start` `=` $start_dim `end` `=` $end_dim attr-dict `:` functional-type(operands, results)
  }];
  let verifier = Attn_VerifyOp;
}

// Attention: attn.attention, attn.attention_weights and their region ops (AttnAttentionOps.td).
include "attn/compiler/Dialect/AttnAttentionOps.td"

//===----------------------------------------------------------------------===//
// Data movement: gathering rows, concatenation, slicing, positions. These keep their input's
// element type (i64 ids pass through); shape rules in lib/Dialect/ShapeRulesMove.cpp, checks
// in lib/Dialect/VerifiersMove.cpp, algorithms in lib/Lowering/MoveAlgorithms.cpp.
//===----------------------------------------------------------------------===//

def Attn_CastOp : Attn_TensorOp<"cast"> {
  let summary = "elementwise conversion to the result's element type";
  let description = [{
    Shape-preserving. The front end converts integer operands of arithmetic to f32 with it, as
    PyTorch promotes `int64 * float32` (exact for magnitudes below 2^24); f32 to an integer
    type rounds toward zero.

    ```mlir
    %f = attn.cast %mask : (tensor<?x?xi64>) -> tensor<?x?xf32>
    ```
  }];
  let arguments = (ins AnyTensor:$input);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Attn_GatherOp : Attn_TensorOp<"gather"> {
  let summary = "rows of a table picked by integer ids (an embedding lookup)";
  let description = [{
    `table: [N, ...rest]`, `ids: [...ids]` of i64 or i32 → `[...ids, ...rest]`, with
    `result[i..., r...] = table[ids[i...], r...]`; the result has the table's element type.
    An id outside `0..N-1` is clamped to the nearest row, so the table is never read outside
    its bounds (PyTorch raises an error instead).

    ```mlir
    %e = attn.gather %table, %ids : (tensor<100x16xf32>, tensor<?x?xi64>) -> tensor<?x?x16xf32>
    ```
  }];
  let arguments = (ins AnyTensor:$table, TensorOf<[I64, I32]>:$ids);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = "$table `,` $ids attr-dict `:` functional-type(operands, results)";
  let verifier = Attn_VerifyOp;
}

def Attn_ConcatOp : Attn_TensorOp<"concat"> {
  let summary = "concatenation along one axis";
  let description = [{
    Operands of one rank and element type, equal on every axis but `axis` → the same shape
    with `axis` the sum of theirs: `[B, T, H]` and `[B, 1, H]` along 1 give `[B, T+1, H]`.

    ```mlir
    %c = attn.concat %a, %b axis = 1 : (tensor<?x?x8xf32>, tensor<?x1x8xf32>) -> tensor<?x?x8xf32>
    ```
  }];
  let arguments = (ins Variadic<AnyTensor>:$inputs, I64Attr:$axis);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = "$inputs `axis` `=` $axis attr-dict `:` functional-type(operands, results)";
  let verifier = Attn_VerifyOp;
}

def Attn_SliceOp : Attn_TensorOp<"slice"> {
  let summary = "a contiguous range of one axis";
  let description = [{
    Keeps positions `start <= p < end` of `axis` (size `n`); a negative bound counts from the
    end (`n + bound`), an absent `end` is `n`. The result has `axis` of size `end - start`:
    `[B, S, H]` sliced `start = 0, end = -1` on axis 1 gives `[B, S-1, H]`. On a static axis the
    bounds must lie in `0..n` with `start <= end`. On a symbolic axis a range counted from one
    side only (`start = 0, end = 4`) cannot be checked at compile time: a position outside the
    axis reads the nearest element.

    ```mlir
    %s = attn.slice %x axis = 1 start = 1 : (tensor<?x?xf32>) -> tensor<?x?xf32>
    ```
  }];
  let arguments = (ins AnyTensor:$input, I64Attr:$axis, I64Attr:$start,
                   OptionalAttr<I64Attr>:$end);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = [{
    $input `axis` `=` $axis `start` `=` $start (`end` `=` $end^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let verifier = Attn_VerifyOp;
}

def Attn_SelectOp : Attn_TensorOp<"select"> {
  let summary = "one position of one axis, which is dropped";
  let description = [{
    `result[..., j...] = input[..., index, j...]` with `index` on `axis`, which the result
    lacks: `[B, S, H]` at index -1 of axis 1 gives `[B, H]`, the last position. A negative
    index counts from the end. On a static axis it must lie in `-n..n-1`; on a symbolic axis
    an index outside the axis reads the nearest position.

    ```mlir
    %last = attn.select %x axis = 1 index = -1 : (tensor<?x?x8xf32>) -> tensor<?x8xf32>
    ```
  }];
  let arguments = (ins AnyTensor:$input, I64Attr:$axis, I64Attr:$index);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = [{
    $input `axis` `=` $axis `index` `=` $index attr-dict `:` functional-type(operands, results)
  }];
  let verifier = Attn_VerifyOp;
}

def Attn_UnsqueezeOp : Attn_TensorOp<"unsqueeze"> {
  let summary = "a new axis of size 1";
  let description = [{
    Inserts an axis of size 1 before input axis `axis` (`axis` = rank appends it):
    `[B, S]` at axis 2 gives `[B, S, 1]`, which broadcasts against `[B, S, H]`.

    ```mlir
    %m = attn.unsqueeze %mask axis = 2 : (tensor<?x?xi64>) -> tensor<?x?x1xi64>
    ```
  }];
  let arguments = (ins AnyTensor:$input, I64Attr:$axis);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = "$input `axis` `=` $axis attr-dict `:` functional-type(operands, results)";
  let verifier = Attn_VerifyOp;
}

def Attn_ArangeOp : Attn_TensorOp<"arange"> {
  let summary = "the positions 0, 1, ..., n-1";
  let description = [{
    A rank-1 tensor `[n]` holding `0..n-1` as i64 or f32 (the result's element type). With an
    operand, `n` is the size of the operand's `axis` (`[B, S]` on axis 1 gives `[S]`, for
    position embeddings); without one, `n` is the static `size`. Only the operand's shape is
    read.

    ```mlir
    %p = attn.arange %ids axis = 1 : (tensor<?x?xi64>) -> tensor<?xi64>
    %q = attn.arange size = 8 : () -> tensor<8xf32>
    ```
  }];
  let arguments = (ins Optional<AnyTensor>:$like, OptionalAttr<I64Attr>:$axis,
                   OptionalAttr<I64Attr>:$size);
  let results = (outs TensorOf<[I64, F32]>:$result);
  let assemblyFormat = [{
    ($like^)? (`axis` `=` $axis^)? (`size` `=` $size^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let verifier = Attn_VerifyOp;
}

// Recurrence: attn.scan and attn.scan_yield (AttnRecurrenceOps.td).
include "attn/compiler/Dialect/AttnRecurrenceOps.td"

//===----------------------------------------------------------------------===//
// Shape assertions and the function boundary
//===----------------------------------------------------------------------===//

def Attn_FillOp : Attn_Op<"fill", [NoSideEffect]> {
  let summary = "a tensor of a declared shape filled with one value (a left-out optional input)";
  let description = [{
    `dims` is the declared shape of a module's optional input that a call leaves out: integers
    and symbol names, the symbols those of the call's scope (`scope`, as for
    `attn.assert_shape`), bound by the arguments the call gives. The shape-inference pass
    resolves them (it is an error if one is not bound) and records the result's `attn.dims`.
    The result's element type is the input's; `value` converts to it (bool: nonzero).
  }];
  let arguments = (ins F64Attr:$value, ArrayAttr:$dims, I64Attr:$scope);
  let results = (outs AnyTensor:$result);
  let assemblyFormat = "$value $dims `scope` `=` $scope attr-dict `:` type($result)";
}

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
