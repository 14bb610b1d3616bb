// RUN: attn-opt %s -attn-shape-inference -split-input-file -verify-diagnostics

// The shape rules of conv2d, max_pool2d and flatten (lib/Dialect/ShapeRulesConv.cpp), reported
// by shape inference on unranked operands, naming the shapes involved.

func @conv_input_rank(%x: tensor<*xf32> {attn.dims = ["B", 3, "H"]}, %w: tensor<8x3x3x3xf32>) -> tensor<*xf32> {
  // expected-error@+1 {{conv2d needs an input of rank 4 [N, C, H, W], got [B, 3, H]}}
  %c = attn.conv2d %x, %w stride = [1, 1] padding = [0, 0] : (tensor<*xf32>, tensor<8x3x3x3xf32>) -> tensor<*xf32>
  attn.return %c : tensor<*xf32>
}

// -----

func @conv_weight_rank(%x: tensor<*xf32> {attn.dims = ["B", 3, "H", "W"]}, %w: tensor<*xf32> {attn.dims = [8, 3, 3]}) -> tensor<*xf32> {
  // expected-error@+1 {{conv2d needs a weight of rank 4 [out_channels, in_channels, kh, kw], got [8, 3, 3]}}
  %c = attn.conv2d %x, %w stride = [1, 1] padding = [0, 0] : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  attn.return %c : tensor<*xf32>
}

// -----

func @conv_channels(%x: tensor<*xf32> {attn.dims = ["B", 4, "H", "W"]}, %w: tensor<8x3x3x3xf32>) -> tensor<*xf32> {
  // expected-error@+1 {{conv2d of input [B, 4, H, W] with weight [8, 3, 3, 3]: the input has 4 channels, the weight expects 3}}
  %c = attn.conv2d %x, %w stride = [1, 1] padding = [0, 0] : (tensor<*xf32>, tensor<8x3x3x3xf32>) -> tensor<*xf32>
  attn.return %c : tensor<*xf32>
}

// -----

func @conv_symbolic_channels(%x: tensor<*xf32> {attn.dims = ["B", "C", "H", "W"]}, %w: tensor<8x3x3x3xf32>) -> tensor<*xf32> {
  // expected-error@+1 {{the input has C channels, the weight expects 3}}
  %c = attn.conv2d %x, %w stride = [1, 1] padding = [0, 0] : (tensor<*xf32>, tensor<8x3x3x3xf32>) -> tensor<*xf32>
  attn.return %c : tensor<*xf32>
}

// -----

func @conv_dynamic_weight(%x: tensor<*xf32> {attn.dims = ["B", 3, "H", "W"]}, %w: tensor<*xf32> {attn.dims = ["O", 3, 3, 3]}) -> tensor<*xf32> {
  // expected-error@+1 {{conv2d needs a weight of static shape, got [O, 3, 3, 3]}}
  %c = attn.conv2d %x, %w stride = [1, 1] padding = [0, 0] : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  attn.return %c : tensor<*xf32>
}

// -----

func @conv_bias(%x: tensor<*xf32> {attn.dims = ["B", 3, "H", "W"]}, %w: tensor<8x3x3x3xf32>, %b: tensor<*xf32> {attn.dims = [7]}) -> tensor<*xf32> {
  // expected-error@+1 {{conv2d bias [7] does not match the 8 output channels of weight [8, 3, 3, 3]}}
  %c = attn.conv2d %x, %w, %b stride = [1, 1] padding = [0, 0] : (tensor<*xf32>, tensor<8x3x3x3xf32>, tensor<*xf32>) -> tensor<*xf32>
  attn.return %c : tensor<*xf32>
}

// -----

func @conv_kernel_too_large(%x: tensor<*xf32> {attn.dims = ["B", 3, 4, "W"]}, %w: tensor<8x3x7x3xf32>) -> tensor<*xf32> {
  // expected-error@+1 {{conv2d kernel 7x3 is larger than the padded input [B, 3, 4, W] of weight [8, 3, 7, 3] (padding 1x1)}}
  %c = attn.conv2d %x, %w stride = [1, 1] padding = [1, 1] : (tensor<*xf32>, tensor<8x3x7x3xf32>) -> tensor<*xf32>
  attn.return %c : tensor<*xf32>
}

// -----

func @conv_stride_zero(%x: tensor<*xf32> {attn.dims = ["B", 3, "H", "W"]}, %w: tensor<8x3x3x3xf32>) -> tensor<*xf32> {
  // The verifier runs on unranked types too: a stride of 0 is refused before shapes are known.
  // expected-error@+1 {{'attn.conv2d' op stride [0, 1] must be positive}}
  %c = attn.conv2d %x, %w stride = [0, 1] padding = [0, 0] : (tensor<*xf32>, tensor<8x3x3x3xf32>) -> tensor<*xf32>
  attn.return %c : tensor<*xf32>
}

// -----

func @pool_rank(%x: tensor<*xf32> {attn.dims = ["H", "W"]}) -> tensor<*xf32> {
  // expected-error@+1 {{max_pool2d needs an input of rank 3 [C, H, W] or 4 [N, C, H, W], got [H, W]}}
  %p = attn.max_pool2d %x kernel = [2, 2] stride = [2, 2] padding = [0, 0] : (tensor<*xf32>) -> tensor<*xf32>
  attn.return %p : tensor<*xf32>
}

// -----

func @pool_kernel_too_large(%x: tensor<*xf32> {attn.dims = ["C", 2, 9]}) -> tensor<*xf32> {
  // expected-error@+1 {{max_pool2d kernel 3x3 is larger than the padded input [C, 2, 9] (padding 0x0)}}
  %p = attn.max_pool2d %x kernel = [3, 3] stride = [1, 1] padding = [0, 0] : (tensor<*xf32>) -> tensor<*xf32>
  attn.return %p : tensor<*xf32>
}

// -----

func @flatten_range(%x: tensor<*xf32> {attn.dims = ["B", "S"]}) -> tensor<*xf32> {
  // expected-error@+1 {{flatten of axes 1 to 2 is out of range for [B, S]}}
  %f = attn.flatten %x start = 1 end = 2 : (tensor<*xf32>) -> tensor<*xf32>
  attn.return %f : tensor<*xf32>
}

// -----

func @flatten_then_mismatch(%x: tensor<*xf32> {attn.dims = ["B", "H", "W"]}, %y: tensor<*xf32> {attn.dims = ["B", "W", "H"]}) -> tensor<*xf32> {
  // H*W and W*H are the same size: they broadcast.
  %f = attn.flatten %x start = 1 end = 2 : (tensor<*xf32>) -> tensor<*xf32>
  %g = attn.flatten %y start = 1 end = 2 : (tensor<*xf32>) -> tensor<*xf32>
  %s = attn.add %f, %g : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  %all = attn.flatten %y start = 0 end = 2 : (tensor<*xf32>) -> tensor<*xf32>
  // expected-error@+1 {{shapes [B, H*W] and [B*H*W] cannot be broadcast together: axis 1 is H*W on one side and B*H*W on the other}}
  %t = attn.add %s, %all : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  attn.return %t : tensor<*xf32>
}
