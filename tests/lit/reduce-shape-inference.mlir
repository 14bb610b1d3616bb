// RUN: attn-opt %s -attn-shape-inference | FileCheck %s

// Shape inference through a LayerNorm written with reductions, a log_softmax, comparisons and
// where: keepdim keeps the axis as 1, which broadcasts back against the row.

// CHECK-LABEL: func @layer_norm
func @layer_norm(%x: tensor<*xf32> {attn.dims = ["B", "S", 129]}) -> tensor<*xf32> {
  // CHECK: attn.reduce_mean %{{.*}} axis = 2 keepdim = true {attn.dims = ["B", "S", 1]} : (tensor<?x?x129xf32>) -> tensor<?x?x1xf32>
  %m = attn.reduce_mean %x axis = 2 keepdim = true : (tensor<*xf32>) -> tensor<*xf32>
  // CHECK: attn.sub {{.*}} {attn.dims = ["B", "S", 129]}
  %c = attn.sub %x, %m : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  // CHECK: attn.pow {{.*}} exponent = 2.000000e+00 {attn.dims = ["B", "S", 129]}
  %sq = attn.pow %c exponent = 2.0 : (tensor<*xf32>) -> tensor<*xf32>
  // CHECK: attn.reduce_sum {{.*}} axis = 2 keepdim = false {attn.dims = ["B", "S"]} : (tensor<?x?x129xf32>) -> tensor<?x?xf32>
  %v = attn.reduce_sum %sq axis = 2 keepdim = false : (tensor<*xf32>) -> tensor<*xf32>
  // CHECK: attn.reduce_max {{.*}} axis = 0 keepdim = false {attn.dims = ["S"]} : (tensor<?x?xf32>) -> tensor<?xf32>
  %mx = attn.reduce_max %v axis = 0 keepdim = false : (tensor<*xf32>) -> tensor<*xf32>
  // CHECK: attn.log_softmax {{.*}} axis = 1 {attn.dims = ["B", "S", 129]}
  %l = attn.log_softmax %c axis = 1 : (tensor<*xf32>) -> tensor<*xf32>
  // CHECK: attn.gt {{.*}} {attn.dims = ["B", "S"]} : (tensor<?x?xf32>, tensor<?xf32>) -> tensor<?x?xf32>
  %g = attn.gt %v, %mx : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  // CHECK: attn.where {{.*}} {attn.dims = ["B", "S", 129]} : (tensor<?x?x1xf32>, tensor<?x?x129xf32>, tensor<f32>) -> tensor<?x?x129xf32>
  %zero = attn.constant 0.0 : tensor<f32>
  %w = attn.where %m, %l, %zero : (tensor<*xf32>, tensor<*xf32>, tensor<f32>) -> tensor<*xf32>
  // CHECK: attn.gelu {{.*}} {attn.dims = ["B", "S", 129]}
  %y = attn.gelu %w : (tensor<*xf32>) -> tensor<*xf32>
  // CHECK: attn.elu {{.*}} alpha = 5.000000e-01 {attn.dims = ["B", "S", 129]}
  %e = attn.elu %y alpha = 0.5 : (tensor<*xf32>) -> tensor<*xf32>
  // CHECK: attn.leaky_relu {{.*}} negative_slope = 2.000000e-01 {attn.dims = ["B", "S", 129]}
  %k = attn.leaky_relu %e negative_slope = 0.2 : (tensor<*xf32>) -> tensor<*xf32>
  attn.return %k : tensor<*xf32>
}
