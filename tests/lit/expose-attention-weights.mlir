// RUN: attn-opt %s -attn-shape-inference -attn-fuse-attention -attn-expose-attention-weights -split-input-file | FileCheck %s

// Each case runs shape inference and fusion first, as the pipeline does. A fused attention gets
// an attn.attention_weights beside it with the same query, key and regions; an unfused
// attention's softmax is returned as it is. The weights follow the model's own results, named
// in attn.attention_maps: the projections' module path, else attention<N>.

// CHECK-LABEL: func @fused
// CHECK-SAME: attn.attention_maps = ["attention0"]
// CHECK: %[[A:.*]] = "attn.attention"(%[[Q:[^,]*]], %[[K:[^,]*]], %{{.*}})
// CHECK: %[[W:.*]] = "attn.attention_weights"(%[[Q]], %[[K]])
// CHECK-NEXT: ^bb0(%[[S:.*]]: f32, %{{.*}}: index, %{{.*}}: index, %{{.*}}: index, %{{.*}}: index):
// CHECK-NEXT: %[[C:.*]] = arith.constant 2.500000e-01 : f32
// CHECK-NEXT: %[[X:.*]] = arith.mulf %[[S]], %[[C]] : f32
// CHECK-NEXT: attn.yield %[[X]] : f32
// CHECK-NEXT: }, {
// CHECK-NEXT: })
// CHECK-SAME: {attn.dims = ["B", "Sq", "Sk"]} : (tensor<?x?x16xf32>, tensor<?x?x16xf32>) -> tensor<?x?x?xf32>
// CHECK: attn.return %[[A]], %[[W]] : tensor<?x?x24xf32>, tensor<?x?x?xf32>
func @fused(%q: tensor<?x?x16xf32> {attn.dims = ["B", "Sq", 16]},
            %k: tensor<?x?x16xf32> {attn.dims = ["B", "Sk", 16]},
            %v: tensor<?x?x24xf32> {attn.dims = ["B", "Sk", 24]}) -> tensor<*xf32> {
  %kt = attn.transpose %k [0, 2, 1] : (tensor<?x?x16xf32>) -> tensor<*xf32>
  %s = attn.matmul %q, %kt : (tensor<?x?x16xf32>, tensor<*xf32>) -> tensor<*xf32>
  %c = attn.constant 0.25 : tensor<f32>
  %t = attn.mul %s, %c : (tensor<*xf32>, tensor<f32>) -> tensor<*xf32>
  %p = attn.softmax %t axis = 2 : (tensor<*xf32>) -> tensor<*xf32>
  %o = attn.matmul %p, %v : (tensor<*xf32>, tensor<?x?x24xf32>) -> tensor<*xf32>
  attn.return %o : tensor<*xf32>
}

// -----

// Values shared by the whole batch keep the chain unfused (matmul broadcasts them, attention
// does not): its softmax is the map. The queries and keys are projected by parameters of
// `layers.1.attn`, which names it.

// CHECK-LABEL: func @unfused
// CHECK-SAME: attn.attention_maps = ["layers.1.attn"]
// CHECK-NOT: attn.attention_weights
// CHECK: %[[P:.*]] = attn.softmax
// CHECK: %[[O:.*]] = attn.matmul %[[P]]
// CHECK: attn.return %[[O]], %[[P]] :
func @unfused(%x: tensor<?x?x16xf32> {attn.dims = ["B", "S", 16]},
              %v: tensor<?x16xf32> {attn.dims = ["S", 16]}) -> tensor<*xf32> {
  %wq = attn.param "layers.1.attn.q.weight" : tensor<16x16xf32>
  %q = attn.matmul %x, %wq : (tensor<?x?x16xf32>, tensor<16x16xf32>) -> tensor<*xf32>
  %w = attn.param "layers.1.attn.k.weight" : tensor<16x16xf32>
  %k = attn.matmul %x, %w : (tensor<?x?x16xf32>, tensor<16x16xf32>) -> tensor<*xf32>
  %kt = attn.transpose %k [0, 2, 1] : (tensor<*xf32>) -> tensor<*xf32>
  %s = attn.matmul %q, %kt : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  %p = attn.softmax %s axis = 2 : (tensor<*xf32>) -> tensor<*xf32>
  %o = attn.matmul %p, %v : (tensor<*xf32>, tensor<?x16xf32>) -> tensor<*xf32>
  attn.return %o : tensor<*xf32>
}

// -----

// A softmax that is not an attention's (nothing multiplies values by it) is no map.

// CHECK-LABEL: func @plain_softmax
// CHECK-SAME: attn.attention_maps = []
// CHECK: attn.return %{{[^,]*}} : tensor<?x?xf32>
func @plain_softmax(%x: tensor<?x?xf32> {attn.dims = ["B", "N"]}) -> tensor<*xf32> {
  %p = attn.softmax %x axis = 1 : (tensor<?x?xf32>) -> tensor<*xf32>
  attn.return %p : tensor<*xf32>
}

// -----

// One query per item (Luong, Bahdanau): the [B, S] weights reach the product with the values
// through an unsqueeze, which is returned: [B, 1, S], one query row.

// CHECK-LABEL: func @single_query
// CHECK-SAME: attn.attention_maps = ["attention0"]
// CHECK: %[[P:.*]] = attn.softmax
// CHECK: %[[U:.*]] = attn.unsqueeze %[[P]]
// CHECK: %[[O:.*]] = attn.matmul %[[U]]
// CHECK: attn.return %[[O]], %[[U]] : tensor<?x1x8xf32>, tensor<?x1x?xf32>
func @single_query(%scores: tensor<?x?xf32> {attn.dims = ["B", "S"]},
                   %h: tensor<?x?x8xf32> {attn.dims = ["B", "S", 8]}) -> tensor<*xf32> {
  %p = attn.softmax %scores axis = 1 : (tensor<?x?xf32>) -> tensor<*xf32>
  %u = attn.unsqueeze %p axis = 1 : (tensor<*xf32>) -> tensor<*xf32>
  %o = attn.matmul %u, %h : (tensor<*xf32>, tensor<?x?x8xf32>) -> tensor<*xf32>
  attn.return %o : tensor<*xf32>
}

// -----

// A variant member with learned parameters names its map (attn.module), however its key was
// made: here the rows of `decoder.loc.weight` gathered at the key positions, whose lone
// `weight` would otherwise name the parent.

// CHECK-LABEL: func @variant_member
// CHECK-SAME: attn.attention_maps = ["decoder.loc"]
// CHECK: "attn.attention_weights"
func @variant_member(%q: tensor<?x?x8xf32> {attn.dims = ["B", "Sq", 8]},
                     %k: tensor<?x?x8xf32> {attn.dims = ["B", "Sk", 8]},
                     %v: tensor<?x?x4xf32> {attn.dims = ["B", "Sk", 4]}) -> tensor<*xf32> {
  %w = attn.param "decoder.loc.weight" : tensor<16x8xf32>
  %p = attn.arange %k axis = 1 : (tensor<?x?x8xf32>) -> tensor<*xi64>
  %rows = attn.gather %w, %p : (tensor<16x8xf32>, tensor<*xi64>) -> tensor<*xf32>
  %key = attn.unsqueeze %rows axis = 0 : (tensor<*xf32>) -> tensor<*xf32>
  %a = "attn.attention"(%q, %key, %v) ({}, {}, {}) {attn.module = "decoder.loc"} : (tensor<?x?x8xf32>, tensor<*xf32>, tensor<?x?x4xf32>) -> tensor<*xf32>
  attn.return %a : tensor<*xf32>
}
