// Unfused attention spelled with matmul, softmax and a causal fused attention, to exercise
// every op family's schedules. The probabilities are returned too, which keeps the pipeline's
// attention fusion from fusing the spelled-out chain.
module {
  func @Unfused(%q: tensor<?x?x16xf32> {attn.name = "q", attn.dims = ["B", "S", 16]},
                %k: tensor<?x?x16xf32> {attn.name = "k", attn.dims = ["B", "S", 16]})
      -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) attributes {attn.model = "Unfused"} {
    %kt = attn.transpose %k [0, 2, 1] : (tensor<?x?x16xf32>) -> tensor<*xf32>
    %s = attn.matmul %q, %kt : (tensor<?x?x16xf32>, tensor<*xf32>) -> tensor<*xf32>
    %c = attn.constant 0.25 : tensor<f32>
    %s2 = attn.mul %s, %c : (tensor<*xf32>, tensor<f32>) -> tensor<*xf32>
    %p = attn.softmax %s2 axis = 2 : (tensor<*xf32>) -> tensor<*xf32>
    %o = attn.matmul %p, %k : (tensor<*xf32>, tensor<?x?x16xf32>) -> tensor<*xf32>
    %a = "attn.attention"(%q, %k, %k) ({
    }, {
    ^bb0(%b: index, %h: index, %i: index, %j: index):
      %m = arith.cmpi sle, %j, %i : index
      attn.yield %m : i1
    }, {}) : (tensor<?x?x16xf32>, tensor<?x?x16xf32>, tensor<?x?x16xf32>) -> tensor<*xf32>
    %t = attn.tanh %a : (tensor<*xf32>) -> tensor<*xf32>
    attn.return %o, %t, %p : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
  }
}
