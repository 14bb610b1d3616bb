// RUN: attn-opt %s -attn-shape-inference | FileCheck %s

// Shape inference through a small CNN (lib/Dialect/ShapeRulesConv.cpp): a window's output size
// rounds down, which on a symbolic axis is a floor; pooling a floor again merges into one floor,
// and flattening the grid multiplies them.

// CHECK-LABEL: func @cnn
func @cnn(%x: tensor<*xf32> {attn.dims = ["B", 3, "H", "W"]}, %w: tensor<8x3x3x3xf32>, %b: tensor<8xf32>, %w2: tensor<5x8x3x3xf32>) -> tensor<*xf32> {
  // CHECK: attn.conv2d {{.*}} stride = [2, 2] padding = [1, 1] {attn.dims = ["B", 8, "floor((H+1)/2)", "floor((W+1)/2)"]} : (tensor<?x3x?x?xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<?x8x?x?xf32>
  %c = attn.conv2d %x, %w, %b stride = [2, 2] padding = [1, 1] : (tensor<*xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<*xf32>
  // CHECK: attn.max_pool2d {{.*}} {attn.dims = ["B", 8, "floor((H+1)/4)", "floor((W+1)/4)"]}
  %p = attn.max_pool2d %c kernel = [2, 2] stride = [2, 2] padding = [0, 0] : (tensor<*xf32>) -> tensor<*xf32>
  // Stride 1 with "same" padding keeps the size; no bias is fine.
  // CHECK: attn.conv2d {{.*}} stride = [1, 1] padding = [1, 1] {attn.dims = ["B", 5, "floor((H+1)/4)", "floor((W+1)/4)"]}
  %c2 = attn.conv2d %p, %w2 stride = [1, 1] padding = [1, 1] : (tensor<*xf32>, tensor<5x8x3x3xf32>) -> tensor<*xf32>
  // CHECK: attn.flatten {{.*}} start = 2 end = 3 {attn.dims = ["B", 5, "floor((H+1)/4)*floor((W+1)/4)"]} : (tensor<?x5x?x?xf32>) -> tensor<?x5x?xf32>
  %f = attn.flatten %c2 start = 2 end = 3 : (tensor<*xf32>) -> tensor<*xf32>
  attn.return %f : tensor<*xf32>
}

// The ViT patch embedding: kernel = stride = 4 on a static 20x22 image; a pool with padding.
// CHECK-LABEL: func @patches
func @patches(%x: tensor<*xf32> {attn.dims = ["B", 3, 20, 22]}, %w: tensor<40x3x4x4xf32>) -> tensor<*xf32> {
  // CHECK: attn.conv2d {{.*}} {attn.dims = ["B", 40, 5, 5]} : (tensor<?x3x20x22xf32>, tensor<40x3x4x4xf32>) -> tensor<?x40x5x5xf32>
  %c = attn.conv2d %x, %w stride = [4, 4] padding = [0, 0] : (tensor<*xf32>, tensor<40x3x4x4xf32>) -> tensor<*xf32>
  // CHECK: attn.max_pool2d {{.*}} {attn.dims = ["B", 40, 3, 3]}
  %p = attn.max_pool2d %c kernel = [3, 3] stride = [2, 2] padding = [1, 1] : (tensor<*xf32>) -> tensor<*xf32>
  // CHECK: attn.flatten {{.*}} {attn.dims = ["B", 360]}
  %f = attn.flatten %p start = 1 end = 3 : (tensor<*xf32>) -> tensor<*xf32>
  attn.return %f : tensor<*xf32>
}

// CHECK-LABEL: func @flatten_symbols
func @flatten_symbols(%x: tensor<*xi64> {attn.dims = ["B", "S", 4]}) -> tensor<*xi64> {
  // CHECK: attn.flatten {{.*}} {attn.dims = ["B*S", 4]} : (tensor<?x?x4xi64>) -> tensor<?x4xi64>
  %f = attn.flatten %x start = 0 end = 1 : (tensor<*xi64>) -> tensor<*xi64>
  attn.return %f : tensor<*xi64>
}
