//===- AttnAttentionOps.td - attention and its regions -----------*- tablegen -*-===//
//
// Included by AttnOps.td (one set of generated op classes): the fused attention, the op that
// computes only its weights (for attention maps), and the ops of their score and mask regions.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_ATTENTION_OPS_TD
#define ATTN_ATTENTION_OPS_TD

// Both attention ops split their variadic extras the same way.
defvar Attn_AttentionExtraDecls = [{
  /// How many of the extras are feature vectors (0 without a feature region).
  unsigned feature_count() { return static_cast<unsigned>(num_features().getValueOr(0)); }
  /// How many of the extras are tables that attn.lookup reads.
  unsigned table_count() { return static_cast<unsigned>(num_tables().getValueOr(0)); }
  /// The extras the score region reads, broadcast to the scores.
  ::mlir::OperandRange score_extras() {
    return extras().drop_back(feature_count() + table_count());
  }
  /// The tables the score region reads at computed indices (attn.lookup).
  ::mlir::OperandRange tables() {
    return extras().drop_back(feature_count()).take_back(table_count());
  }
  /// The feature vectors the feature region reads at each feature index.
  ::mlir::OperandRange feature_vectors() { return extras().take_back(feature_count()); }
}];

def Attn_AttentionOp : Attn_TensorOp<"attention"> {
  let summary = "fused attention: score, mask, softmax over keys, weighted sum of values";
  let description = [{
    `query: [..., Sq, D]`, `key: [..., Sk, D]`, `value: [..., Sk, Dv]` → `[..., Sq, Dv]`; the
    leading axes (batch, or batch and heads) are the query's. The key and the value each have
    the query's size there or 1, shared by every batch or head (the rows of a parameter that
    take the key's place, multi-query attention); for rank 4 they may also have fewer heads
    (axis 1) than the query, a static count dividing the query's (grouped-query attention):
    query head `h` reads key and value head `h / (Hq / Hkv)`.

    For query row `i` and key row `j` the raw score is the dot product `s = q_i · k_j`. The
    `score` region maps it to the final logit: its block arguments are `(s: f32, b: index,
    h: index, i: index, j: index)` — `b` and `h` index the leading axes (`h` is 0 when there
    is only one leading axis) — and it yields an `f32`. An empty `score` region keeps `s`.
    The `mask` region, if not empty, takes `(b, h, i, j: index)` (and may take the extras,
    below) and yields an `i1`: false removes key `j` for query `i`. A row whose keys are all
    removed yields zeros.
    Inside the regions, `attn.score_dim` is `D`.

    Any further operands (`extras`) are f32 tensors that broadcast to the scores' shape
    `[..., Sq, Sk]` (NumPy rules, aligned at the right: each axis equal or 1; on the head axis
    of rank-4 scores also the key's head count, read at the key head of each query head): a
    bias or a padding mask added to the scores, a condition that selects them, a per-row
    number (a dot of one side, `[..., Sq, 1]` or `[..., 1, Sk]`). The score region takes the element of each
    at `(..., i, j)` as one more `f32` argument after `j`, in order; the mask region takes them
    the same way after its indices, or not at all (a mask given as a tensor: a 0/1 extra). When `num_tables` (n) is set, the n extras after those
    are tables of any shape, which the score region reads with `attn.lookup` at indices it
    computes (a relative-position bias, `bias[h, clip(j - i)]`); an index outside a table's
    axis reads its nearest element.

    The third region, `feature`, used when `num_features` is set, replaces the dot product
    as the raw score: `s = sum over a < D of feature(q_i[a], k_j[a], w_1[a], ..., w_n[a])`,
    where the last `num_features` (n) of the extras are the vectors `w` of length `D` (learned
    weights; they are not broadcast to the scores) and the region takes `(qa, ka: f32)` and an
    `f32` per vector, and yields an `f32`. Additive attention is `w[a] * tanh(q[a] + k[a])` on
    a query and key already projected.

    `normalizer` says how a row's scores become weights: `"softmax"` (also when absent);
    `"argmax"`, weight 1 on the first key with the row's largest score (hard attention);
    `"topk"`, the softmax over the `top_k` largest scores of the row, the others weighted 0
    (keys tied with the k-th largest are all kept). Removed keys never count, and a row
    without keys yields zeros.

    The `feature` region is empty when `num_features` is not set. A fourth region,
    `contribution`, may follow it: when present, key `j` contributes to query row `i` not the
    value row `v_j` but `e ↦ contribution(v_j[e], b, h, i, j, e)`, so that the result is
    `sum over j of w_ij contribution(v_j[e], b, h, i, j, e)` with the same weights `w`. Its
    block arguments are `(v: f32, b: index, h: index, i: index, j: index, e: index)` and an
    `f32` per score extra, as the score region takes them; it yields an `f32` and may read the
    tables with `attn.lookup` (the values of relative positions, `v + a[clip(j - i), e]`).
  }];
  let arguments = (ins AnyTensor:$query, AnyTensor:$key, AnyTensor:$value,
                       Variadic<AnyTensor>:$extras, OptionalAttr<I64Attr>:$num_features,
                       OptionalAttr<StrAttr>:$normalizer, OptionalAttr<I64Attr>:$top_k,
                       OptionalAttr<I64Attr>:$num_tables);
  let results = (outs AnyTensor:$result);
  let regions = (region AnyRegion:$score, AnyRegion:$mask, AnyRegion:$feature,
                        VariadicRegion<AnyRegion>:$contribution);
  let extraClassDeclaration = Attn_AttentionExtraDecls;
  let verifier = Attn_VerifyOp;
}

def Attn_AttentionWeightsOp : Attn_TensorOp<"attention_weights"> {
  let summary = "the weights of an attention: score, mask and softmax over keys";
  let description = [{
    `query: [..., Sq, D]`, `key: [..., Sk, D]` → `[..., Sq, Sk]`, the leading axes equal (the
    key's heads grouped as for `attn.attention`): the
    probabilities an `attn.attention` with the same `score` and `mask` regions multiplies the
    values by (a row whose keys are all removed is zeros). The normal pipeline never makes it;
    the `expose-attention-weights` pass adds one beside each attention when a run dumps
    attention maps, since the fused attention never materialises its weights. Its `extras`,
    `num_features`, `num_tables`, `feature` region, `normalizer` and `top_k` are the
    attention's.
  }];
  let arguments = (ins AnyTensor:$query, AnyTensor:$key, Variadic<AnyTensor>:$extras,
                       OptionalAttr<I64Attr>:$num_features, OptionalAttr<StrAttr>:$normalizer,
                       OptionalAttr<I64Attr>:$top_k, OptionalAttr<I64Attr>:$num_tables);
  let results = (outs AnyTensor:$result);
  let regions = (region AnyRegion:$score, AnyRegion:$mask, VariadicRegion<AnyRegion>:$feature);
  let extraClassDeclaration = Attn_AttentionExtraDecls;
  let verifier = Attn_VerifyOp;
}

def Attn_ScoreDimOp : Attn_Op<"score_dim", [NoSideEffect]> {
  let summary = "the length D of the query and key vectors of the enclosing attention";
  let description = [{
    Valid only inside a region of `attn.attention` or `attn.attention_weights`; folds to a constant once the query's last
    axis is static.
  }];
  let results = (outs F32:$result);
  let assemblyFormat = "attr-dict `:` type($result)";
  let verifier = Attn_VerifyOp;
}

def Attn_LookupOp : Attn_Op<"lookup", [NoSideEffect]> {
  let summary = "an element of a table of the enclosing attention, at computed indices";
  let description = [{
    Valid only in the score region of `attn.attention` or `attn.attention_weights`, or the
    contribution region of `attn.attention`: the
    element of its table number `table` (counting from 0 among its `num_tables` tables) at
    `indices`, one per axis of the table. An index outside its axis reads the nearest element.

    ```mlir
    %r = arith.subi %j, %i : index
    %b = attn.lookup 0 [%h, %r] : f32
    ```
  }];
  let arguments = (ins I64Attr:$table, Variadic<Index>:$indices);
  let results = (outs F32:$result);
  let assemblyFormat = "$table `[` $indices `]` attr-dict `:` type($result)";
  let verifier = Attn_VerifyOp;
}

def Attn_YieldOp : Attn_Op<"yield", [NoSideEffect, Terminator, ReturnLike,
                                    ParentOneOf<["AttentionOp", "AttentionWeightsOp"]>]> {
  let summary = "yields the value of an attention region";
  let arguments = (ins AnyType:$value);
  let assemblyFormat = "$value attr-dict `:` type($value)";
}

#endif // ATTN_ATTENTION_OPS_TD
