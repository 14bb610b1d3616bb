// RUN: attn-opt %s -attn-shape-inference -split-input-file -verify-diagnostics

// Errors of the data-movement ops' shape rules (lib/Dialect/ShapeRulesMove.cpp), which see
// symbolic sizes: the verifiers cannot tell `T` from `S`.

func @concat_other_axis(%a: tensor<*xf32> {attn.dims = ["B", "T", 8]}, %b: tensor<*xf32> {attn.dims = ["B", "T", 4]}) -> tensor<*xf32> {
  // expected-error@+1 {{concat along axis 1 of [B, T, 8] and [B, T, 4]: axis 2 differs (8 vs 4)}}
  %c = attn.concat %a, %b axis = 1 : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  attn.return %c : tensor<*xf32>
}

// -----

func @concat_symbols(%a: tensor<*xf32> {attn.dims = ["B", "S", 8]}, %b: tensor<*xf32> {attn.dims = ["C", "S", 8]}) -> tensor<*xf32> {
  // expected-error@+1 {{concat along axis 2 of [B, S, 8] and [C, S, 8]: axis 0 differs (B vs C)}}
  %c = attn.concat %a, %b axis = 2 : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  attn.return %c : tensor<*xf32>
}

// -----

func @concat_rank(%a: tensor<*xf32> {attn.dims = ["B", 8]}, %b: tensor<*xf32> {attn.dims = ["B", 1, 8]}) -> tensor<*xf32> {
  // expected-error@+1 {{concat needs operands of one rank, got [B, 8] and [B, 1, 8]}}
  %c = attn.concat %a, %b axis = 0 : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  attn.return %c : tensor<*xf32>
}

// -----

func @slice_static(%a: tensor<*xf32> {attn.dims = ["B", 4]}) -> tensor<*xf32> {
  // expected-error@+1 {{slice [2:6] is out of range for axis 1 of [B, 4] (size 4)}}
  %s = attn.slice %a axis = 1 start = 2 end = 6 : (tensor<*xf32>) -> tensor<*xf32>
  attn.return %s : tensor<*xf32>
}

// -----

func @slice_reversed(%a: tensor<*xf32> {attn.dims = ["B", 4]}) -> tensor<*xf32> {
  // expected-error@+1 {{slice [-1:1] is out of range for axis 1 of [B, 4] (size 4)}}
  %s = attn.slice %a axis = 1 start = -1 end = 1 : (tensor<*xf32>) -> tensor<*xf32>
  attn.return %s : tensor<*xf32>
}

// -----

func @slice_symbolic_negative(%a: tensor<*xf32> {attn.dims = ["B", "S"]}) -> tensor<*xf32> {
  // expected-error@+1 {{slice [-1:-3] of axis 1 of [B, S] has a negative size (-2)}}
  %s = attn.slice %a axis = 1 start = -1 end = -3 : (tensor<*xf32>) -> tensor<*xf32>
  attn.return %s : tensor<*xf32>
}

// -----

func @select_static(%a: tensor<*xf32> {attn.dims = ["B", 3]}) -> tensor<*xf32> {
  // expected-error@+1 {{index -4 is out of range for axis 1 of [B, 3] (size 3)}}
  %s = attn.select %a axis = 1 index = -4 : (tensor<*xf32>) -> tensor<*xf32>
  attn.return %s : tensor<*xf32>
}

// -----

func @unsqueeze_axis(%a: tensor<*xf32> {attn.dims = ["B", "S"]}) -> tensor<*xf32> {
  // expected-error@+1 {{unsqueeze axis 3 is out of range for [B, S] (0 to 2)}}
  %u = attn.unsqueeze %a axis = 3 : (tensor<*xf32>) -> tensor<*xf32>
  attn.return %u : tensor<*xf32>
}

// -----

func @arange_axis(%a: tensor<*xi64> {attn.dims = ["B", "S"]}) -> tensor<*xi64> {
  // expected-error@+1 {{arange axis 2 is out of range for [B, S]}}
  %p = attn.arange %a axis = 2 : (tensor<*xi64>) -> tensor<*xi64>
  attn.return %p : tensor<*xi64>
}
