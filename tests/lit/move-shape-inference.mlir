// RUN: attn-opt %s -attn-shape-inference -split-input-file | FileCheck %s

// Shapes of the data-movement ops (lib/Dialect/ShapeRulesMove.cpp): concatenation adds sizes,
// symbolic ones too (T+1), slicing subtracts them (S-1), select drops the axis, gather puts the
// ids' axes before the table's rows, and integer element types carry through.

// CHECK-LABEL: func @movement
func @movement(%x: tensor<?x?x8xf32> {attn.dims = ["B", "T", 8]},
               %y: tensor<?x1x8xf32> {attn.dims = ["B", 1, 8]},
               %ids: tensor<?x?xi64> {attn.dims = ["B", "S"]}) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xi64>, tensor<*xf32>) {
  // CHECK: attn.concat {{.*}} axis = 1 {attn.dims = ["B", "T+1", 8]} : (tensor<?x?x8xf32>, tensor<?x1x8xf32>) -> tensor<?x?x8xf32>
  %c = attn.concat %x, %y axis = 1 : (tensor<?x?x8xf32>, tensor<?x1x8xf32>) -> tensor<*xf32>
  // CHECK: attn.concat {{.*}} axis = 1 {attn.dims = ["B", "2*T+1", 8]}
  %c2 = attn.concat %x, %y, %x axis = 1 : (tensor<?x?x8xf32>, tensor<?x1x8xf32>, tensor<?x?x8xf32>) -> tensor<*xf32>
  // CHECK: attn.select {{.*}} axis = 1 index = -1 {attn.dims = ["B", 8]} : (tensor<?x?x8xf32>) -> tensor<?x8xf32>
  %last = attn.select %c axis = 1 index = -1 : (tensor<*xf32>) -> tensor<*xf32>
  // CHECK: attn.slice {{.*}} axis = 1 start = 0 end = -1 {attn.dims = ["B", "T", 8]}
  %front = attn.slice %c axis = 1 start = 0 end = -1 : (tensor<*xf32>) -> tensor<*xf32>
  // CHECK: attn.slice {{.*}} axis = 2 start = 2 end = 5 {attn.dims = ["B", "T", 3]} : (tensor<?x?x8xf32>) -> tensor<?x?x3xf32>
  %mid = attn.slice %x axis = 2 start = 2 end = 5 : (tensor<?x?x8xf32>) -> tensor<*xf32>
  // CHECK: attn.slice {{.*}} axis = 1 start = 1 {attn.dims = ["B", "S-1"]} : (tensor<?x?xi64>) -> tensor<?x?xi64>
  %tail = attn.slice %ids axis = 1 start = 1 : (tensor<?x?xi64>) -> tensor<*xi64>
  %w = attn.param "embed.weight" : tensor<50x8xf32>
  // CHECK: attn.gather {{.*}} {attn.dims = ["B", "S-1", 8]} : (tensor<50x8xf32>, tensor<?x?xi64>) -> tensor<?x?x8xf32>
  %e = attn.gather %w, %tail : (tensor<50x8xf32>, tensor<*xi64>) -> tensor<*xf32>
  // CHECK: attn.unsqueeze {{.*}} axis = 2 {attn.dims = ["B", "S", 1]} : (tensor<?x?xi64>) -> tensor<?x?x1xi64>
  %u = attn.unsqueeze %ids axis = 2 : (tensor<?x?xi64>) -> tensor<*xi64>
  // CHECK: attn.arange {{.*}} axis = 1 {attn.dims = ["S"]} : (tensor<?x?xi64>) -> tensor<?xi64>
  %p = attn.arange %ids axis = 1 : (tensor<?x?xi64>) -> tensor<*xi64>
  // CHECK: attn.arange size = 4 {attn.dims = [4]} : () -> tensor<4xf32>
  %q = attn.arange size = 4 : () -> tensor<*xf32>
  attn.return %c2, %last, %front, %mid, %e, %p, %q : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xi64>, tensor<*xf32>
}
