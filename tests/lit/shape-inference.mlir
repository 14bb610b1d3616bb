// RUN: attn-opt %s -attn-shape-inference -split-input-file | FileCheck %s

// Multi-head attention: symbolic batch and sequence, static features. Every result gets its
// attn.dims and a ranked type with `?` for the symbols; the function's result type follows.

// CHECK-LABEL: func @mha
// CHECK-SAME: (%[[Q:.*]]: tensor<?x?x40xf32> {attn.dims = ["B", "Sq", 40]}, %[[K:.*]]: tensor<?x?x40xf32> {attn.dims = ["B", "Sk", 40]})
// CHECK-SAME: -> (tensor<?x?x40xf32> {attn.dims = ["B", "Sq", 40]})
func @mha(%q: tensor<?x?x40xf32> {attn.dims = ["B", "Sq", 40]},
          %k: tensor<?x?x40xf32> {attn.dims = ["B", "Sk", 40]}) -> tensor<*xf32> {
  // CHECK: attn.param "query.weight" {attn.dims = [40, 40]} : tensor<40x40xf32>
  %w = attn.param "query.weight" : tensor<40x40xf32>
  // CHECK: attn.transpose %{{.*}} [1, 0] {attn.dims = [40, 40]} : (tensor<40x40xf32>) -> tensor<40x40xf32>
  %wt = attn.transpose %w [1, 0] : (tensor<40x40xf32>) -> tensor<*xf32>
  // CHECK: attn.matmul %[[Q]], %{{.*}} {attn.dims = ["B", "Sq", 40]} : (tensor<?x?x40xf32>, tensor<40x40xf32>) -> tensor<?x?x40xf32>
  %x = attn.matmul %q, %wt : (tensor<?x?x40xf32>, tensor<*xf32>) -> tensor<*xf32>
  // CHECK: attn.split_heads %{{.*}} heads = 5 {attn.dims = ["B", 5, "Sq", 8]} : (tensor<?x?x40xf32>) -> tensor<?x5x?x8xf32>
  %h = attn.split_heads %x heads = 5 : (tensor<*xf32>) -> tensor<*xf32>
  // CHECK: attn.split_heads %[[K]] heads = 5 {attn.dims = ["B", 5, "Sk", 8]} : (tensor<?x?x40xf32>) -> tensor<?x5x?x8xf32>
  %kh = attn.split_heads %k heads = 5 : (tensor<?x?x40xf32>) -> tensor<*xf32>
  // The regions' scalar ops are untouched.
  // CHECK: "attn.attention"
  // CHECK: attn.score_dim : f32
  // CHECK: {attn.dims = ["B", 5, "Sq", 8]} : (tensor<?x5x?x8xf32>, tensor<?x5x?x8xf32>, tensor<?x5x?x8xf32>) -> tensor<?x5x?x8xf32>
  %a = "attn.attention"(%h, %kh, %kh) ({
  ^bb0(%s: f32, %b: index, %hh: index, %i: index, %j: index):
    %d = attn.score_dim : f32
    %r = math.sqrt %d : f32
    %y = arith.divf %s, %r : f32
    "attn.yield"(%y) : (f32) -> ()
  }, {
  }, {}) : (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  // CHECK: attn.merge_heads %{{.*}} {attn.dims = ["B", "Sq", 40]} : (tensor<?x5x?x8xf32>) -> tensor<?x?x40xf32>
  %m = attn.merge_heads %a : (tensor<*xf32>) -> tensor<*xf32>
  // CHECK: attn.return %{{.*}} : tensor<?x?x40xf32>
  attn.return %m : tensor<*xf32>
}

// -----

// Broadcasting: a missing axis or a 1 stretches; a rank-0 constant keeps the other shape.

// CHECK-LABEL: func @broadcast
func @broadcast(%x: tensor<?x1x40xf32> {attn.dims = ["B", 1, 40]},
                %y: tensor<?x40xf32> {attn.dims = ["S", 40]},
                %bias: tensor<40xf32>) -> tensor<*xf32> {
  // CHECK: attn.add {{.*}} {attn.dims = ["B", "S", 40]} : (tensor<?x1x40xf32>, tensor<?x40xf32>) -> tensor<?x?x40xf32>
  %s = attn.add %x, %y : (tensor<?x1x40xf32>, tensor<?x40xf32>) -> tensor<*xf32>
  // CHECK: attn.sub {{.*}} {attn.dims = ["B", "S", 40]} : (tensor<?x?x40xf32>, tensor<40xf32>) -> tensor<?x?x40xf32>
  %t = attn.sub %s, %bias : (tensor<*xf32>, tensor<40xf32>) -> tensor<*xf32>
  // A 1 in the higher-rank operand stretches to the other operand's size.
  // CHECK: attn.max {{.*}} {attn.dims = ["B", "S", 40]} : (tensor<?x1x40xf32>, tensor<?x40xf32>) -> tensor<?x?x40xf32>
  %u = attn.max %x, %y : (tensor<?x1x40xf32>, tensor<?x40xf32>) -> tensor<*xf32>
  // CHECK: attn.constant 2.000000e+00 {attn.dims = []} : tensor<f32>
  %c = attn.constant 2.0 : tensor<f32>
  // CHECK: attn.mul {{.*}} {attn.dims = ["B", "S", 40]} : (tensor<?x?x40xf32>, tensor<f32>) -> tensor<?x?x40xf32>
  %v = attn.mul %t, %c : (tensor<*xf32>, tensor<f32>) -> tensor<*xf32>
  // CHECK: attn.tanh {{.*}} {attn.dims = ["B", "S", 40]} : (tensor<?x?x40xf32>) -> tensor<?x?x40xf32>
  %w = attn.tanh %v : (tensor<*xf32>) -> tensor<*xf32>
  // CHECK: attn.softmax {{.*}} axis = 2 {attn.dims = ["B", "S", 40]}
  %p = attn.softmax %w axis = 2 : (tensor<*xf32>) -> tensor<*xf32>
  attn.return %p, %u : tensor<*xf32>, tensor<*xf32>
}

// -----

// An argument with a fully static type needs no attn.dims; one is recorded for it.

// CHECK-LABEL: func @static_argument
// CHECK-SAME: (%{{.*}}: tensor<2x3xf32> {attn.dims = [2, 3]}) -> (tensor<3x2xf32> {attn.dims = [3, 2]})
func @static_argument(%x: tensor<2x3xf32>) -> tensor<*xf32> {
  %t = attn.transpose %x [1, 0] : (tensor<2x3xf32>) -> tensor<*xf32>
  attn.return %t : tensor<*xf32>
}

// -----

// Unranked arguments take their rank from attn.dims.

// CHECK-LABEL: func @unranked_argument
// CHECK-SAME: (%{{.*}}: tensor<?x8xf32> {attn.dims = ["N", 8]}) -> (tensor<8x?xf32> {attn.dims = [8, "N"]})
func @unranked_argument(%x: tensor<*xf32> {attn.dims = ["N", 8]}) -> tensor<*xf32> {
  %t = attn.transpose %x [1, 0] : (tensor<*xf32>) -> tensor<*xf32>
  attn.return %t : tensor<*xf32>
}

// -----

// Reshape: -1 is inferred symbolically; merging and splitting axes builds dim expressions.

// CHECK-LABEL: func @reshape
func @reshape(%x: tensor<?x?x40xf32> {attn.dims = ["B", "S", 40]}) -> tensor<*xf32> {
  // CHECK: attn.reshape {{.*}} [-1, 40] {attn.dims = ["B*S", 40]} : (tensor<?x?x40xf32>) -> tensor<?x40xf32>
  %flat = attn.reshape %x [-1, 40] : (tensor<?x?x40xf32>) -> tensor<*xf32>
  // CHECK: attn.reshape {{.*}} [-1, 4, 10] {attn.dims = ["B*S", 4, 10]} : (tensor<?x40xf32>) -> tensor<?x4x10xf32>
  %split = attn.reshape %flat [-1, 4, 10] : (tensor<*xf32>) -> tensor<*xf32>
  // CHECK: attn.reshape {{.*}} [-1] {attn.dims = ["40*B*S"]} : (tensor<?x4x10xf32>) -> tensor<?xf32>
  %all = attn.reshape %split [-1] : (tensor<*xf32>) -> tensor<*xf32>
  attn.return %all : tensor<*xf32>
}

// -----

// Attention over [S, D] without batch axes, and matmul broadcasting its batch axes.

// CHECK-LABEL: func @rank_two
func @rank_two(%q: tensor<?x16xf32> {attn.dims = ["Sq", 16]},
               %kv: tensor<?x16xf32> {attn.dims = ["Sk", 16]},
               %batched: tensor<?x16x?xf32> {attn.dims = ["B", 16, "Sk"]}) -> tensor<*xf32> {
  // CHECK: "attn.attention"
  // CHECK: {attn.dims = ["Sq", 16]} : (tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>) -> tensor<?x16xf32>
  %a = "attn.attention"(%q, %kv, %kv) ({}, {}, {}) : (tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>) -> tensor<*xf32>
  // CHECK: attn.matmul {{.*}} {attn.dims = ["B", "Sq", "Sk"]} : (tensor<?x16xf32>, tensor<?x16x?xf32>) -> tensor<?x?x?xf32>
  %s = attn.matmul %a, %batched : (tensor<*xf32>, tensor<?x16x?xf32>) -> tensor<*xf32>
  attn.return %s : tensor<*xf32>
}

// -----

// Shape asserts are checked and erased: symbols of scope 0 are the forward's own, those of other
// scopes bind on first use ("S" is "Sq" in scope 1), "..." matches any leading axes, and sizes
// may be expressions over bound symbols.

// CHECK-LABEL: func @asserts
// CHECK-NOT: attn.assert_shape
// CHECK: attn.relu %arg0 {attn.dims = ["B", "Sq", 40]}
// CHECK-NOT: attn.assert_shape
// CHECK: attn.return
func @asserts(%x: tensor<?x?x40xf32> {attn.dims = ["B", "Sq", 40]}) -> tensor<*xf32> {
  %a = attn.assert_shape %x ["B", "Sq", 40] scope = 0 : (tensor<?x?x40xf32>) -> tensor<*xf32>
  %b = attn.assert_shape %a ["N", "S", "E"] scope = 1 : (tensor<*xf32>) -> tensor<*xf32>
  %c = attn.assert_shape %b ["...", "S", 40] scope = 1 : (tensor<*xf32>) -> tensor<*xf32>
  %d = attn.assert_shape %c ["...", "E"] scope = 1 : (tensor<*xf32>) -> tensor<*xf32>
  %e = attn.assert_shape %d ["N", "S", "4*E/4"] scope = 1 : (tensor<*xf32>) -> tensor<*xf32>
  %f = attn.assert_shape %e ["...", "B", "Sq", 40] scope = 0 : (tensor<*xf32>) -> tensor<*xf32>
  %r = attn.relu %f : (tensor<*xf32>) -> tensor<*xf32>
  attn.return %r : tensor<*xf32>
}
