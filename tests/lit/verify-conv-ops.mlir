// RUN: attn-opt %s -split-input-file -verify-diagnostics

// The verifiers of conv2d, max_pool2d and flatten (lib/Dialect/VerifiersConv.cpp) on their
// attributes and on ranked types.

func @conv_stride_entries(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error@+1 {{'attn.conv2d' op stride [1] needs 2 entries, one per axis}}
  %c = attn.conv2d %x, %w stride = [1] padding = [0, 0] : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @conv_negative_padding(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error@+1 {{'attn.conv2d' op padding [0, -1] must not be negative}}
  %c = attn.conv2d %x, %w stride = [1, 1] padding = [0, -1] : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @conv_rank(%x: tensor<3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error@+1 {{'attn.conv2d' op needs an input of rank 4, got 'tensor<3x8x8xf32>'}}
  %c = attn.conv2d %x, %w stride = [1, 1] padding = [0, 0] : (tensor<3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @conv_channels(%x: tensor<1x2x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error@+1 {{'attn.conv2d' op input 'tensor<1x2x8x8xf32>' has 2 channels but weight 'tensor<4x3x3x3xf32>' expects 3}}
  %c = attn.conv2d %x, %w stride = [1, 1] padding = [0, 0] : (tensor<1x2x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @conv_bias(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<5xf32>) {
  // expected-error@+1 {{'attn.conv2d' op bias 'tensor<5xf32>' does not match the 4 output channels of weight 'tensor<4x3x3x3xf32>'}}
  %c = attn.conv2d %x, %w, %b stride = [1, 1] padding = [0, 0] : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<5xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @conv_result_size(%x: tensor<1x3x9x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // (9 + 2 - 3) / 2 + 1 = 5 rows.
  // expected-error@+1 {{'attn.conv2d' op result 'tensor<1x4x4x4xf32>' should have 5 at axis 2 for input 'tensor<1x3x9x8xf32>'}}
  %c = attn.conv2d %x, %w stride = [2, 2] padding = [1, 1] : (tensor<1x3x9x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x4x4xf32>
  attn.return
}

// -----

func @conv_kernel_too_large(%x: tensor<1x3x2x8xf32>, %w: tensor<4x3x5x3xf32>) {
  // expected-error@+1 {{'attn.conv2d' op kernel 5x3 is larger than the padded input 'tensor<1x3x2x8xf32>'}}
  %c = attn.conv2d %x, %w stride = [1, 1] padding = [1, 1] : (tensor<1x3x2x8xf32>, tensor<4x3x5x3xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @pool_kernel(%x: tensor<1x3x8x8xf32>) {
  // expected-error@+1 {{'attn.max_pool2d' op kernel_size [0, 2] must be positive}}
  %p = attn.max_pool2d %x kernel = [0, 2] stride = [2, 2] padding = [0, 0] : (tensor<1x3x8x8xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @pool_padding(%x: tensor<1x3x8x8xf32>) {
  // expected-error@+1 {{'attn.max_pool2d' op padding [2, 2] is more than half the kernel [3, 3]}}
  %p = attn.max_pool2d %x kernel = [3, 3] stride = [1, 1] padding = [2, 2] : (tensor<1x3x8x8xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @pool_result(%x: tensor<1x3x7x8xf32>) {
  // expected-error@+1 {{'attn.max_pool2d' op result 'tensor<1x3x4x4xf32>' should have 3 at axis 2 for input 'tensor<1x3x7x8xf32>'}}
  %p = attn.max_pool2d %x kernel = [2, 2] stride = [2, 2] padding = [0, 0] : (tensor<1x3x7x8xf32>) -> tensor<1x3x4x4xf32>
  attn.return
}

// -----

func @flatten_order(%x: tensor<2x3x4xf32>) {
  // expected-error@+1 {{'attn.flatten' op start 2 and end 1 must satisfy 0 <= start <= end}}
  %f = attn.flatten %x start = 2 end = 1 : (tensor<2x3x4xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @flatten_range(%x: tensor<2x3x4xf32>) {
  // expected-error@+1 {{'attn.flatten' op end 3 is out of range for 'tensor<2x3x4xf32>' (rank 3)}}
  %f = attn.flatten %x start = 0 end = 3 : (tensor<2x3x4xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @flatten_result_rank(%x: tensor<2x3x4xf32>) {
  // expected-error@+1 {{'attn.flatten' op result 'tensor<6x4x1xf32>' should have rank 2 (axes 0 to 1 of 'tensor<2x3x4xf32>' merged)}}
  %f = attn.flatten %x start = 0 end = 1 : (tensor<2x3x4xf32>) -> tensor<6x4x1xf32>
  attn.return
}
