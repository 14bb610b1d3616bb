// RUN: attn-opt %s -attn-shape-inference -split-input-file -verify-diagnostics

// Every error of the ops' shape rules (lib/Dialect/ShapeRules.cpp), reported by shape inference.
// The operands are unranked or symbolic, so the verifiers cannot see these mistakes: only the
// symbols tell `S` from `T`.

func @broadcast(%a: tensor<*xf32> {attn.dims = ["B", "S"]}, %b: tensor<*xf32> {attn.dims = ["B", "T"]}) -> tensor<*xf32> {
  // expected-error@+1 {{shapes [B, S] and [B, T] cannot be broadcast together: axis 1 is S on one side and T on the other}}
  %c = attn.add %a, %b : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  attn.return %c : tensor<*xf32>
}

// -----

func @broadcast_leading_axis(%a: tensor<*xf32> {attn.dims = ["B", 1, 8]}, %b: tensor<*xf32> {attn.dims = ["C", "S", 8]}) -> tensor<*xf32> {
  // expected-error@+1 {{shapes [B, 1, 8] and [C, S, 8] cannot be broadcast together: axis 0 is B on one side and C on the other}}
  %c = attn.max %a, %b : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  attn.return %c : tensor<*xf32>
}

// -----

func @matmul_rank(%a: tensor<*xf32> {attn.dims = ["S"]}, %b: tensor<*xf32> {attn.dims = ["S", 4]}) -> tensor<*xf32> {
  // expected-error@+1 {{matmul needs a tensor of rank 2 or more, got [S]}}
  %c = attn.matmul %a, %b : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  attn.return %c : tensor<*xf32>
}

// -----

func @matmul_contraction(%a: tensor<*xf32> {attn.dims = ["M", "K"]}, %b: tensor<*xf32> {attn.dims = ["N", "P"]}) -> tensor<*xf32> {
  // expected-error@+1 {{matmul of [M, K] and [N, P]: the contracted dimensions differ (K vs N)}}
  %c = attn.matmul %a, %b : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  attn.return %c : tensor<*xf32>
}

// -----

func @matmul_batch(%a: tensor<*xf32> {attn.dims = ["B", "M", "K"]}, %b: tensor<*xf32> {attn.dims = ["C", "K", "N"]}) -> tensor<*xf32> {
  // expected-error@+1 {{shapes [B] and [C] cannot be broadcast together: axis 0 is B on one side and C on the other}}
  %c = attn.matmul %a, %b : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  attn.return %c : tensor<*xf32>
}

// -----

func @transpose_rank(%a: tensor<*xf32> {attn.dims = ["A", "B", "C"]}) -> tensor<*xf32> {
  // expected-error@+1 {{transpose permutation has 2 axes but the input [A, B, C] has 3}}
  %t = attn.transpose %a [1, 0] : (tensor<*xf32>) -> tensor<*xf32>
  attn.return %t : tensor<*xf32>
}

// -----

func @reshape_count(%a: tensor<*xf32> {attn.dims = [2, 3]}) -> tensor<*xf32> {
  // expected-error@+1 {{cannot reshape [2, 3] (6 elements) to [4, 2] (8 elements)}}
  %r = attn.reshape %a [4, 2] : (tensor<*xf32>) -> tensor<*xf32>
  attn.return %r : tensor<*xf32>
}

// -----

func @reshape_symbolic_count(%a: tensor<*xf32> {attn.dims = ["B", "S"]}) -> tensor<*xf32> {
  // expected-error@+1 {{cannot reshape [B, S] (B*S elements) to [4] (4 elements)}}
  %r = attn.reshape %a [4] : (tensor<*xf32>) -> tensor<*xf32>
  attn.return %r : tensor<*xf32>
}

// -----

func @reshape_inferred(%a: tensor<*xf32> {attn.dims = [2, 3]}) -> tensor<*xf32> {
  // expected-error@+1 {{cannot reshape [2, 3] (6 elements) into groups of 4}}
  %r = attn.reshape %a [-1, 4] : (tensor<*xf32>) -> tensor<*xf32>
  attn.return %r : tensor<*xf32>
}

// -----

func @split_heads_divisible(%a: tensor<*xf32> {attn.dims = ["B", "S", 40]}) -> tensor<*xf32> {
  // expected-error@+1 {{split_heads: the feature size 40 is not divisible by 3 heads}}
  %h = attn.split_heads %a heads = 3 : (tensor<*xf32>) -> tensor<*xf32>
  attn.return %h : tensor<*xf32>
}

// -----

func @split_heads_symbolic(%a: tensor<*xf32> {attn.dims = ["B", "S", "E"]}) -> tensor<*xf32> {
  // expected-error@+1 {{split_heads needs a static feature size, got E in [B, S, E]}}
  %h = attn.split_heads %a heads = 4 : (tensor<*xf32>) -> tensor<*xf32>
  attn.return %h : tensor<*xf32>
}

// -----

func @split_heads_rank(%a: tensor<*xf32> {attn.dims = ["S", 40]}) -> tensor<*xf32> {
  // expected-error@+1 {{split_heads needs [batch, sequence, features], got [S, 40]}}
  %h = attn.split_heads %a heads = 4 : (tensor<*xf32>) -> tensor<*xf32>
  attn.return %h : tensor<*xf32>
}

// -----

func @merge_heads_rank(%a: tensor<*xf32> {attn.dims = ["B", "S", 40]}) -> tensor<*xf32> {
  // expected-error@+1 {{merge_heads needs [batch, heads, sequence, head_dim], got [B, S, 40]}}
  %m = attn.merge_heads %a : (tensor<*xf32>) -> tensor<*xf32>
  attn.return %m : tensor<*xf32>
}

// -----

func @softmax_axis(%a: tensor<*xf32> {attn.dims = ["B", "S"]}) -> tensor<*xf32> {
  // expected-error@+1 {{softmax axis 2 is out of range for [B, S]}}
  %s = attn.softmax %a axis = 2 : (tensor<*xf32>) -> tensor<*xf32>
  attn.return %s : tensor<*xf32>
}

// -----

func @attention_rank(%q: tensor<*xf32> {attn.dims = ["B", "S", 8]}, %kv: tensor<*xf32> {attn.dims = ["S", 8]}) -> tensor<*xf32> {
  // expected-error@+1 {{attention needs query, key and value of one rank between 2 and 4, got query [B, S, 8], key [S, 8], value [S, 8]}}
  %a = "attn.attention"(%q, %kv, %kv) ({}, {}, {}) : (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  attn.return %a : tensor<*xf32>
}

// -----

func @attention_leading_axis(%q: tensor<*xf32> {attn.dims = ["B", "S", 8]}, %kv: tensor<*xf32> {attn.dims = ["C", "S", 8]}) -> tensor<*xf32> {
  // expected-error@+1 {{attention: leading axis 0 differs between query [B, S, 8], key [C, S, 8], value [C, S, 8]}}
  %a = "attn.attention"(%q, %kv, %kv) ({}, {}, {}) : (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  attn.return %a : tensor<*xf32>
}

// -----

func @attention_weights_rank(%q: tensor<*xf32> {attn.dims = ["B", "S", 8]}, %k: tensor<*xf32> {attn.dims = ["S", 8]}) -> tensor<*xf32> {
  // expected-error@+1 {{attention weights need query and key of one rank between 2 and 4, got query [B, S, 8], key [S, 8]}}
  %a = "attn.attention_weights"(%q, %k) ({}, {}) : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  attn.return %a : tensor<*xf32>
}

// -----

func @attention_weights_leading_axis(%q: tensor<*xf32> {attn.dims = ["B", "S", 8]}, %k: tensor<*xf32> {attn.dims = ["C", "S", 8]}) -> tensor<*xf32> {
  // expected-error@+1 {{attention weights: leading axis 0 differs between query [B, S, 8], key [C, S, 8]}}
  %a = "attn.attention_weights"(%q, %k) ({}, {}) : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  attn.return %a : tensor<*xf32>
}

// -----

func @attention_weights_vector_length(%q: tensor<*xf32> {attn.dims = ["Sq", "D"]}, %k: tensor<*xf32> {attn.dims = ["Sk", "E"]}) -> tensor<*xf32> {
  // expected-error@+1 {{attention weights: query and key vectors differ in length: query [Sq, D], key [Sk, E]}}
  %a = "attn.attention_weights"(%q, %k) ({}, {}) : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  attn.return %a : tensor<*xf32>
}

// -----

func @attention_vector_length(%q: tensor<*xf32> {attn.dims = ["Sq", "D"]}, %kv: tensor<*xf32> {attn.dims = ["Sk", "E"]}) -> tensor<*xf32> {
  // expected-error@+1 {{attention: query and key vectors differ in length (D vs E): query [Sq, D], key [Sk, E], value [Sk, E]}}
  %a = "attn.attention"(%q, %kv, %kv) ({}, {}, {}) : (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  attn.return %a : tensor<*xf32>
}

// -----

func @attention_sequence_length(%q: tensor<*xf32> {attn.dims = ["Sq", 8]}, %k: tensor<*xf32> {attn.dims = ["Sk", 8]}, %v: tensor<*xf32> {attn.dims = ["T", 8]}) -> tensor<*xf32> {
  // expected-error@+1 {{attention: key and value sequences differ in length (Sk vs T): query [Sq, 8], key [Sk, 8], value [T, 8]}}
  %a = "attn.attention"(%q, %k, %v) ({}, {}, {}) : (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  attn.return %a : tensor<*xf32>
}
