// ZOO.md entry 13's CNN on a symbolic image: conv, ReLU, pool, conv, ReLU, pool, the grid
// flattened to regions; and a strided, unpadded patch convolution without a bias on a static one.
module {
  func @Cnn(%x: tensor<?x3x?x?xf32> {attn.name = "images", attn.dims = ["B", 3, "H", "W"]},
            %p: tensor<?x3x20x20xf32> {attn.name = "patches", attn.dims = ["B", 3, 20, 20]})
      -> (tensor<*xf32>, tensor<*xf32>) attributes {attn.model = "Cnn"} {
    %w1 = attn.param "cnn.0.weight" : tensor<8x3x3x3xf32>
    %b1 = attn.param "cnn.0.bias" : tensor<8xf32>
    %w2 = attn.param "cnn.3.weight" : tensor<12x8x3x3xf32>
    %b2 = attn.param "cnn.3.bias" : tensor<12xf32>
    %wp = attn.param "proj.weight" : tensor<40x3x4x4xf32>
    %c1 = attn.conv2d %x, %w1, %b1 stride = [1, 1] padding = [1, 1] : (tensor<?x3x?x?xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<*xf32>
    %r1 = attn.relu %c1 : (tensor<*xf32>) -> tensor<*xf32>
    %p1 = attn.max_pool2d %r1 kernel = [2, 2] stride = [2, 2] padding = [0, 0] : (tensor<*xf32>) -> tensor<*xf32>
    %c2 = attn.conv2d %p1, %w2, %b2 stride = [1, 1] padding = [1, 1] : (tensor<*xf32>, tensor<12x8x3x3xf32>, tensor<12xf32>) -> tensor<*xf32>
    %r2 = attn.relu %c2 : (tensor<*xf32>) -> tensor<*xf32>
    %p2 = attn.max_pool2d %r2 kernel = [2, 2] stride = [2, 2] padding = [0, 0] : (tensor<*xf32>) -> tensor<*xf32>
    %f = attn.flatten %p2 start = 2 end = 3 : (tensor<*xf32>) -> tensor<*xf32>
    %t = attn.transpose %f [0, 2, 1] : (tensor<*xf32>) -> tensor<*xf32>
    %cp = attn.conv2d %p, %wp stride = [4, 4] padding = [0, 0] : (tensor<?x3x20x20xf32>, tensor<40x3x4x4xf32>) -> tensor<*xf32>
    attn.return %t, %cp : tensor<*xf32>, tensor<*xf32>
  }
}
