// RUN: attn-opt %s -split-input-file -verify-diagnostics

// The data-movement ops' verifiers (lib/Dialect/VerifiersMove.cpp): attributes, element types
// and ranks. Sizes and bounds are the shape rules' (verify-move-shape-rules.mlir).

func @gather_float_ids(%t: tensor<10x4xf32>, %ids: tensor<3xf32>) {
  // expected-error@+1 {{'attn.gather' op operand #1 must be tensor of 64-bit signless integer or 32-bit signless integer values}}
  %e = attn.gather %t, %ids : (tensor<10x4xf32>, tensor<3xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @gather_result_type(%t: tensor<10x4xf32>, %ids: tensor<3xi64>) {
  // expected-error@+1 {{'attn.gather' op result of element type 'i64' should have the table's element type 'f32'}}
  %e = attn.gather %t, %ids : (tensor<10x4xf32>, tensor<3xi64>) -> tensor<*xi64>
  attn.return
}

// -----

func @gather_rank(%t: tensor<10x4xf32>, %ids: tensor<3x2xi64>) {
  // expected-error@+1 {{'attn.gather' op result 'tensor<3x4xf32>' should have the ids' axes then the table's row axes: rank 3}}
  %e = attn.gather %t, %ids : (tensor<10x4xf32>, tensor<3x2xi64>) -> tensor<3x4xf32>
  attn.return
}

// -----

func @concat_element_types(%a: tensor<2x3xf32>, %b: tensor<2x3xi64>) {
  // expected-error@+1 {{'attn.concat' op result of element type 'f32' should have the operands' element type 'i64'}}
  %c = attn.concat %a, %b axis = 0 : (tensor<2x3xf32>, tensor<2x3xi64>) -> tensor<*xf32>
  attn.return
}

// -----

func @concat_axis(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) {
  // expected-error@+1 {{'attn.concat' op axis 2 is out of range for 'tensor<2x3xf32>' (rank 2)}}
  %c = attn.concat %a, %b axis = 2 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @select_rank(%a: tensor<2x3xf32>) {
  // expected-error@+1 {{'attn.select' op result 'tensor<2x3xf32>' should have rank 1}}
  %s = attn.select %a axis = 1 index = 0 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  attn.return
}

// -----

func @select_negative_axis(%a: tensor<2x3xf32>) {
  // expected-error@+1 {{'attn.select' op axis -1 is negative; axes count from 0}}
  %s = attn.select %a axis = -1 index = 0 : (tensor<2x3xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @unsqueeze_rank(%a: tensor<2x3xf32>) {
  // expected-error@+1 {{'attn.unsqueeze' op result 'tensor<2x3xf32>' should have rank 3}}
  %u = attn.unsqueeze %a axis = 0 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  attn.return
}

// -----

func @arange_both(%a: tensor<2x3xi64>) {
  // expected-error@+1 {{'attn.arange' op with an operand takes the size of its `axis`, and no `size`}}
  %p = attn.arange %a axis = 1 size = 3 : (tensor<2x3xi64>) -> tensor<*xi64>
  attn.return
}

// -----

func @arange_neither() {
  // expected-error@+1 {{'attn.arange' op without an operand needs a static `size`, and no `axis`}}
  %p = attn.arange : () -> tensor<*xi64>
  attn.return
}

// -----

func @arange_element_type() {
  // expected-error@+1 {{'attn.arange' op result #0 must be tensor of 64-bit signless integer or 32-bit float values}}
  %p = attn.arange size = 3 : () -> tensor<*xi32>
  attn.return
}
