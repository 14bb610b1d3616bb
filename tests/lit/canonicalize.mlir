// RUN: attn-opt %s -attn-canonicalize -split-input-file | FileCheck %s

// attn.score_dim folds to the query's static last axis; sqrt of a constant folds; the constants
// stay inside the region that uses them.

// CHECK-LABEL: func @score_dim
func @score_dim(%q: tensor<?x?x64xf32> {attn.dims = ["B", "S", 64]}) -> tensor<?x?x64xf32> {
  // CHECK: "attn.attention"
  // CHECK-NEXT: ^bb0(%[[S:.*]]: f32, %{{.*}}: index, %{{.*}}: index, %{{.*}}: index, %{{.*}}: index):
  // CHECK-NEXT: %[[C:.*]] = arith.constant 8.000000e+00 : f32
  // CHECK-NEXT: %[[Y:.*]] = arith.divf %[[S]], %[[C]] : f32
  // CHECK-NEXT: attn.yield %[[Y]] : f32
  %a = "attn.attention"(%q, %q, %q) ({
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
    %d = attn.score_dim : f32
    %r = math.sqrt %d : f32
    %y = arith.divf %s, %r : f32
    "attn.yield"(%y) : (f32) -> ()
  }, {
  }, {}) {attn.dims = ["B", "S", 64]} : (tensor<?x?x64xf32>, tensor<?x?x64xf32>, tensor<?x?x64xf32>) -> tensor<?x?x64xf32>
  attn.return %a : tensor<?x?x64xf32>
}

// -----

// A dynamic query length leaves attn.score_dim in place.

// CHECK-LABEL: func @score_dim_dynamic
// CHECK: attn.score_dim : f32
func @score_dim_dynamic(%q: tensor<?x?xf32> {attn.dims = ["S", "D"]}) -> tensor<?x?xf32> {
  %a = "attn.attention"(%q, %q, %q) ({
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
    %d = attn.score_dim : f32
    %y = arith.divf %s, %d : f32
    "attn.yield"(%y) : (f32) -> ()
  }, {
  }, {}) : (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  attn.return %a : tensor<?x?xf32>
}

// -----

// Constants shared by both regions are copied into each; arith folds inside regions.

// CHECK-LABEL: func @region_constants
func @region_constants(%q: tensor<?x8xf32> {attn.dims = ["S", 8]}) -> tensor<?x8xf32> {
  // CHECK-NOT: arith.constant
  // CHECK: "attn.attention"
  // CHECK: arith.constant 5.000000e-01 : f32
  // CHECK: arith.mulf
  // CHECK: attn.yield
  // CHECK: arith.constant 4 : index
  // CHECK: arith.addi
  // CHECK: attn.yield
  %c2 = arith.constant 2 : index
  %half = arith.constant 0.5 : f32
  %a = "attn.attention"(%q, %q, %q) ({
  ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
    %y = arith.mulf %s, %half : f32
    "attn.yield"(%y) : (f32) -> ()
  }, {
  ^bb0(%b: index, %h: index, %i: index, %j: index):
    %w = arith.addi %c2, %c2 : index
    %lim = arith.addi %i, %w : index
    %m = arith.cmpi ule, %j, %lim : index
    "attn.yield"(%m) : (i1) -> ()
  }, {}) : (tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  attn.return %a : tensor<?x8xf32>
}

// -----

// Transposes compose; a pair that cancels disappears.

// CHECK-LABEL: func @transposes
// CHECK-SAME: (%[[X:.*]]: tensor<?x5x?x8xf32>
func @transposes(%x: tensor<?x5x?x8xf32> {attn.dims = ["B", 5, "S", 8]}) -> (tensor<?x5x?x8xf32>, tensor<?x8x5x?xf32>) {
  %t1 = attn.transpose %x [0, 2, 1, 3] {attn.dims = ["B", "S", 5, 8]} : (tensor<?x5x?x8xf32>) -> tensor<?x?x5x8xf32>
  %t2 = attn.transpose %t1 [0, 2, 1, 3] {attn.dims = ["B", 5, "S", 8]} : (tensor<?x?x5x8xf32>) -> tensor<?x5x?x8xf32>
  // CHECK: %[[T:.*]] = attn.transpose %[[X]] [0, 3, 1, 2] {attn.dims = ["B", 8, 5, "S"]} : (tensor<?x5x?x8xf32>) -> tensor<?x8x5x?xf32>
  %t3 = attn.transpose %t1 [0, 3, 2, 1] {attn.dims = ["B", 8, 5, "S"]} : (tensor<?x?x5x8xf32>) -> tensor<?x8x5x?xf32>
  // CHECK-NEXT: attn.return %[[X]], %[[T]]
  attn.return %t2, %t3 : tensor<?x5x?x8xf32>, tensor<?x8x5x?xf32>
}

// -----

// Multiplying or dividing by a scalar one is the identity; dividing one by x is not.

// CHECK-LABEL: func @times_one
// CHECK-SAME: (%[[X:.*]]: tensor<?x4xf32>
func @times_one(%x: tensor<?x4xf32> {attn.dims = ["S", 4]}) -> (tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>) {
  // CHECK: %[[ONE:.*]] = attn.constant 1.000000e+00
  %one = attn.constant 1.0 {attn.dims = []} : tensor<f32>
  %a = attn.mul %x, %one {attn.dims = ["S", 4]} : (tensor<?x4xf32>, tensor<f32>) -> tensor<?x4xf32>
  %b = attn.mul %one, %x {attn.dims = ["S", 4]} : (tensor<f32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  %c = attn.div %x, %one {attn.dims = ["S", 4]} : (tensor<?x4xf32>, tensor<f32>) -> tensor<?x4xf32>
  // CHECK: %[[D:.*]] = attn.div %[[ONE]], %[[X]]
  %d = attn.div %one, %x {attn.dims = ["S", 4]} : (tensor<f32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK-NEXT: attn.return %[[X]], %[[X]], %[[X]], %[[D]]
  attn.return %a, %b, %c, %d : tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>
}

// -----

// Before shape inference the types differ, so nothing is replaced.

// CHECK-LABEL: func @times_one_unranked
// CHECK: attn.mul
func @times_one_unranked(%x: tensor<?x4xf32> {attn.dims = ["S", 4]}) -> tensor<*xf32> {
  %one = attn.constant 1.0 : tensor<f32>
  %a = attn.mul %x, %one : (tensor<?x4xf32>, tensor<f32>) -> tensor<*xf32>
  attn.return %a : tensor<*xf32>
}

// -----

// Unused ops are removed: this is the pipeline's dead-code elimination.

// CHECK-LABEL: func @dead_code
// CHECK-NOT: attn.param
// CHECK-NOT: attn.matmul
// CHECK: attn.return %arg0
func @dead_code(%x: tensor<?x4xf32> {attn.dims = ["S", 4]}) -> tensor<?x4xf32> {
  %w = attn.param "unused.weight" : tensor<4x4xf32>
  %y = attn.matmul %x, %w {attn.dims = ["S", 4]} : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  attn.return %x : tensor<?x4xf32>
}

// -----

// A mask a call left out: the padding mask (a fill of false) turned into an additive bias and
// broadcast over heads and queries, and an attn_mask of zeros added as it is. Both hold zero
// everywhere and meet the scores, which have the result's shape: they fold away, and the
// scores go to the softmax untouched.

// CHECK-LABEL: func @left_out_masks
// CHECK-SAME: (%[[S:[^:]*]]: tensor<?x2x4x4xf32>
// CHECK-NOT: attn.fill
// CHECK-NOT: attn.add
// CHECK-NOT: attn.where
// CHECK: %[[P:.*]] = attn.softmax %[[S]]
// CHECK-NEXT: attn.return %[[P]]
func @left_out_masks(%s: tensor<?x2x4x4xf32> {attn.dims = ["B", 2, 4, 4]}) -> tensor<?x2x4x4xf32> {
  %pad = attn.fill 0.0 ["B", "S"] scope = 3 {attn.dims = ["B", 4]} : tensor<?x4xi1>
  %attn_mask = attn.fill 0.0 ["L", "S"] scope = 4 {attn.dims = [4, 4]} : tensor<4x4xf32>
  %t = attn.add %s, %attn_mask {attn.dims = ["B", 2, 4, 4]} : (tensor<?x2x4x4xf32>, tensor<4x4xf32>) -> tensor<?x2x4x4xf32>
  %low = attn.constant -1.0e9 {attn.dims = []} : tensor<f32>
  %zero = attn.constant 0.0 {attn.dims = []} : tensor<f32>
  %f = attn.cast %pad {attn.dims = ["B", 4]} : (tensor<?x4xi1>) -> tensor<?x4xf32>
  %bias = attn.where %f, %low, %zero {attn.dims = ["B", 4]} : (tensor<?x4xf32>, tensor<f32>, tensor<f32>) -> tensor<?x4xf32>
  %u1 = attn.unsqueeze %bias axis = 1 {attn.dims = ["B", 1, 4]} : (tensor<?x4xf32>) -> tensor<?x1x4xf32>
  %u2 = attn.unsqueeze %u1 axis = 1 {attn.dims = ["B", 1, 1, 4]} : (tensor<?x1x4xf32>) -> tensor<?x1x1x4xf32>
  %m = attn.add %t, %u2 {attn.dims = ["B", 2, 4, 4]} : (tensor<?x2x4x4xf32>, tensor<?x1x1x4xf32>) -> tensor<?x2x4x4xf32>
  %p = attn.softmax %m axis = 3 {attn.dims = ["B", 2, 4, 4]} : (tensor<?x2x4x4xf32>) -> tensor<?x2x4x4xf32>
  attn.return %p : tensor<?x2x4x4xf32>
}

// -----

// A fill that gives the result its shape is kept: `zeros + bias` with the bias broadcast is a
// tensor of the fill's shape, and a rank-0 zero would not be.

// CHECK-LABEL: func @fill_shapes_result
// CHECK: attn.fill
// CHECK: attn.add
func @fill_shapes_result(%b: tensor<4xf32> {attn.dims = [4]}) -> tensor<?x4xf32> {
  %z = attn.fill 0.0 ["S", 4] scope = 1 {attn.dims = ["S", 4]} : tensor<?x4xf32>
  %y = attn.add %z, %b {attn.dims = ["S", 4]} : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  attn.return %y : tensor<?x4xf32>
}
