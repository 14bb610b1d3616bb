// A LayerNorm written with reductions, then GELU and a linear layer; and, returned besides,
// the other reductions along outer axes, log_softmax, comparisons and where, to exercise the
// schedules of every reduction placement.
module {
  func @Norm(%x: tensor<?x?x24xf32> {attn.name = "x", attn.dims = ["B", "S", 24]})
      -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>)
      attributes {attn.model = "Norm"} {
    %w = attn.param "norm.weight" : tensor<24xf32>
    %b = attn.param "norm.bias" : tensor<24xf32>
    %m = attn.reduce_mean %x axis = 2 keepdim = true : (tensor<?x?x24xf32>) -> tensor<*xf32>
    %c = attn.sub %x, %m : (tensor<?x?x24xf32>, tensor<*xf32>) -> tensor<*xf32>
    %sq = attn.mul %c, %c : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
    %v = attn.reduce_mean %sq axis = 2 keepdim = true : (tensor<*xf32>) -> tensor<*xf32>
    %eps = attn.constant 1.0e-5 : tensor<f32>
    %ve = attn.add %v, %eps : (tensor<*xf32>, tensor<f32>) -> tensor<*xf32>
    %r = attn.rsqrt %ve : (tensor<*xf32>) -> tensor<*xf32>
    %n = attn.mul %c, %r : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
    %nw = attn.mul %n, %w : (tensor<*xf32>, tensor<24xf32>) -> tensor<*xf32>
    %y = attn.add %nw, %b : (tensor<*xf32>, tensor<24xf32>) -> tensor<*xf32>
    %g = attn.gelu %y : (tensor<*xf32>) -> tensor<*xf32>
    %fw = attn.param "fc.weight" : tensor<16x24xf32>
    %fwt = attn.transpose %fw [1, 0] : (tensor<16x24xf32>) -> tensor<*xf32>
    %o = attn.matmul %g, %fwt : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
    %s0 = attn.reduce_sum %x axis = 0 keepdim = false : (tensor<?x?x24xf32>) -> tensor<*xf32>
    %mx = attn.reduce_max %x axis = 1 keepdim = true : (tensor<?x?x24xf32>) -> tensor<*xf32>
    %gt = attn.gt %x, %mx : (tensor<?x?x24xf32>, tensor<*xf32>) -> tensor<*xf32>
    %sel = attn.where %gt, %x, %eps : (tensor<*xf32>, tensor<?x?x24xf32>, tensor<f32>) -> tensor<*xf32>
    %mn = attn.reduce_min %sel axis = 2 keepdim = false : (tensor<*xf32>) -> tensor<*xf32>
    %ls = attn.log_softmax %x axis = 1 : (tensor<?x?x24xf32>) -> tensor<*xf32>
    attn.return %o, %s0, %mn, %ls : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
  }
}
