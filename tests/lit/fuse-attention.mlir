// RUN: attn-opt %s -attn-shape-inference -attn-fuse-attention -split-input-file | FileCheck %s

// The pass needs shapes, so each case runs shape inference first. Every spelling of
// softmax(scale(Q·Kᵀ))·V below becomes one attn.attention whose score region holds the scale.

// Unscaled, rank 3 (batch), K transposed by an explicit attn.transpose: the attention reads K.

// CHECK-LABEL: func @unscaled
// CHECK-SAME: (%[[Q:.*]]: tensor<?x?x16xf32> {{.*}}, %[[K:.*]]: tensor<?x?x16xf32> {{.*}}, %[[V:.*]]: tensor<?x?x24xf32>
// CHECK-NOT: attn.matmul
// CHECK-NOT: attn.softmax
// CHECK: %[[A:.*]] = "attn.attention"(%[[Q]], %[[K]], %[[V]])
// CHECK-NEXT: ^bb0(%[[S:.*]]: f32, %{{.*}}: index, %{{.*}}: index, %{{.*}}: index, %{{.*}}: index):
// CHECK-NEXT: attn.yield %[[S]] : f32
// CHECK-NEXT: }, {
// CHECK-NEXT: }, {
// CHECK-NEXT: })
// CHECK-SAME: {attn.dims = ["B", "Sq", 24]} : (tensor<?x?x16xf32>, tensor<?x?x16xf32>, tensor<?x?x24xf32>) -> tensor<?x?x24xf32>
// CHECK-NOT: attn.softmax
// CHECK-NOT: attn.matmul
// CHECK: attn.return %[[A]]
func @unscaled(%q: tensor<?x?x16xf32> {attn.dims = ["B", "Sq", 16]},
               %k: tensor<?x?x16xf32> {attn.dims = ["B", "Sk", 16]},
               %v: tensor<?x?x24xf32> {attn.dims = ["B", "Sk", 24]}) -> tensor<*xf32> {
  %kt = attn.transpose %k [0, 2, 1] : (tensor<?x?x16xf32>) -> tensor<*xf32>
  %s = attn.matmul %q, %kt : (tensor<?x?x16xf32>, tensor<*xf32>) -> tensor<*xf32>
  %p = attn.softmax %s axis = 2 : (tensor<*xf32>) -> tensor<*xf32>
  %o = attn.matmul %p, %v : (tensor<*xf32>, tensor<?x?x24xf32>) -> tensor<*xf32>
  attn.return %o : tensor<*xf32>
}

// -----

// Scaled by a multiplication (the constant on either side), rank 4 (batch × heads).

// CHECK-LABEL: func @scale_by_mul
// CHECK-NOT: attn.softmax
// CHECK: "attn.attention"
// CHECK-NEXT: ^bb0(%[[S:.*]]: f32, %{{.*}}: index, %{{.*}}: index, %{{.*}}: index, %{{.*}}: index):
// CHECK-NEXT: %[[C:.*]] = arith.constant 1.250000e-01 : f32
// CHECK-NEXT: %[[Y:.*]] = arith.mulf %[[S]], %[[C]] : f32
// CHECK-NEXT: attn.yield %[[Y]] : f32
// CHECK: {attn.dims = ["B", 4, "S", 8]} : (tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32>) -> tensor<?x4x?x8xf32>
// CHECK-NOT: attn.softmax
// CHECK-NOT: attn.matmul
// CHECK-NOT: attn.mul
func @scale_by_mul(%x: tensor<?x4x?x8xf32> {attn.dims = ["B", 4, "S", 8]}) -> tensor<*xf32> {
  %kt = attn.transpose %x [0, 1, 3, 2] : (tensor<?x4x?x8xf32>) -> tensor<*xf32>
  %s = attn.matmul %x, %kt : (tensor<?x4x?x8xf32>, tensor<*xf32>) -> tensor<*xf32>
  %c = attn.constant 0.125 : tensor<f32>
  %t = attn.mul %c, %s : (tensor<f32>, tensor<*xf32>) -> tensor<*xf32>
  %p = attn.softmax %t axis = 3 : (tensor<*xf32>) -> tensor<*xf32>
  %o = attn.matmul %p, %x : (tensor<*xf32>, tensor<?x4x?x8xf32>) -> tensor<*xf32>
  attn.return %o : tensor<*xf32>
}

// -----

// Scaled by a division, as the seed's MultiHeadAttention writes `/ math.sqrt(head_dim)`, on
// split heads.

// CHECK-LABEL: func @scale_by_div
// CHECK: %[[QH:.*]] = attn.split_heads %arg0
// CHECK: %[[KH:.*]] = attn.split_heads %arg1
// CHECK: %[[VH:.*]] = attn.split_heads %arg2
// CHECK-NOT: attn.softmax
// CHECK: "attn.attention"(%[[QH]], %[[KH]], %[[VH]])
// CHECK-NEXT: ^bb0(%[[S:.*]]: f32, %{{.*}}: index, %{{.*}}: index, %{{.*}}: index, %{{.*}}: index):
// CHECK-NEXT: %[[C:.*]] = arith.constant 2.82842708 : f32
// CHECK-NEXT: %[[Y:.*]] = arith.divf %[[S]], %[[C]] : f32
// CHECK-NEXT: attn.yield %[[Y]] : f32
// CHECK: {attn.dims = ["B", 5, "Sq", 8]}
// CHECK-NOT: attn.softmax
// CHECK-NOT: attn.div
// CHECK: attn.merge_heads
func @scale_by_div(%q: tensor<?x?x40xf32> {attn.dims = ["B", "Sq", 40]},
                   %k: tensor<?x?x40xf32> {attn.dims = ["B", "Sk", 40]},
                   %v: tensor<?x?x40xf32> {attn.dims = ["B", "Sk", 40]}) -> tensor<*xf32> {
  %qh = attn.split_heads %q heads = 5 : (tensor<?x?x40xf32>) -> tensor<*xf32>
  %kh = attn.split_heads %k heads = 5 : (tensor<?x?x40xf32>) -> tensor<*xf32>
  %vh = attn.split_heads %v heads = 5 : (tensor<?x?x40xf32>) -> tensor<*xf32>
  %kt = attn.transpose %kh [0, 1, 3, 2] : (tensor<*xf32>) -> tensor<*xf32>
  %s = attn.matmul %qh, %kt : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  %c = attn.constant 2.82842708 : tensor<f32>
  %t = attn.div %s, %c : (tensor<*xf32>, tensor<f32>) -> tensor<*xf32>
  %p = attn.softmax %t axis = 3 : (tensor<*xf32>) -> tensor<*xf32>
  %o = attn.matmul %p, %vh : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  %m = attn.merge_heads %o : (tensor<*xf32>) -> tensor<*xf32>
  attn.return %m : tensor<*xf32>
}

// -----

// The scale applied before the matmul: Q multiplied, K divided (under its transpose), Kᵀ
// multiplied. All three move into the score; the attention reads the unscaled Q and K.

// CHECK-LABEL: func @scale_before_matmul
// CHECK-SAME: (%[[Q:.*]]: tensor<?x?x8xf32> {{.*}}, %[[K:.*]]: tensor<?x?x8xf32>
// CHECK-NOT: attn.mul
// CHECK-NOT: attn.div
// CHECK: "attn.attention"(%[[Q]], %[[K]], %[[K]])
// CHECK-NEXT: ^bb0(%[[S:.*]]: f32, %{{.*}}: index, %{{.*}}: index, %{{.*}}: index, %{{.*}}: index):
// CHECK-NEXT: %[[C1:.*]] = arith.constant 5.000000e-01 : f32
// CHECK-NEXT: %[[C2:.*]] = arith.constant 3.000000e+00 : f32
// CHECK-NEXT: %[[C3:.*]] = arith.constant 4.000000e+00 : f32
// CHECK-NEXT: %[[Y1:.*]] = arith.mulf %[[S]], %[[C1]] : f32
// CHECK-NEXT: %[[Y2:.*]] = arith.mulf %[[Y1]], %[[C2]] : f32
// CHECK-NEXT: %[[Y3:.*]] = arith.divf %[[Y2]], %[[C3]] : f32
// CHECK-NEXT: attn.yield %[[Y3]] : f32
// CHECK-NOT: attn.softmax
// CHECK-NOT: attn.matmul
func @scale_before_matmul(%q: tensor<?x?x8xf32> {attn.dims = ["B", "S", 8]},
                          %k: tensor<?x?x8xf32> {attn.dims = ["B", "S", 8]}) -> tensor<*xf32> {
  %half = attn.constant 0.5 : tensor<f32>
  %three = attn.constant 3.0 : tensor<f32>
  %four = attn.constant 4.0 : tensor<f32>
  %qs = attn.mul %q, %half : (tensor<?x?x8xf32>, tensor<f32>) -> tensor<*xf32>
  %ks = attn.div %k, %four : (tensor<?x?x8xf32>, tensor<f32>) -> tensor<*xf32>
  %kt = attn.transpose %ks [0, 2, 1] : (tensor<*xf32>) -> tensor<*xf32>
  %kts = attn.mul %kt, %three : (tensor<*xf32>, tensor<f32>) -> tensor<*xf32>
  %s = attn.matmul %qs, %kts : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  %p = attn.softmax %s axis = 2 : (tensor<*xf32>) -> tensor<*xf32>
  %o = attn.matmul %p, %k : (tensor<*xf32>, tensor<?x?x8xf32>) -> tensor<*xf32>
  attn.return %o : tensor<*xf32>
}

// -----

// Kᵀ arriving as it is ([B, D, Sk], no transpose to look through): the attention reads an
// explicit transpose of it. A transpose with another permutation (here [B, Sk, H, D] to
// [B, H, D, Sk]) is also looked through this way; the canonicalizer then composes the two.

// CHECK-LABEL: func @key_already_transposed
// CHECK-SAME: (%[[Q:.*]]: tensor<?x?x8xf32> {{.*}}, %[[KT:.*]]: tensor<?x8x?xf32>
// CHECK: %[[K:.*]] = attn.transpose %[[KT]] [0, 2, 1] {attn.dims = ["B", "Sk", 8]} : (tensor<?x8x?xf32>) -> tensor<?x?x8xf32>
// CHECK: "attn.attention"(%[[Q]], %[[K]], %arg2)
// CHECK-NOT: attn.softmax
func @key_already_transposed(%q: tensor<?x?x8xf32> {attn.dims = ["B", "Sq", 8]},
                             %kt: tensor<?x8x?xf32> {attn.dims = ["B", 8, "Sk"]},
                             %v: tensor<?x?x8xf32> {attn.dims = ["B", "Sk", 8]}) -> tensor<*xf32> {
  %s = attn.matmul %q, %kt : (tensor<?x?x8xf32>, tensor<?x8x?xf32>) -> tensor<*xf32>
  %p = attn.softmax %s axis = 2 : (tensor<*xf32>) -> tensor<*xf32>
  %o = attn.matmul %p, %v : (tensor<*xf32>, tensor<?x?x8xf32>) -> tensor<*xf32>
  attn.return %o : tensor<*xf32>
}

// CHECK-LABEL: func @key_permuted
// CHECK: %[[KT:.*]] = attn.transpose %arg1 [0, 2, 3, 1] {attn.dims = ["B", 4, 8, "S"]}
// CHECK: %[[K:.*]] = attn.transpose %[[KT]] [0, 1, 3, 2] {attn.dims = ["B", 4, "S", 8]}
// CHECK: "attn.attention"(%arg0, %[[K]], %arg0)
// CHECK-NOT: attn.softmax
func @key_permuted(%q: tensor<?x4x?x8xf32> {attn.dims = ["B", 4, "S", 8]},
                   %k: tensor<?x?x4x8xf32> {attn.dims = ["B", "S", 4, 8]}) -> tensor<*xf32> {
  %kt = attn.transpose %k [0, 2, 3, 1] : (tensor<?x?x4x8xf32>) -> tensor<*xf32>
  %s = attn.matmul %q, %kt : (tensor<?x4x?x8xf32>, tensor<*xf32>) -> tensor<*xf32>
  %p = attn.softmax %s axis = 3 : (tensor<*xf32>) -> tensor<*xf32>
  %o = attn.matmul %p, %q : (tensor<*xf32>, tensor<?x4x?x8xf32>) -> tensor<*xf32>
  attn.return %o : tensor<*xf32>
}

// -----

// Any elementwise function of the score by constants fuses, in order: here a tanh soft cap,
// c·tanh(s / c), then a shift (softmax ignores it, but it is what the model wrote). Rank 2.

// CHECK-LABEL: func @soft_cap
// CHECK: "attn.attention"
// CHECK-NEXT: ^bb0(%[[S:.*]]: f32, %{{.*}}: index, %{{.*}}: index, %{{.*}}: index, %{{.*}}: index):
// CHECK-NEXT: %[[CAP:.*]] = arith.constant 3.000000e+01 : f32
// CHECK-NEXT: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT: %[[Y1:.*]] = arith.divf %[[S]], %[[CAP]] : f32
// CHECK-NEXT: %[[Y2:.*]] = math.tanh %[[Y1]] : f32
// CHECK-NEXT: %[[Y3:.*]] = arith.mulf %[[Y2]], %[[CAP]] : f32
// CHECK-NEXT: %[[Y4:.*]] = arith.subf %[[Y3]], %[[ONE]] : f32
// CHECK-NEXT: attn.yield %[[Y4]] : f32
// CHECK: {attn.dims = ["S", 8]}
// CHECK-NOT: attn.tanh
// CHECK-NOT: attn.softmax
func @soft_cap(%x: tensor<?x8xf32> {attn.dims = ["S", 8]}) -> tensor<*xf32> {
  %cap = attn.constant 30.0 : tensor<f32>
  %one = attn.constant 1.0 : tensor<f32>
  %kt = attn.transpose %x [1, 0] : (tensor<?x8xf32>) -> tensor<*xf32>
  %s = attn.matmul %x, %kt : (tensor<?x8xf32>, tensor<*xf32>) -> tensor<*xf32>
  %a = attn.div %s, %cap : (tensor<*xf32>, tensor<f32>) -> tensor<*xf32>
  %b = attn.tanh %a : (tensor<*xf32>) -> tensor<*xf32>
  %c = attn.mul %b, %cap : (tensor<*xf32>, tensor<f32>) -> tensor<*xf32>
  %d = attn.sub %c, %one : (tensor<*xf32>, tensor<f32>) -> tensor<*xf32>
  %p = attn.softmax %d axis = 1 : (tensor<*xf32>) -> tensor<*xf32>
  %o = attn.matmul %p, %x : (tensor<*xf32>, tensor<?x8xf32>) -> tensor<*xf32>
  attn.return %o : tensor<*xf32>
}

// -----

// Not fused: the softmax runs over the queries (a non-last axis).

// CHECK-LABEL: func @softmax_not_over_keys
// CHECK: attn.matmul
// CHECK: attn.softmax %{{.*}} axis = 1
// CHECK: attn.matmul
// CHECK-NOT: "attn.attention"
func @softmax_not_over_keys(%x: tensor<?x?x8xf32> {attn.dims = ["B", "S", 8]}) -> tensor<*xf32> {
  %kt = attn.transpose %x [0, 2, 1] : (tensor<?x?x8xf32>) -> tensor<*xf32>
  %s = attn.matmul %x, %kt : (tensor<?x?x8xf32>, tensor<*xf32>) -> tensor<*xf32>
  %p = attn.softmax %s axis = 1 : (tensor<*xf32>) -> tensor<*xf32>
  %o = attn.matmul %p, %x : (tensor<*xf32>, tensor<?x?x8xf32>) -> tensor<*xf32>
  attn.return %o : tensor<*xf32>
}

// -----

// Not fused: the scores, the scaled scores or the probabilities are used twice (returned as
// well), so they are materialised anyway.

// CHECK-LABEL: func @scores_used_twice
// CHECK: attn.softmax
// CHECK-NOT: "attn.attention"
func @scores_used_twice(%x: tensor<?x?x8xf32> {attn.dims = ["B", "S", 8]}) -> (tensor<*xf32>, tensor<*xf32>) {
  %kt = attn.transpose %x [0, 2, 1] : (tensor<?x?x8xf32>) -> tensor<*xf32>
  %s = attn.matmul %x, %kt : (tensor<?x?x8xf32>, tensor<*xf32>) -> tensor<*xf32>
  %p = attn.softmax %s axis = 2 : (tensor<*xf32>) -> tensor<*xf32>
  %o = attn.matmul %p, %x : (tensor<*xf32>, tensor<?x?x8xf32>) -> tensor<*xf32>
  attn.return %o, %s : tensor<*xf32>, tensor<*xf32>
}

// CHECK-LABEL: func @scaled_scores_used_twice
// CHECK: attn.softmax
// CHECK-NOT: "attn.attention"
func @scaled_scores_used_twice(%x: tensor<?x?x8xf32> {attn.dims = ["B", "S", 8]}) -> (tensor<*xf32>, tensor<*xf32>) {
  %c = attn.constant 0.5 : tensor<f32>
  %kt = attn.transpose %x [0, 2, 1] : (tensor<?x?x8xf32>) -> tensor<*xf32>
  %s = attn.matmul %x, %kt : (tensor<?x?x8xf32>, tensor<*xf32>) -> tensor<*xf32>
  %t = attn.mul %s, %c : (tensor<*xf32>, tensor<f32>) -> tensor<*xf32>
  %p = attn.softmax %t axis = 2 : (tensor<*xf32>) -> tensor<*xf32>
  %o = attn.matmul %p, %x : (tensor<*xf32>, tensor<?x?x8xf32>) -> tensor<*xf32>
  attn.return %o, %t : tensor<*xf32>, tensor<*xf32>
}

// CHECK-LABEL: func @probabilities_used_twice
// CHECK: attn.softmax
// CHECK-NOT: "attn.attention"
func @probabilities_used_twice(%x: tensor<?x?x8xf32> {attn.dims = ["B", "S", 8]}) -> (tensor<*xf32>, tensor<*xf32>) {
  %kt = attn.transpose %x [0, 2, 1] : (tensor<?x?x8xf32>) -> tensor<*xf32>
  %s = attn.matmul %x, %kt : (tensor<?x?x8xf32>, tensor<*xf32>) -> tensor<*xf32>
  %p = attn.softmax %s axis = 2 : (tensor<*xf32>) -> tensor<*xf32>
  %o = attn.matmul %p, %x : (tensor<*xf32>, tensor<?x?x8xf32>) -> tensor<*xf32>
  attn.return %o, %p : tensor<*xf32>, tensor<*xf32>
}

// -----

// A tensor that broadcasts to the scores joins the attention as an extra operand, read in the
// score region as one more argument after the indices: a bias of the scores' own shape, a
// learned temperature of shape [1], a padding mask selecting the scores.

// CHECK-LABEL: func @bias_tensor
// CHECK-SAME: %[[X:[^:]*]]: tensor<?x?x8xf32> {{.*}}, %[[BIAS:[^:]*]]: tensor<?x?x?xf32>
// CHECK-NOT: attn.softmax
// CHECK: "attn.attention"(%[[X]], %[[X]], %[[X]], %[[BIAS]])
// CHECK-NEXT: ^bb0(%[[S:.*]]: f32, %{{.*}}: index, %{{.*}}: index, %{{.*}}: index, %{{.*}}: index, %[[E:.*]]: f32):
// CHECK-NEXT: %[[Y:.*]] = arith.addf %[[S]], %[[E]] : f32
// CHECK-NEXT: attn.yield %[[Y]] : f32
// CHECK-NOT: attn.softmax
func @bias_tensor(%x: tensor<?x?x8xf32> {attn.dims = ["B", "S", 8]},
                  %bias: tensor<?x?x?xf32> {attn.dims = ["B", "S", "S"]}) -> tensor<*xf32> {
  %kt = attn.transpose %x [0, 2, 1] : (tensor<?x?x8xf32>) -> tensor<*xf32>
  %s = attn.matmul %x, %kt : (tensor<?x?x8xf32>, tensor<*xf32>) -> tensor<*xf32>
  %t = attn.add %s, %bias : (tensor<*xf32>, tensor<?x?x?xf32>) -> tensor<*xf32>
  %p = attn.softmax %t axis = 2 : (tensor<*xf32>) -> tensor<*xf32>
  %o = attn.matmul %p, %x : (tensor<*xf32>, tensor<?x?x8xf32>) -> tensor<*xf32>
  attn.return %o : tensor<*xf32>
}

// CHECK-LABEL: func @learned_scale
// CHECK: %[[W:.*]] = attn.param "temperature"
// CHECK-NOT: attn.softmax
// CHECK: "attn.attention"(%{{.*}}, %{{.*}}, %{{.*}}, %[[W]])
// CHECK-NEXT: ^bb0(%[[S:.*]]: f32, %{{.*}}: index, %{{.*}}: index, %{{.*}}: index, %{{.*}}: index, %[[E:.*]]: f32):
// CHECK-NEXT: %[[Y:.*]] = arith.mulf %[[S]], %[[E]] : f32
// CHECK-NEXT: attn.yield %[[Y]] : f32
func @learned_scale(%x: tensor<?x?x8xf32> {attn.dims = ["B", "S", 8]}) -> tensor<*xf32> {
  %w = attn.param "temperature" : tensor<1xf32>
  %kt = attn.transpose %x [0, 2, 1] : (tensor<?x?x8xf32>) -> tensor<*xf32>
  %s = attn.matmul %x, %kt : (tensor<?x?x8xf32>, tensor<*xf32>) -> tensor<*xf32>
  %t = attn.mul %s, %w : (tensor<*xf32>, tensor<1xf32>) -> tensor<*xf32>
  %p = attn.softmax %t axis = 2 : (tensor<*xf32>) -> tensor<*xf32>
  %o = attn.matmul %p, %x : (tensor<*xf32>, tensor<?x?x8xf32>) -> tensor<*xf32>
  attn.return %o : tensor<*xf32>
}

// The seed's masked_fill: where(mask == 0, -1e9, scores) on split heads, the mask [B, 1, 1, S]
// (one row of keys per batch). Its comparison is computed from the mask alone, so it is the
// extra, and the where a select in the score.

// CHECK-LABEL: func @masked_fill
// CHECK-NOT: attn.softmax
// CHECK: %[[C:.*]] = attn.eq
// CHECK: "attn.attention"(%{{.*}}, %{{.*}}, %{{.*}}, %[[C]])
// CHECK-NEXT: ^bb0(%[[S:.*]]: f32, %{{.*}}: index, %{{.*}}: index, %{{.*}}: index, %{{.*}}: index, %[[E:.*]]: f32):
// CHECK: %[[Y:.*]] = arith.mulf %[[S]], %{{.*}} : f32
// CHECK: %[[KEEP:.*]] = arith.cmpf une, %[[E]], %{{.*}} : f32
// CHECK-NEXT: %[[Z:.*]] = select %[[KEEP]], %{{.*}}, %[[Y]] : f32
// CHECK-NEXT: attn.yield %[[Z]] : f32
// CHECK-NOT: attn.softmax
// CHECK-NOT: attn.where
func @masked_fill(%x: tensor<?x4x?x8xf32> {attn.dims = ["B", 4, "S", 8]},
                  %mask: tensor<?x1x1x?xf32> {attn.dims = ["B", 1, 1, "S"]}) -> tensor<*xf32> {
  %kt = attn.transpose %x [0, 1, 3, 2] : (tensor<?x4x?x8xf32>) -> tensor<*xf32>
  %s = attn.matmul %x, %kt : (tensor<?x4x?x8xf32>, tensor<*xf32>) -> tensor<*xf32>
  %c = attn.constant 0.125 : tensor<f32>
  %t = attn.mul %s, %c : (tensor<*xf32>, tensor<f32>) -> tensor<*xf32>
  %zero = attn.constant 0.0 : tensor<f32>
  %off = attn.eq %mask, %zero : (tensor<?x1x1x?xf32>, tensor<f32>) -> tensor<*xf32>
  %low = attn.constant -1.0e9 : tensor<f32>
  %m = attn.where %off, %low, %t : (tensor<*xf32>, tensor<f32>, tensor<*xf32>) -> tensor<*xf32>
  %p = attn.softmax %m axis = 3 : (tensor<*xf32>) -> tensor<*xf32>
  %o = attn.matmul %p, %x : (tensor<*xf32>, tensor<?x4x?x8xf32>) -> tensor<*xf32>
  attn.return %o : tensor<*xf32>
}

// -----

// Not fused: a bias with more axes than the scores widens them (the result is no longer the
// scores' shape), and a bias that is itself computed from the scores' matmul.

// CHECK-LABEL: func @widening_bias
// CHECK: attn.add
// CHECK: attn.softmax
// CHECK-NOT: "attn.attention"
func @widening_bias(%x: tensor<?x?x8xf32> {attn.dims = ["B", "S", 8]},
                    %bias: tensor<2x?x?x?xf32> {attn.dims = [2, "B", "S", "S"]}) -> tensor<*xf32> {
  %kt = attn.transpose %x [0, 2, 1] : (tensor<?x?x8xf32>) -> tensor<*xf32>
  %s = attn.matmul %x, %kt : (tensor<?x?x8xf32>, tensor<*xf32>) -> tensor<*xf32>
  %t = attn.add %s, %bias : (tensor<*xf32>, tensor<2x?x?x?xf32>) -> tensor<*xf32>
  %p = attn.softmax %t axis = 3 : (tensor<*xf32>) -> tensor<*xf32>
  %v = attn.unsqueeze %x axis = 0 : (tensor<?x?x8xf32>) -> tensor<*xf32>
  %o = attn.matmul %p, %v : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  attn.return %o : tensor<*xf32>
}

// CHECK-LABEL: func @bias_from_scores
// CHECK: attn.softmax
// CHECK-NOT: "attn.attention"
func @bias_from_scores(%x: tensor<?x?x8xf32> {attn.dims = ["B", "S", 8]}) -> tensor<*xf32> {
  %kt = attn.transpose %x [0, 2, 1] : (tensor<?x?x8xf32>) -> tensor<*xf32>
  %s = attn.matmul %x, %kt : (tensor<?x?x8xf32>, tensor<*xf32>) -> tensor<*xf32>
  %r = attn.reduce_max %s axis = 2 keepdim = true : (tensor<*xf32>) -> tensor<*xf32>
  %t = attn.sub %s, %r : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  %p = attn.softmax %t axis = 2 : (tensor<*xf32>) -> tensor<*xf32>
  %o = attn.matmul %p, %x : (tensor<*xf32>, tensor<?x?x8xf32>) -> tensor<*xf32>
  attn.return %o : tensor<*xf32>
}

// -----

// Not fused: the values broadcast over the batch (matmul allows it, attention does not).

// CHECK-LABEL: func @values_broadcast
// CHECK: attn.softmax
// CHECK-NOT: "attn.attention"
func @values_broadcast(%x: tensor<?x?x8xf32> {attn.dims = ["B", "S", 8]},
                       %v: tensor<?x8xf32> {attn.dims = ["S", 8]}) -> tensor<*xf32> {
  %kt = attn.transpose %x [0, 2, 1] : (tensor<?x?x8xf32>) -> tensor<*xf32>
  %s = attn.matmul %x, %kt : (tensor<?x?x8xf32>, tensor<*xf32>) -> tensor<*xf32>
  %p = attn.softmax %s axis = 2 : (tensor<*xf32>) -> tensor<*xf32>
  %o = attn.matmul %p, %v : (tensor<*xf32>, tensor<?x8xf32>) -> tensor<*xf32>
  attn.return %o : tensor<*xf32>
}

// -----

// One key/value head broadcast over the query's heads by matmul: multi-query attention, fused
// with the single head as the attention's key and value.

// CHECK-LABEL: func @key_heads_broadcast
// CHECK-NOT: attn.softmax
// CHECK: "attn.attention"(%arg0, %arg1, %arg1)
// CHECK: (tensor<?x4x?x8xf32>, tensor<?x1x?x8xf32>, tensor<?x1x?x8xf32>) -> tensor<?x4x?x8xf32>
func @key_heads_broadcast(%q: tensor<?x4x?x8xf32> {attn.dims = ["B", 4, "S", 8]},
                          %k: tensor<?x1x?x8xf32> {attn.dims = ["B", 1, "S", 8]}) -> tensor<*xf32> {
  %kt = attn.transpose %k [0, 1, 3, 2] : (tensor<?x1x?x8xf32>) -> tensor<*xf32>
  %s = attn.matmul %q, %kt : (tensor<?x4x?x8xf32>, tensor<*xf32>) -> tensor<*xf32>
  %p = attn.softmax %s axis = 3 : (tensor<*xf32>) -> tensor<*xf32>
  %o = attn.matmul %p, %k : (tensor<*xf32>, tensor<?x1x?x8xf32>) -> tensor<*xf32>
  attn.return %o : tensor<*xf32>
}

// -----

// Not fused: the key has one head but the values have the query's two (matmul broadcasts the
// key alone, which attn.attention cannot express).

// CHECK-LABEL: func @key_heads_broadcast_values_not
// CHECK: attn.softmax
// CHECK-NOT: "attn.attention"
func @key_heads_broadcast_values_not(%q: tensor<?x2x?x8xf32> {attn.dims = ["B", 2, "S", 8]},
                                     %k: tensor<?x1x?x8xf32> {attn.dims = ["B", 1, "S", 8]})
    -> tensor<*xf32> {
  %kt = attn.transpose %k [0, 1, 3, 2] : (tensor<?x1x?x8xf32>) -> tensor<*xf32>
  %s = attn.matmul %q, %kt : (tensor<?x2x?x8xf32>, tensor<*xf32>) -> tensor<*xf32>
  %p = attn.softmax %s axis = 3 : (tensor<*xf32>) -> tensor<*xf32>
  %o = attn.matmul %p, %q : (tensor<*xf32>, tensor<?x2x?x8xf32>) -> tensor<*xf32>
  attn.return %o : tensor<*xf32>
}

// -----

// Scores that start from tensors broadcast to them, with no matmul of the query and the key:
// GAT's leaky_relu(Wh a_src + (Wh a_dst)ᵀ), the neighbours kept by a where on the adjacency.
// The [N, 1] and [1, N] terms and the condition are extras; the attention takes the query
// rows from the [N, 1] term and the key rows from the values, both with zero features, so no
// dot product is computed.

// CHECK-LABEL: func @broadcast_root
// CHECK-SAME: %[[H:[^:]*]]: tensor<?x8xf32> {{.*}}, %[[ADJ:[^:]*]]: tensor<?x?xf32>
// CHECK-NOT: attn.softmax
// CHECK: %[[SRC:.*]] = attn.matmul %[[H]], %{{.*}} {attn.dims = ["N", 1]}
// CHECK: %[[DST:.*]] = attn.transpose %{{.*}} [1, 0] {attn.dims = [1, "N"]}
// CHECK: %[[COND:.*]] = attn.gt %[[ADJ]]
// CHECK: %[[Q:.*]] = attn.slice %[[SRC]] axis = 1 start = 0 end = 0 {attn.dims = ["N", 0]}
// CHECK: %[[K:.*]] = attn.slice %[[H]] axis = 1 start = 0 end = 0 {attn.dims = ["N", 0]}
// CHECK: "attn.attention"(%[[Q]], %[[K]], %[[H]], %[[SRC]], %[[DST]], %[[COND]])
// CHECK-NEXT: ^bb0(%{{.*}}: f32, %{{.*}}: index, %{{.*}}: index, %{{.*}}: index, %{{.*}}: index, %[[A:.*]]: f32, %[[B:.*]]: f32, %[[C:.*]]: f32):
// CHECK: %[[E:.*]] = arith.addf %[[A]], %[[B]] : f32
// CHECK: %[[NEG:.*]] = arith.mulf %[[E]], %{{.*}} : f32
// CHECK: %[[POS:.*]] = arith.cmpf ogt, %[[E]], %{{.*}} : f32
// CHECK: %[[LEAKY:.*]] = select %[[POS]], %[[E]], %[[NEG]] : f32
// CHECK: %[[EDGE:.*]] = arith.cmpf une, %[[C]], %{{.*}} : f32
// CHECK: select %[[EDGE]], %[[LEAKY]], %{{.*}} : f32
// CHECK-NOT: attn.softmax
// CHECK-NOT: attn.leaky_relu
func @broadcast_root(%h: tensor<?x8xf32> {attn.dims = ["N", 8]},
                     %adj: tensor<?x?xf32> {attn.dims = ["N", "N"]}) -> tensor<*xf32> {
  %a_src = attn.param "a_src" : tensor<8x1xf32>
  %a_dst = attn.param "a_dst" : tensor<8x1xf32>
  %src = attn.matmul %h, %a_src : (tensor<?x8xf32>, tensor<8x1xf32>) -> tensor<*xf32>
  %dst_col = attn.matmul %h, %a_dst : (tensor<?x8xf32>, tensor<8x1xf32>) -> tensor<*xf32>
  %dst = attn.transpose %dst_col [1, 0] : (tensor<*xf32>) -> tensor<*xf32>
  %sum = attn.add %src, %dst : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  %e = attn.leaky_relu %sum negative_slope = 0.2 : (tensor<*xf32>) -> tensor<*xf32>
  %zero = attn.constant 0.0 : tensor<f32>
  %cond = attn.gt %adj, %zero : (tensor<?x?xf32>, tensor<f32>) -> tensor<*xf32>
  %low = attn.constant -9.0e15 : tensor<f32>
  %masked = attn.where %cond, %e, %low : (tensor<*xf32>, tensor<*xf32>, tensor<f32>) -> tensor<*xf32>
  %p = attn.softmax %masked axis = 1 : (tensor<*xf32>) -> tensor<*xf32>
  %o = attn.matmul %p, %h : (tensor<*xf32>, tensor<?x8xf32>) -> tensor<*xf32>
  attn.return %o : tensor<*xf32>
}

// A broadcast start where no extra holds the query rows with the scores' leading axes
// ([B, 1, N] has one query row, [1, N, 1] one batch row) is left unfused: nothing gives the
// attention its query rows.

// CHECK-LABEL: func @broadcast_root_without_rows
// CHECK: attn.softmax
// CHECK-NOT: "attn.attention"
func @broadcast_root_without_rows(%h: tensor<?x?x8xf32> {attn.dims = ["B", "N", 8]},
                                  %keys: tensor<?x1x?xf32> {attn.dims = ["B", 1, "N"]},
                                  %rows: tensor<1x?x1xf32> {attn.dims = [1, "N", 1]}) -> tensor<*xf32> {
  %s = attn.add %keys, %rows : (tensor<?x1x?xf32>, tensor<1x?x1xf32>) -> tensor<*xf32>
  %p = attn.softmax %s axis = 2 : (tensor<*xf32>) -> tensor<*xf32>
  %o = attn.matmul %p, %h : (tensor<*xf32>, tensor<?x?x8xf32>) -> tensor<*xf32>
  attn.return %o : tensor<*xf32>
}

// -----

// A bias made of broadcast terms added to a score matmul: the matmul is the score (the
// attention computes q·k) and the bias an extra, whichever operand of the add comes first.

// CHECK-LABEL: func @broadcast_bias_and_matmul
// CHECK-SAME: %[[Q:[^:]*]]: tensor<?x8xf32> {{.*}}, %[[K:[^:]*]]: tensor<?x8xf32> {{.*}}, %[[V:[^:]*]]: tensor<?x8xf32>
// CHECK: %[[BIAS:.*]] = attn.add
// CHECK-NOT: attn.slice
// CHECK: "attn.attention"(%[[Q]], %[[K]], %[[V]], %[[BIAS]])
// CHECK-NOT: attn.softmax
func @broadcast_bias_and_matmul(%q: tensor<?x8xf32> {attn.dims = ["N", 8]},
                                %k: tensor<?x8xf32> {attn.dims = ["N", 8]},
                                %v: tensor<?x8xf32> {attn.dims = ["N", 8]},
                                %a: tensor<?x1xf32> {attn.dims = ["N", 1]},
                                %b: tensor<1x?xf32> {attn.dims = [1, "N"]}) -> tensor<*xf32> {
  %kt = attn.transpose %k [1, 0] : (tensor<?x8xf32>) -> tensor<*xf32>
  %s = attn.matmul %q, %kt : (tensor<?x8xf32>, tensor<*xf32>) -> tensor<*xf32>
  %bias = attn.add %a, %b : (tensor<?x1xf32>, tensor<1x?xf32>) -> tensor<*xf32>
  %t = attn.add %bias, %s : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  %p = attn.softmax %t axis = 1 : (tensor<*xf32>) -> tensor<*xf32>
  %o = attn.matmul %p, %v : (tensor<*xf32>, tensor<?x8xf32>) -> tensor<*xf32>
  attn.return %o : tensor<*xf32>
}
