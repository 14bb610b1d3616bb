module {
  func @MultiHeadAttention(%q: tensor<?x?x40xf32> {attn.name = "query", attn.dims = ["B", "Sq", 40]},
                           %k: tensor<?x?x40xf32> {attn.name = "key", attn.dims = ["B", "Sk", 40]},
                           %v: tensor<?x?x40xf32> {attn.name = "value", attn.dims = ["B", "Sk", 40]}) -> tensor<*xf32>
      attributes {attn.model = "MultiHeadAttention", attn.source = "multi_head_attention.mlir", attn.hyperparameters = {embed_dim = 40 : i64, num_heads = 5 : i64}} {
    %wq = attn.param "query.weight" : tensor<40x40xf32>
    %bq = attn.param "query.bias" : tensor<40xf32>
    %wk = attn.param "key.weight" : tensor<40x40xf32>
    %bk = attn.param "key.bias" : tensor<40xf32>
    %wv = attn.param "value.weight" : tensor<40x40xf32>
    %bv = attn.param "value.bias" : tensor<40xf32>
    %wo = attn.param "output.weight" : tensor<40x40xf32>
    %bo = attn.param "output.bias" : tensor<40xf32>
    %wqt = attn.transpose %wq [1, 0] : (tensor<40x40xf32>) -> tensor<*xf32>
    %q1 = attn.matmul %q, %wqt : (tensor<?x?x40xf32>, tensor<*xf32>) -> tensor<*xf32>
    %q2 = attn.add %q1, %bq : (tensor<*xf32>, tensor<40xf32>) -> tensor<*xf32>
    %wkt = attn.transpose %wk [1, 0] : (tensor<40x40xf32>) -> tensor<*xf32>
    %k1 = attn.matmul %k, %wkt : (tensor<?x?x40xf32>, tensor<*xf32>) -> tensor<*xf32>
    %k2 = attn.add %k1, %bk : (tensor<*xf32>, tensor<40xf32>) -> tensor<*xf32>
    %wvt = attn.transpose %wv [1, 0] : (tensor<40x40xf32>) -> tensor<*xf32>
    %v1 = attn.matmul %v, %wvt : (tensor<?x?x40xf32>, tensor<*xf32>) -> tensor<*xf32>
    %v2 = attn.add %v1, %bv : (tensor<*xf32>, tensor<40xf32>) -> tensor<*xf32>
    %qh = attn.split_heads %q2 heads = 5 : (tensor<*xf32>) -> tensor<*xf32>
    %kh = attn.split_heads %k2 heads = 5 : (tensor<*xf32>) -> tensor<*xf32>
    %vh = attn.split_heads %v2 heads = 5 : (tensor<*xf32>) -> tensor<*xf32>
    %a = "attn.attention"(%qh, %kh, %vh) ({
    ^bb0(%s: f32, %b: index, %h: index, %i: index, %j: index):
      %d = attn.score_dim : f32
      %r = math.sqrt %d : f32
      %x = arith.divf %s, %r : f32
      attn.yield %x : f32
    }, {
    }, {}) : (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
    %m = attn.merge_heads %a : (tensor<*xf32>) -> tensor<*xf32>
    %wot = attn.transpose %wo [1, 0] : (tensor<40x40xf32>) -> tensor<*xf32>
    %o1 = attn.matmul %m, %wot : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
    %o2 = attn.add %o1, %bo : (tensor<*xf32>, tensor<40xf32>) -> tensor<*xf32>
    attn.return %o2 : tensor<*xf32>
  }
}
