// RUN: attn-opt %s -split-input-file -verify-diagnostics

// The verifiers of the reductions, log_softmax, the comparisons and where
// (lib/Dialect/VerifiersReduce.cpp, Verifiers.cpp) on ranked types.

func @reduce_negative_axis(%a: tensor<3x4xf32>) {
  // expected-error@+1 {{'attn.reduce_sum' op axis -1 is negative; axes count from 0}}
  %s = attn.reduce_sum %a axis = -1 keepdim = false : (tensor<3x4xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @reduce_axis_range(%a: tensor<3x4xf32>) {
  // expected-error@+1 {{'attn.reduce_min' op axis 2 is out of range for 'tensor<3x4xf32>' (rank 2)}}
  %s = attn.reduce_min %a axis = 2 keepdim = true : (tensor<3x4xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @reduce_keepdim_result(%a: tensor<3x4xf32>) {
  // expected-error@+1 {{'attn.reduce_mean' op result 'tensor<3xf32>' is not 'tensor<3x4xf32>' reduced along axis 1 (keepdim)}}
  %s = attn.reduce_mean %a axis = 1 keepdim = true : (tensor<3x4xf32>) -> tensor<3xf32>
  attn.return
}

// -----

func @reduce_result(%a: tensor<3x4xf32>) {
  // expected-error@+1 {{'attn.reduce_max' op result 'tensor<4xf32>' is not 'tensor<3x4xf32>' reduced along axis 1}}
  %s = attn.reduce_max %a axis = 1 keepdim = false : (tensor<3x4xf32>) -> tensor<4xf32>
  attn.return
}

// -----

func @log_softmax_axis(%a: tensor<3x4xf32>) {
  // expected-error@+1 {{'attn.log_softmax' op axis 2 is out of range for 'tensor<3x4xf32>' (rank 2)}}
  %s = attn.log_softmax %a axis = 2 : (tensor<3x4xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @compare_static_mismatch(%a: tensor<3x4xf32>, %b: tensor<5x4xf32>) {
  // expected-error@+1 {{'attn.ge' op operands 'tensor<3x4xf32>' and 'tensor<5x4xf32>' cannot be broadcast together: axis 0 is 3 on one side and 5 on the other}}
  %c = attn.ge %a, %b : (tensor<3x4xf32>, tensor<5x4xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @where_static_mismatch(%c: tensor<3x1xf32>, %a: tensor<3x4xf32>, %b: tensor<5xf32>) {
  // expected-error@+1 {{'attn.where' op values 'tensor<3x4xf32>' and 'tensor<5xf32>' cannot be broadcast together: axis 1 is 4 on one side and 5 on the other}}
  %w = attn.where %c, %a, %b : (tensor<3x1xf32>, tensor<3x4xf32>, tensor<5xf32>) -> tensor<*xf32>
  attn.return
}

// -----

func @where_result(%c: tensor<3x1xf32>, %a: tensor<4xf32>, %b: tensor<1xf32>) {
  // expected-error@+1 {{'attn.where' op result 'tensor<3x5xf32>' disagrees with operand 'tensor<4xf32>' at axis 1 (5 vs 4)}}
  %w = attn.where %c, %a, %b : (tensor<3x1xf32>, tensor<4xf32>, tensor<1xf32>) -> tensor<3x5xf32>
  attn.return
}
