// RUN: attn-opt %s -attn-shape-inference -split-input-file -verify-diagnostics

// The shape-inference pass's own errors, and how many it reports: one failing shape rule ends
// its function (no cascade), other functions and failed asserts still report theirs.

// expected-error@+1 {{argument #0 of type 'tensor<?x8xf32>' needs an attn.dims attribute naming its dynamic sizes}}
func @argument_without_dims(%x: tensor<?x8xf32>) -> tensor<*xf32> {
  %y = attn.relu %x : (tensor<?x8xf32>) -> tensor<*xf32>
  attn.return %y : tensor<*xf32>
}

// -----

// expected-error@+1 {{argument #0 of type 'tensor<?x8xf32>' cannot have the shape [S, 16]}}
func @argument_contradicts_dims(%x: tensor<?x8xf32> {attn.dims = ["S", 16]}) -> tensor<*xf32> {
  %y = attn.relu %x : (tensor<?x8xf32>) -> tensor<*xf32>
  attn.return %y : tensor<*xf32>
}

// -----

// expected-error@+1 {{argument #0 has malformed attn.dims ["S", 1.000000e+00]: expected sizes and dim expressions}}
func @malformed_dims(%x: tensor<*xf32> {attn.dims = ["S", 1.0]}) -> tensor<*xf32> {
  attn.return %x : tensor<*xf32>
}

// -----

func @result_type_contradicts(%x: tensor<*xf32> {attn.dims = ["S", 8]}) -> tensor<*xf32> {
  // expected-error@+1 {{result type 'tensor<?x4xf32>' contradicts the inferred shape [S, 8]}}
  %y = attn.relu %x : (tensor<*xf32>) -> tensor<?x4xf32>
  attn.return %y : tensor<?x4xf32>
}

// -----

func @no_shape_rule(%x: tensor<?x8xf32> {attn.dims = ["S", 8]}) -> tensor<?x8xf32> {
  // expected-error@+1 {{has no shape rule, so the shapes after it are unknown}}
  %y = arith.addf %x, %x : tensor<?x8xf32>
  attn.return %y : tensor<?x8xf32>
}

// -----

// The second matmul would fail too, but only because the first did: it is not reported.
func @no_cascade(%a: tensor<*xf32> {attn.dims = ["M", "K"]}, %b: tensor<*xf32> {attn.dims = ["N", "P"]}) -> tensor<*xf32> {
  // expected-error@+1 {{the contracted dimensions differ (K vs N)}}
  %c = attn.matmul %a, %b : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  %d = attn.matmul %c, %b : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  attn.return %d : tensor<*xf32>
}

// -----

// A failed assert ends the function too: what follows a call whose argument did not match its
// declaration would only repeat the mismatch.
func @assert_then_rule(%a: tensor<*xf32> {attn.dims = ["S", 8]}) -> tensor<*xf32> {
  // expected-error@+1 {{shape mismatch: expected [S, 4] but got [S, 8]: axis 1 is 8, not 4}}
  %b = attn.assert_shape %a ["S", 4] scope = 0 : (tensor<*xf32>) -> tensor<*xf32>
  %c = attn.softmax %b axis = 2 : (tensor<*xf32>) -> tensor<*xf32>
  attn.return %c : tensor<*xf32>
}

// Each function reports its own first error.
func @second_function(%a: tensor<*xf32> {attn.dims = ["S", 8]}) -> tensor<*xf32> {
  // expected-error@+1 {{merge_heads needs [batch, heads, sequence, head_dim], got [S, 8]}}
  %m = attn.merge_heads %a : (tensor<*xf32>) -> tensor<*xf32>
  attn.return %m : tensor<*xf32>
}
