// RUN: attn-opt %s -attn-shape-inference -split-input-file -verify-diagnostics

// The shape rules of the reductions, log_softmax, the comparisons and where
// (lib/Dialect/ShapeRulesReduce.cpp, ShapeRules.cpp), reported by shape inference on unranked
// operands, where only the symbols show the mistake.

func @reduce_axis(%a: tensor<*xf32> {attn.dims = ["B", "S"]}) -> tensor<*xf32> {
  // expected-error@+1 {{reduce_mean axis 2 is out of range for [B, S]}}
  %m = attn.reduce_mean %a axis = 2 keepdim = true : (tensor<*xf32>) -> tensor<*xf32>
  attn.return %m : tensor<*xf32>
}

// -----

func @reduce_dropped_axis(%a: tensor<*xf32> {attn.dims = ["B", "S"]}) -> tensor<*xf32> {
  // Without keepdim the reduced axis is gone: [B] does not broadcast against [B, S].
  %m = attn.reduce_max %a axis = 1 keepdim = false : (tensor<*xf32>) -> tensor<*xf32>
  // expected-error@+1 {{shapes [B, S] and [B] cannot be broadcast together: axis 1 is S on one side and B on the other}}
  %d = attn.sub %a, %m : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  attn.return %d : tensor<*xf32>
}

// -----

func @log_softmax_axis(%a: tensor<*xf32> {attn.dims = ["B", "S", 4]}) -> tensor<*xf32> {
  // expected-error@+1 {{log_softmax axis 3 is out of range for [B, S, 4]}}
  %l = attn.log_softmax %a axis = 3 : (tensor<*xf32>) -> tensor<*xf32>
  attn.return %l : tensor<*xf32>
}

// -----

func @compare_broadcast(%a: tensor<*xf32> {attn.dims = ["B", "S"]}, %b: tensor<*xf32> {attn.dims = ["B", "T"]}) -> tensor<*xf32> {
  // expected-error@+1 {{shapes [B, S] and [B, T] cannot be broadcast together: axis 1 is S on one side and T on the other}}
  %c = attn.lt %a, %b : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  attn.return %c : tensor<*xf32>
}

// -----

func @where_values(%c: tensor<*xf32> {attn.dims = ["B", 1]}, %a: tensor<*xf32> {attn.dims = ["B", "S"]}, %b: tensor<*xf32> {attn.dims = ["T"]}) -> tensor<*xf32> {
  // expected-error@+1 {{shapes [B, S] and [T] cannot be broadcast together: axis 1 is S on one side and T on the other}}
  %w = attn.where %c, %a, %b : (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  attn.return %w : tensor<*xf32>
}

// -----

func @where_condition(%c: tensor<*xf32> {attn.dims = ["C", "S"]}, %a: tensor<*xf32> {attn.dims = ["B", "S"]}, %b: tensor<*xf32> {attn.dims = ["S"]}) -> tensor<*xf32> {
  // expected-error@+1 {{shapes [C, S] and [B, S] cannot be broadcast together: axis 0 is C on one side and B on the other}}
  %w = attn.where %c, %a, %b : (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  attn.return %w : tensor<*xf32>
}
