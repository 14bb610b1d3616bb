// RUN: attn-opt %s -split-input-file -verify-diagnostics

// The op verifiers (lib/Dialect/Verifiers.cpp), except attention's (verify-attention.mlir).
// They run when the IR is parsed and after every pass.

func @param_without_name() {
  // expected-error@+1 {{'attn.param' op needs the name of a parameter, got an empty name}}
  %w = attn.param "" : tensor<4xf32>
  attn.return
}

// -----

func @add_static_mismatch(%a: tensor<3x4xf32>, %b: tensor<5x4xf32>) {
  // expected-error@+1 {{'attn.add' op operands 'tensor<3x4xf32>' and 'tensor<5x4xf32>' cannot be broadcast together: axis 0 is 3 on one side and 5 on the other}}
  %c = attn.add %a, %b : (tensor<3x4xf32>, tensor<5x4xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @mul_result_rank(%a: tensor<3x4xf32>, %b: tensor<4xf32>) {
  // expected-error@+1 {{'attn.mul' op result 'tensor<4xf32>' should have rank 2, the larger of its operands' ranks}}
  %c = attn.mul %a, %b : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<4xf32>
  attn.return
}

// -----

func @sub_result_size(%a: tensor<3x1xf32>, %b: tensor<4xf32>) {
  // expected-error@+1 {{'attn.sub' op result 'tensor<3x5xf32>' disagrees with operand 'tensor<4xf32>' at axis 1 (5 vs 4)}}
  %c = attn.sub %a, %b : (tensor<3x1xf32>, tensor<4xf32>) -> tensor<3x5xf32>
  attn.return
}

// -----

func @matmul_vector(%a: tensor<4xf32>, %b: tensor<4x4xf32>) {
  // expected-error@+1 {{'attn.matmul' op needs matrices (rank 2 or more), but the lhs is 'tensor<4xf32>'}}
  %c = attn.matmul %a, %b : (tensor<4xf32>, tensor<4x4xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @matmul_contraction(%a: tensor<?x3xf32>, %b: tensor<4x5xf32>) {
  // expected-error@+1 {{'attn.matmul' op contracts the lhs's last axis (3) with the rhs's second-to-last (4); they must be equal}}
  %c = attn.matmul %a, %b : (tensor<?x3xf32>, tensor<4x5xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @matmul_batch(%a: tensor<2x3x4xf32>, %b: tensor<5x4x6xf32>) {
  // expected-error@+1 {{'attn.matmul' op batch axes of 'tensor<2xf32>' and 'tensor<5xf32>' cannot be broadcast together}}
  %c = attn.matmul %a, %b : (tensor<2x3x4xf32>, tensor<5x4x6xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @matmul_result_rows(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>) {
  // expected-error@+1 {{'attn.matmul' op result 'tensor<7x5xf32>' should have as many rows as the lhs 'tensor<3x4xf32>'}}
  %c = attn.matmul %a, %b : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<7x5xf32>
  attn.return
}

// -----

func @matmul_result_columns(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>) {
  // expected-error@+1 {{'attn.matmul' op result 'tensor<3x6xf32>' should have as many columns as the rhs 'tensor<4x5xf32>'}}
  %c = attn.matmul %a, %b : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x6xf32>
  attn.return
}

// -----

func @transpose_not_a_permutation(%a: tensor<*xf32>) {
  // expected-error@+1 {{'attn.transpose' op perm [0, 0] is not a permutation of the axes 0..1}}
  %t = attn.transpose %a [0, 0] : (tensor<*xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @transpose_out_of_range(%a: tensor<*xf32>) {
  // expected-error@+1 {{'attn.transpose' op perm [0, 2] is not a permutation of the axes 0..1}}
  %t = attn.transpose %a [0, 2] : (tensor<*xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @transpose_rank(%a: tensor<2x3x4xf32>) {
  // expected-error@+1 {{'attn.transpose' op perm [1, 0] has 2 axes but the input 'tensor<2x3x4xf32>' has rank 3}}
  %t = attn.transpose %a [1, 0] : (tensor<2x3x4xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @transpose_result(%a: tensor<2x3xf32>) {
  // expected-error@+1 {{'attn.transpose' op result axis 0 should be input axis 1: 'tensor<2x3xf32>' transposed by [1, 0] is not 'tensor<2x3xf32>'}}
  %t = attn.transpose %a [1, 0] : (tensor<2x3xf32>) -> tensor<2x3xf32>
  attn.return
}

// -----

func @reshape_two_inferred(%a: tensor<*xf32>) {
  // expected-error@+1 {{'attn.reshape' op shape [-1, -1] may leave at most one size to infer (-1)}}
  %r = attn.reshape %a [-1, -1] : (tensor<*xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @reshape_negative(%a: tensor<*xf32>) {
  // expected-error@+1 {{'attn.reshape' op shape [4, -2] has a negative size -2}}
  %r = attn.reshape %a [4, -2] : (tensor<*xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @reshape_result_shape(%a: tensor<*xf32>) {
  // expected-error@+1 {{'attn.reshape' op result 'tensor<4x3xf32>' does not have shape [3, 4]}}
  %r = attn.reshape %a [3, 4] : (tensor<*xf32>) -> tensor<4x3xf32>
  attn.return
}

// -----

func @reshape_count(%a: tensor<2x3xf32>) {
  // expected-error@+1 {{'attn.reshape' op cannot reshape 'tensor<2x3xf32>' (6 elements) to 'tensor<4x2xf32>' (8 elements)}}
  %r = attn.reshape %a [4, 2] : (tensor<2x3xf32>) -> tensor<4x2xf32>
  attn.return
}

// -----

func @split_heads_zero(%a: tensor<*xf32>) {
  // expected-error@+1 {{'attn.split_heads' op needs a positive number of heads, got 0}}
  %h = attn.split_heads %a heads = 0 : (tensor<*xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @split_heads_rank(%a: tensor<?x40xf32>) {
  // expected-error@+1 {{'attn.split_heads' op needs an input [batch, sequence, features], got 'tensor<?x40xf32>'}}
  %h = attn.split_heads %a heads = 4 : (tensor<?x40xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @split_heads_divisible(%a: tensor<?x?x40xf32>) {
  // expected-error@+1 {{'attn.split_heads' op cannot split 40 features into 3 heads of equal size}}
  %h = attn.split_heads %a heads = 3 : (tensor<?x?x40xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @split_heads_result(%a: tensor<?x?x40xf32>) {
  // expected-error@+1 {{'attn.split_heads' op result 'tensor<?x5x?x10xf32>' should have 4 heads on axis 1}}
  %h = attn.split_heads %a heads = 4 : (tensor<?x?x40xf32>) -> tensor<?x5x?x10xf32>
  attn.return
}

// -----

func @merge_heads_rank(%a: tensor<?x?x40xf32>) {
  // expected-error@+1 {{'attn.merge_heads' op needs an input [batch, heads, sequence, head_dim], got 'tensor<?x?x40xf32>'}}
  %m = attn.merge_heads %a : (tensor<?x?x40xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @merge_heads_result_rank(%a: tensor<?x4x?x10xf32>) {
  // expected-error@+1 {{'attn.merge_heads' op gives [batch, sequence, features], not 'tensor<?x4x?x10xf32>'}}
  %m = attn.merge_heads %a : (tensor<?x4x?x10xf32>) -> tensor<?x4x?x10xf32>
  attn.return
}

// -----

func @softmax_negative_axis(%a: tensor<*xf32>) {
  // expected-error@+1 {{'attn.softmax' op axis -1 is negative; axes count from 0}}
  %s = attn.softmax %a axis = -1 : (tensor<*xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @softmax_axis_out_of_range(%a: tensor<?x?x8xf32>) {
  // expected-error@+1 {{'attn.softmax' op axis 3 is out of range for 'tensor<?x?x8xf32>' (rank 3)}}
  %s = attn.softmax %a axis = 3 : (tensor<?x?x8xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @score_dim_outside_attention() {
  // expected-error@+1 {{'attn.score_dim' op is only meaningful inside the score or mask of an attn.attention}}
  %d = attn.score_dim : f32
  attn.return
}

// -----

func @assert_shape_ellipsis_not_first(%a: tensor<*xf32>) {
  // expected-error@+1 {{'attn.assert_shape' op may only start with "...", not have it after another axis}}
  %b = attn.assert_shape %a ["B", "..."] scope = 0 : (tensor<*xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @assert_shape_bad_entry(%a: tensor<*xf32>) {
  // expected-error@+1 {{'attn.assert_shape' op dims entries must be sizes or symbol names, got 1.500000e+00 : f64}}
  %b = attn.assert_shape %a ["B", 1.5] scope = 0 : (tensor<*xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @assert_shape_negative(%a: tensor<*xf32>) {
  // expected-error@+1 {{'attn.assert_shape' op declares a negative size -3}}
  %b = attn.assert_shape %a [-3] scope = 0 : (tensor<*xf32>) -> tensor<*xf32>
  attn.return
}
