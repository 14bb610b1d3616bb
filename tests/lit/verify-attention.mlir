// RUN: attn-opt %s -split-input-file -verify-diagnostics

// The attn.attention verifier: the form of its score and mask regions, and the static sizes of
// query, key, value and result.

func @score_arguments(%q: tensor<?x8xf32>) {
  // expected-error@+1 {{'attn.attention' op the score region must take (s: f32, b: index, h: index, i: index, j: index)}}
  %a = "attn.attention"(%q, %q, %q) ({
  ^bb0(%s: f32, %i: index, %j: index):
    "attn.yield"(%s) : (f32) -> ()
  }, {
  }, {}) : (tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @score_yield_type(%q: tensor<?x8xf32>) {
  // expected-error@+1 {{'attn.attention' op the score region must yield 'f32', not 'i1'}}
  %a = "attn.attention"(%q, %q, %q) ({
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
    %m = arith.cmpi ule, %j, %i : index
    "attn.yield"(%m) : (i1) -> ()
  }, {
  }, {}) : (tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @score_blocks(%q: tensor<?x8xf32>) {
  // expected-error@+1 {{'attn.attention' op the score region must have a single block}}
  %a = "attn.attention"(%q, %q, %q) ({
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
    "attn.yield"(%s) : (f32) -> ()
  ^bb1:
    %z = arith.constant 0.0 : f32
    "attn.yield"(%z) : (f32) -> ()
  }, {
  }, {}) : (tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @score_without_yield(%q: tensor<?x8xf32>) {
  // expected-error@+1 {{'attn.attention' op the score region must end in attn.yield}}
  %a = "attn.attention"(%q, %q, %q) ({
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
    %z = arith.constant 0.0 : f32
  }, {
  }, {}) : (tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @mask_arguments(%q: tensor<?x8xf32>) {
  // expected-error@+1 {{'attn.attention' op the mask region must take (b: index, h: index, i: index, j: index)}}
  %a = "attn.attention"(%q, %q, %q) ({
  }, {
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
    %m = arith.cmpi ule, %j, %i : index
    "attn.yield"(%m) : (i1) -> ()
  }, {}) : (tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<*xf32>
  attn.return
}

// -----

// A mask given as a tensor: the mask region takes the extras after the indices, as the score
// region does (here a per-key extra [1, Sk] and the mask [Sq, Sk]).
func @mask_reads_extras(%q: tensor<?x8xf32>, %bias: tensor<1x?xf32>, %adj: tensor<?x?xf32>) {
  %a = "attn.attention"(%q, %q, %q, %bias, %adj) ({
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index, %e: f32, %m: f32):
    %t = arith.addf %s, %e : f32
    "attn.yield"(%t) : (f32) -> ()
  }, {
  ^bb0(%b: index, %h: index, %i: index, %j: index, %e: f32, %m: f32):
    %z = arith.constant 0.0 : f32
    %keep = arith.cmpf une, %m, %z : f32
    "attn.yield"(%keep) : (i1) -> ()
  }, {}) : (tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<1x?xf32>, tensor<?x?xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @mask_extra_count(%q: tensor<?x8xf32>, %bias: tensor<1x?xf32>, %adj: tensor<?x?xf32>) {
  // expected-error@+1 {{'attn.attention' op the mask region must take (b: index, h: index, i: index, j: index), and optionally an f32 per extra operand}}
  %a = "attn.attention"(%q, %q, %q, %bias, %adj) ({
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index, %e: f32, %m: f32):
    "attn.yield"(%s) : (f32) -> ()
  }, {
  ^bb0(%b: index, %h: index, %i: index, %j: index, %m: f32):
    %z = arith.constant 0.0 : f32
    %keep = arith.cmpf une, %m, %z : f32
    "attn.yield"(%keep) : (i1) -> ()
  }, {}) : (tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<1x?xf32>, tensor<?x?xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @mask_yield_type(%q: tensor<?x8xf32>) {
  // expected-error@+1 {{'attn.attention' op the mask region must yield 'i1', not 'f32'}}
  %a = "attn.attention"(%q, %q, %q) ({
  }, {
  ^bb0(%b: index, %h: index, %i: index, %j: index):
    %z = arith.constant 0.0 : f32
    "attn.yield"(%z) : (f32) -> ()
  }, {}) : (tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @yield_outside_attention(%x: f32) {
  // expected-error@+1 {{'attn.yield' op expects parent op to be one of 'attn.attention, attn.attention_weights'}}
  "attn.yield"(%x) : (f32) -> ()
}

// -----

func @query_rank(%q: tensor<1x2x3x4x8xf32>) {
  // expected-error@+1 {{'attn.attention' op needs a query of rank 2 to 4 ([..., S, D]), got 'tensor<1x2x3x4x8xf32>'}}
  %a = "attn.attention"(%q, %q, %q) ({}, {}, {}) : (tensor<1x2x3x4x8xf32>, tensor<1x2x3x4x8xf32>, tensor<1x2x3x4x8xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @ranks_differ(%q: tensor<2x?x8xf32>, %k: tensor<?x8xf32>) {
  // expected-error@+1 {{'attn.attention' op needs query and key of the same rank, got 'tensor<2x?x8xf32>' and 'tensor<?x8xf32>'}}
  %a = "attn.attention"(%q, %k, %k) ({}, {}, {}) : (tensor<2x?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @vector_lengths(%q: tensor<?x8xf32>, %k: tensor<?x16xf32>) {
  // expected-error@+1 {{'attn.attention' op query and key differ in vector length (8 vs 16): 'tensor<?x8xf32>' and 'tensor<?x16xf32>'}}
  %a = "attn.attention"(%q, %k, %k) ({}, {}, {}) : (tensor<?x8xf32>, tensor<?x16xf32>, tensor<?x16xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @key_value_lengths(%q: tensor<?x8xf32>, %k: tensor<7x8xf32>, %v: tensor<9x8xf32>) {
  // expected-error@+1 {{'attn.attention' op key and value differ in sequence length (7 vs 9)}}
  %a = "attn.attention"(%q, %k, %v) ({}, {}, {}) : (tensor<?x8xf32>, tensor<7x8xf32>, tensor<9x8xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @leading_axes(%q: tensor<2x?x8xf32>, %k: tensor<3x?x8xf32>) {
  // expected-error@+1 {{'attn.attention' op query and key differ on leading axis 0 (2 vs 3)}}
  %a = "attn.attention"(%q, %k, %k) ({}, {}, {}) : (tensor<2x?x8xf32>, tensor<3x?x8xf32>, tensor<3x?x8xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @result_length(%q: tensor<5x8xf32>, %kv: tensor<?x4xf32>) {
  // expected-error@+1 {{'attn.attention' op query and key differ in vector length (8 vs 4)}}
  %a = "attn.attention"(%q, %kv, %kv) ({}, {}, {}) : (tensor<5x8xf32>, tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<5x4xf32>
  attn.return
}

// -----

func @result_rows(%q: tensor<5x8xf32>, %k: tensor<?x8xf32>, %v: tensor<?x3xf32>) {
  // expected-error@+1 {{'attn.attention' op query and result differ in sequence length (5 vs 6)}}
  %a = "attn.attention"(%q, %k, %v) ({}, {}, {}) : (tensor<5x8xf32>, tensor<?x8xf32>, tensor<?x3xf32>) -> tensor<6x3xf32>
  attn.return
}

// -----

func @result_columns(%q: tensor<5x8xf32>, %k: tensor<?x8xf32>, %v: tensor<?x3xf32>) {
  // expected-error@+1 {{'attn.attention' op value and result differ in vector length (3 vs 8)}}
  %a = "attn.attention"(%q, %k, %v) ({}, {}, {}) : (tensor<5x8xf32>, tensor<?x8xf32>, tensor<?x3xf32>) -> tensor<5x8xf32>
  attn.return
}

// -----

// attn.attention_weights: the same regions, and a result of [..., Sq, Sk].

func @weights_mask_yield_type(%q: tensor<?x8xf32>) {
  // expected-error@+1 {{'attn.attention_weights' op the mask region must yield 'i1', not 'f32'}}
  %a = "attn.attention_weights"(%q, %q) ({
  }, {
  ^bb0(%b: index, %h: index, %i: index, %j: index):
    %z = arith.constant 0.0 : f32
    "attn.yield"(%z) : (f32) -> ()
  }) : (tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @weights_vector_length(%q: tensor<?x8xf32>, %k: tensor<?x4xf32>) {
  // expected-error@+1 {{'attn.attention_weights' op query and key differ in vector length: 'tensor<?x8xf32>' and 'tensor<?x4xf32>'}}
  %a = "attn.attention_weights"(%q, %k) ({
  }, {
  }) : (tensor<?x8xf32>, tensor<?x4xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @weights_result(%q: tensor<3x8xf32>, %k: tensor<5x8xf32>) {
  // expected-error@+1 {{'attn.attention_weights' op needs a result of [..., Sq, Sk] for query 'tensor<3x8xf32>' and key 'tensor<5x8xf32>', got 'tensor<3x8xf32>'}}
  %a = "attn.attention_weights"(%q, %k) ({
  }, {
  }) : (tensor<3x8xf32>, tensor<5x8xf32>) -> tensor<3x8xf32>
  attn.return
}

// -----

func @weights_leading_axes(%q: tensor<2x3x8xf32>, %k: tensor<4x5x8xf32>) {
  // expected-error@+1 {{'attn.attention_weights' op query, key and result differ on leading axis 0}}
  %a = "attn.attention_weights"(%q, %k) ({
  }, {
  }) : (tensor<2x3x8xf32>, tensor<4x5x8xf32>) -> tensor<*xf32>
  attn.return
}

// -----

// Grouped-query attention: the key and value may have fewer heads (axis 1 of rank 4) than the
// query when that count divides the query's, or a single head; key and value agree.
func @grouped_heads(%q: tensor<2x8x?x16xf32>, %k2: tensor<2x2x?x16xf32>, %k1: tensor<2x1x?x16xf32>,
                    %qh: tensor<2x?x?x16xf32>) {
  %a = "attn.attention"(%q, %k2, %k2) ({}, {}, {}) : (tensor<2x8x?x16xf32>, tensor<2x2x?x16xf32>, tensor<2x2x?x16xf32>) -> tensor<2x8x?x16xf32>
  %b = "attn.attention"(%qh, %k1, %k1) ({}, {}, {}) : (tensor<2x?x?x16xf32>, tensor<2x1x?x16xf32>, tensor<2x1x?x16xf32>) -> tensor<*xf32>
  %c = "attn.attention_weights"(%q, %k2) ({}, {}) : (tensor<2x8x?x16xf32>, tensor<2x2x?x16xf32>) -> tensor<2x8x?x?xf32>
  attn.return
}

// -----

// A key or value with 1 on a leading axis is shared by every batch (or head) of the query: the
// rows of a parameter indexed by key position take the key's place.
func @shared_key(%q: tensor<?x?x8xf32>, %rows: tensor<1x?x8xf32>, %v: tensor<?x?x4xf32>,
                 %q4: tensor<?x3x?x8xf32>, %rows4: tensor<1x1x?x8xf32>, %v4: tensor<?x3x?x4xf32>) {
  %a = "attn.attention"(%q, %rows, %v) ({}, {}, {}) : (tensor<?x?x8xf32>, tensor<1x?x8xf32>, tensor<?x?x4xf32>) -> tensor<?x?x4xf32>
  %b = "attn.attention"(%q4, %rows4, %v4) ({}, {}, {}) : (tensor<?x3x?x8xf32>, tensor<1x1x?x8xf32>, tensor<?x3x?x4xf32>) -> tensor<*xf32>
  %c = "attn.attention_weights"(%q, %rows) ({}, {}) : (tensor<?x?x8xf32>, tensor<1x?x8xf32>) -> tensor<?x?x?xf32>
  attn.return
}

// -----

func @shared_result(%q: tensor<1x?x8xf32>, %k: tensor<2x?x8xf32>) {
  // expected-error@+1 {{'attn.attention' op query and key differ on leading axis 0 (1 vs 2)}}
  %a = "attn.attention"(%q, %k, %k) ({}, {}, {}) : (tensor<1x?x8xf32>, tensor<2x?x8xf32>, tensor<2x?x8xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @grouped_heads_not_dividing(%q: tensor<2x6x?x16xf32>, %k: tensor<2x4x?x16xf32>) {
  // expected-error@+1 {{'attn.attention' op query and key differ on leading axis 1 (6 vs 4)}}
  %a = "attn.attention"(%q, %k, %k) ({}, {}, {}) : (tensor<2x6x?x16xf32>, tensor<2x4x?x16xf32>, tensor<2x4x?x16xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @grouped_heads_key_value_differ(%q: tensor<2x8x?x16xf32>, %k: tensor<2x2x?x16xf32>,
                                     %v: tensor<2x4x?x16xf32>) {
  // expected-error@+1 {{'attn.attention' op key and value differ on leading axis 1}}
  %a = "attn.attention"(%q, %k, %v) ({}, {}, {}) : (tensor<2x8x?x16xf32>, tensor<2x2x?x16xf32>, tensor<2x4x?x16xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @grouped_heads_rank3(%q: tensor<8x?x16xf32>, %k: tensor<2x?x16xf32>) {
  // expected-error@+1 {{'attn.attention' op query and key differ on leading axis 0 (8 vs 2)}}
  %a = "attn.attention"(%q, %k, %k) ({}, {}, {}) : (tensor<8x?x16xf32>, tensor<2x?x16xf32>, tensor<2x?x16xf32>) -> tensor<*xf32>
  attn.return
}

// -----

// The feature region replaces the dot product: (qa, ka) and an element of each feature vector,
// the last num_features extras, rank 1 and as long as the query's vectors.
func @feature_ok(%q: tensor<?x8xf32>, %w: tensor<8xf32>) {
  %a = "attn.attention"(%q, %q, %q, %w) ({
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
    "attn.yield"(%s) : (f32) -> ()
  }, {
  }, {
  ^bb0(%qa: f32, %ka: f32, %wa: f32):
    %e = arith.addf %qa, %ka : f32
    %t = math.tanh %e : f32
    %m = arith.mulf %wa, %t : f32
    "attn.yield"(%m) : (f32) -> ()
  }) {num_features = 1} : (tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<8xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @feature_arguments(%q: tensor<?x8xf32>, %w: tensor<8xf32>) {
  // expected-error@+1 {{'attn.attention' op the feature region must take (qa: f32, ka: f32) and an f32 per feature vector}}
  %a = "attn.attention"(%q, %q, %q, %w) ({
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
    "attn.yield"(%s) : (f32) -> ()
  }, {
  }, {
  ^bb0(%qa: f32, %ka: f32):
    "attn.yield"(%qa) : (f32) -> ()
  }) {num_features = 1} : (tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<8xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @feature_without_count(%q: tensor<?x8xf32>) {
  // expected-error@+1 {{'attn.attention' op needs a feature region exactly when num_features is set}}
  %a = "attn.attention"(%q, %q, %q) ({
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
    "attn.yield"(%s) : (f32) -> ()
  }, {
  }, {
  ^bb0(%qa: f32, %ka: f32):
    "attn.yield"(%qa) : (f32) -> ()
  }) : (tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @feature_vector_length(%q: tensor<?x8xf32>, %w: tensor<6xf32>) {
  // expected-error@+1 {{'attn.attention' op feature vector 'tensor<6xf32>' differs in length from the query 'tensor<?x8xf32>'}}
  %a = "attn.attention"(%q, %q, %q, %w) ({
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
    "attn.yield"(%s) : (f32) -> ()
  }, {
  }, {
  ^bb0(%qa: f32, %ka: f32, %wa: f32):
    "attn.yield"(%wa) : (f32) -> ()
  }) {num_features = 1} : (tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<6xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @feature_vector_rank(%q: tensor<?x8xf32>, %w: tensor<1x8xf32>) {
  // expected-error@+1 {{'attn.attention' op needs feature vectors of rank 1, got 'tensor<1x8xf32>'}}
  %a = "attn.attention"(%q, %q, %q, %w) ({
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
    "attn.yield"(%s) : (f32) -> ()
  }, {
  }, {
  ^bb0(%qa: f32, %ka: f32, %wa: f32):
    "attn.yield"(%wa) : (f32) -> ()
  }) {num_features = 1} : (tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<1x8xf32>) -> tensor<*xf32>
  attn.return
}

// -----

// How the weights come from the scores: softmax (absent), argmax, or topk with its top_k.
func @normalizer_ok(%q: tensor<?x8xf32>) {
  %a = "attn.attention"(%q, %q, %q) ({
  }, {
  }, {}) {normalizer = "topk", top_k = 3} : (tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<*xf32>
  %b = "attn.attention"(%q, %q, %q) ({
  }, {
  }, {}) {normalizer = "argmax"} : (tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @normalizer_unknown(%q: tensor<?x8xf32>) {
  // expected-error@+1 {{'attn.attention' op has an unknown normalizer 'sparsemax' (softmax, argmax or topk)}}
  %a = "attn.attention"(%q, %q, %q) ({
  }, {
  }, {}) {normalizer = "sparsemax"} : (tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @normalizer_topk_count(%q: tensor<?x8xf32>) {
  // expected-error@+1 {{'attn.attention' op needs top_k exactly when the normalizer is topk}}
  %a = "attn.attention"(%q, %q, %q) ({
  }, {
  }, {}) {normalizer = "argmax", top_k = 2} : (tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @normalizer_topk_positive(%q: tensor<?x8xf32>) {
  // expected-error@+1 {{'attn.attention' op needs top_k >= 1, got 0}}
  %a = "attn.attention"(%q, %q, %q) ({
  }, {
  }, {}) {normalizer = "topk", top_k = 0} : (tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<*xf32>
  attn.return
}

// -----

// Tables (num_tables, before the feature vectors) are read by attn.lookup at indices the score
// computes, one per axis.
func @tables(%q: tensor<?x3x?x8xf32>, %k: tensor<?x3x?x8xf32>, %v: tensor<?x3x?x4xf32>,
             %bias: tensor<3x9xf32>, %distance: tensor<6xf32>) {
  %a = "attn.attention"(%q, %k, %v, %bias, %distance) ({
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
    %r = arith.subi %j, %i : index
    %x = attn.lookup 0 [%h, %r] : f32
    %y = attn.lookup 1 [%r] : f32
    %t = arith.addf %s, %x : f32
    %u = arith.addf %t, %y : f32
    attn.yield %u : f32
  }, {}, {}) {num_tables = 2} : (tensor<?x3x?x8xf32>, tensor<?x3x?x8xf32>, tensor<?x3x?x4xf32>, tensor<3x9xf32>, tensor<6xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @lookup_index_count(%q: tensor<?x?x8xf32>, %bias: tensor<3x9xf32>) {
  %a = "attn.attention"(%q, %q, %q, %bias) ({
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
    // expected-error@+1 {{'attn.lookup' op needs 2 indices for table 'tensor<3x9xf32>', got 1}}
    %x = attn.lookup 0 [%j] : f32
    attn.yield %x : f32
  }, {}, {}) {num_tables = 1} : (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<3x9xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @lookup_table_number(%q: tensor<?x?x8xf32>, %bias: tensor<9xf32>) {
  %a = "attn.attention"(%q, %q, %q, %bias) ({
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
    // expected-error@+1 {{'attn.lookup' op reads table 1 of an attention with 1 tables}}
    %x = attn.lookup 1 [%j] : f32
    attn.yield %x : f32
  }, {}, {}) {num_tables = 1} : (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<9xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @lookup_in_mask(%q: tensor<?x?x8xf32>, %bias: tensor<9xf32>) {
  %a = "attn.attention"(%q, %q, %q, %bias) ({}, {
  ^bb0(%b: index, %h: index, %i: index, %j: index):
    // expected-error@+1 {{'attn.lookup' op is only meaningful in the score or contribution region of an attn.attention}}
    %x = attn.lookup 0 [%j] : f32
    %c = arith.constant 0.0 : f32
    %keep = arith.cmpf ogt, %x, %c : f32
    attn.yield %keep : i1
  }, {}) {num_tables = 1} : (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<9xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @tables_count(%q: tensor<?x?x8xf32>, %bias: tensor<9xf32>) {
  // expected-error@+1 {{'attn.attention' op num_tables is 2 but there are only 1 extra operands before the feature vectors}}
  %a = "attn.attention"(%q, %q, %q, %bias) ({}, {}, {}) {num_tables = 2} : (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<9xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @table_rank(%q: tensor<?x?x8xf32>, %c: tensor<f32>) {
  // expected-error@+1 {{'attn.attention' op needs f32 tables of rank 1 or more, got 'tensor<f32>'}}
  %a = "attn.attention"(%q, %q, %q, %c) ({}, {}, {}) {num_tables = 1} : (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<f32>) -> tensor<*xf32>
  attn.return
}

// -----

// The contribution region gives what key j adds to element e of query i's result: here v plus
// a row of a table at j - i (relative positions), read at e.
func @contribution_reads_table(%q: tensor<2x5x8xf32>, %t: tensor<9x8xf32>) {
  %a = "attn.attention"(%q, %q, %q, %t) ({}, {}, {}, {
  ^bb0(%v: f32, %b: index, %h: index, %i: index, %j: index, %e: index):
    %r = arith.subi %j, %i : index
    %x = attn.lookup 0 [%r, %e] : f32
    %y = arith.addf %v, %x : f32
    attn.yield %y : f32
  }) {num_tables = 1} : (tensor<2x5x8xf32>, tensor<2x5x8xf32>, tensor<2x5x8xf32>, tensor<9x8xf32>) -> tensor<2x5x8xf32>
  attn.return
}

// -----

func @contribution_arguments(%q: tensor<?x?x8xf32>) {
  // expected-error@+1 {{'attn.attention' op the contribution region must take (v: f32, b: index, h: index, i: index, j: index, e: index) and an f32 per score extra}}
  %a = "attn.attention"(%q, %q, %q) ({}, {}, {}, {
  ^bb0(%v: f32, %b: index, %h: index, %i: index, %j: index):
    attn.yield %v : f32
  }) : (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x?x8xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @contribution_count(%q: tensor<?x?x8xf32>) {
  // expected-error@+1 {{'attn.attention' op has at most one contribution region, got 2}}
  %a = "attn.attention"(%q, %q, %q) ({}, {}, {}, {}, {}) : (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x?x8xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @contribution_row_length(%q: tensor<2x5x8xf32>, %t: tensor<9x4xf32>) {
  %a = "attn.attention"(%q, %q, %q, %t) ({}, {}, {}, {
  ^bb0(%v: f32, %b: index, %h: index, %i: index, %j: index, %e: index):
    %r = arith.subi %j, %i : index
    // expected-error@+1 {{'attn.lookup' op reads rows of 4 elements from table 'tensor<9x4xf32>' for values of 8 elements}}
    %x = attn.lookup 0 [%r, %e] : f32
    attn.yield %x : f32
  }) {num_tables = 1} : (tensor<2x5x8xf32>, tensor<2x5x8xf32>, tensor<2x5x8xf32>, tensor<9x4xf32>) -> tensor<2x5x8xf32>
  attn.return
}
