// Data movement with i64 ids: an embedding lookup of the tokens after the first, positions,
// a concatenation along a symbolic axis, its last position, and the ids converted to f32, as
// the front end builds them (results unranked until shape inference).
module {
  func @Movement(%ids: tensor<?x?xi64> {attn.name = "ids", attn.dims = ["B", "S"]},
                 %x: tensor<?x?x8xf32> {attn.name = "x", attn.dims = ["B", "S", 8]})
      -> (tensor<*xf32>, tensor<*xi64>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>)
      attributes {attn.model = "Movement"} {
    %w = attn.param "embed.weight" : tensor<50x8xf32>
    %tail = attn.slice %ids axis = 1 start = 1 : (tensor<?x?xi64>) -> tensor<*xi64>
    %e = attn.gather %w, %tail : (tensor<50x8xf32>, tensor<*xi64>) -> tensor<*xf32>
    %p = attn.arange %ids axis = 1 : (tensor<?x?xi64>) -> tensor<*xi64>
    %c = attn.concat %x, %e axis = 1 : (tensor<?x?x8xf32>, tensor<*xf32>) -> tensor<*xf32>
    %last = attn.select %c axis = 1 index = -1 : (tensor<*xf32>) -> tensor<*xf32>
    %f = attn.cast %tail : (tensor<*xi64>) -> tensor<*xf32>
    attn.return %e, %p, %c, %last, %f
        : tensor<*xf32>, tensor<*xi64>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
  }
}
