// RUN: attn-opt %s -attn-pipeline | FileCheck %s

// The whole pipeline on a causal multi-head attention as the front end builds it: unranked
// results, declared shapes as asserts, a generic score. After it every type is ranked, every op
// carries attn.dims, the asserts are gone, score_dim and sqrt are folded, and the transposes the
// source spelled by hand cancel.

// CHECK-LABEL: func @causal_mha
// CHECK-SAME: -> (tensor<?x?x40xf32> {attn.dims = ["B", "S", 40]})
// CHECK-NOT: attn.assert_shape
// CHECK-NOT: attn.transpose %{{.*}} [0, 2, 1, 3]
// CHECK: %[[WQ:.*]] = attn.param "query.weight" {attn.dims = [40, 40]} : tensor<40x40xf32>
// CHECK: %[[Q:.*]] = attn.matmul %arg0, %[[WQ]] {attn.dims = ["B", "S", 40]} : (tensor<?x?x40xf32>, tensor<40x40xf32>) -> tensor<?x?x40xf32>
// CHECK: %[[QH:.*]] = attn.split_heads %[[Q]] heads = 4 {attn.dims = ["B", 4, "S", 10]} : (tensor<?x?x40xf32>) -> tensor<?x4x?x10xf32>
// CHECK: "attn.attention"(%[[QH]], %[[QH]], %[[QH]])
// CHECK-NEXT: ^bb0(%[[SC:.*]]: f32, %{{.*}}: index, %{{.*}}: index, %{{.*}}: index, %{{.*}}: index):
// CHECK-NEXT: %[[ROOT:.*]] = arith.constant 3.1622777{{[0-9]*}} : f32
// CHECK-NEXT: arith.divf %[[SC]], %[[ROOT]] : f32
// CHECK: arith.cmpi ule
// CHECK: {attn.dims = ["B", 4, "S", 10]} : (tensor<?x4x?x10xf32>, tensor<?x4x?x10xf32>, tensor<?x4x?x10xf32>) -> tensor<?x4x?x10xf32>
// CHECK: attn.merge_heads %{{.*}} {attn.dims = ["B", "S", 40]} : (tensor<?x4x?x10xf32>) -> tensor<?x?x40xf32>
// CHECK-NOT: attn.param "unused
// CHECK: attn.return %{{.*}} : tensor<?x?x40xf32>
func @causal_mha(%x: tensor<?x?x40xf32> {attn.dims = ["B", "S", 40], attn.name = "x"}) -> tensor<*xf32> {
  %unused = attn.param "unused.weight" : tensor<3xf32>
  %wq = attn.param "query.weight" : tensor<40x40xf32>
  %q = attn.matmul %x, %wq : (tensor<?x?x40xf32>, tensor<40x40xf32>) -> tensor<*xf32>
  %q1 = attn.assert_shape %q ["N", "L", 40] scope = 1 : (tensor<*xf32>) -> tensor<*xf32>
  %qh = attn.split_heads %q1 heads = 4 : (tensor<*xf32>) -> tensor<*xf32>
  %t1 = attn.transpose %qh [0, 2, 1, 3] : (tensor<*xf32>) -> tensor<*xf32>
  %t2 = attn.transpose %t1 [0, 2, 1, 3] : (tensor<*xf32>) -> tensor<*xf32>
  %a = "attn.attention"(%t2, %t2, %t2) ({
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
    %d = attn.score_dim : f32
    %r = math.sqrt %d : f32
    %y = arith.divf %s, %r : f32
    "attn.yield"(%y) : (f32) -> ()
  }, {
  ^bb0(%b: index, %h: index, %i: index, %j: index):
    %m = arith.cmpi ule, %j, %i : index
    "attn.yield"(%m) : (i1) -> ()
  }, {}) : (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  %a1 = attn.assert_shape %a ["N", 4, "L", 10] scope = 1 : (tensor<*xf32>) -> tensor<*xf32>
  %o = attn.merge_heads %a1 : (tensor<*xf32>) -> tensor<*xf32>
  %out = attn.assert_shape %o ["B", "S", 40] scope = 0 : (tensor<*xf32>) -> tensor<*xf32>
  attn.return %out : tensor<*xf32>
}

// Attention spelled out op by op, heads laid out sequence-first: the fusion makes it one
// attn.attention reading K through a transpose of Kᵀ, which the canonicalizer composes with the
// transpose that made Kᵀ, leaving K's own layout change. The scale stays in the score region.

// CHECK-LABEL: func @spelled_out
// CHECK-NOT: attn.softmax
// CHECK: %[[Q:.*]] = attn.transpose %arg0 [0, 2, 1, 3] {attn.dims = ["B", 4, "S", 8]}
// CHECK: %[[K:.*]] = attn.transpose %arg0 [0, 2, 1, 3] {attn.dims = ["B", 4, "S", 8]}
// CHECK: "attn.attention"(%[[Q]], %[[K]], %[[Q]])
// CHECK: arith.mulf
// CHECK-NOT: attn.softmax
// CHECK-NOT: attn.matmul
// CHECK: attn.return
func @spelled_out(%x: tensor<?x?x4x8xf32> {attn.dims = ["B", "S", 4, 8], attn.name = "x"}) -> tensor<*xf32> {
  %q = attn.transpose %x [0, 2, 1, 3] : (tensor<?x?x4x8xf32>) -> tensor<*xf32>
  %kt = attn.transpose %x [0, 2, 3, 1] : (tensor<?x?x4x8xf32>) -> tensor<*xf32>
  %s = attn.matmul %q, %kt : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  %c = attn.constant 0.35355339 : tensor<f32>
  %t = attn.mul %s, %c : (tensor<*xf32>, tensor<f32>) -> tensor<*xf32>
  %p = attn.softmax %t axis = 3 : (tensor<*xf32>) -> tensor<*xf32>
  %o = attn.matmul %p, %q : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  attn.return %o : tensor<*xf32>
}
