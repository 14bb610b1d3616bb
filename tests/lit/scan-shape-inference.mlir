// RUN: attn-opt %s -attn-shape-inference -split-input-file -verify-diagnostics | FileCheck %s

// A tanh RNN step over a sequence-first input: the body's arguments are shaped from the
// operands (the position rank 0, the carry as its initial value, the row without the leading
// axis), the final carry keeps its shape and the stacked output gains the leading axis S.

// CHECK-LABEL: func @rnn
// CHECK: "attn.scan"
// CHECK: ^bb0(%{{.*}}: tensor<i64>, %[[H:.*]]: tensor<?x20xf32>, %[[X:.*]]: tensor<?x20xf32>):
// CHECK: attn.matmul %[[H]], %{{.*}} {attn.dims = ["B", 20]}
// CHECK: attn.scan_yield
// CHECK: attn.arg_dims = {{\[\[}}], ["B", 20], ["B", 20]]
// CHECK-SAME: attn.result_dims = {{\[\[}}"B", 20], ["S", "B", 20]]
// CHECK-SAME: (tensor<?x20xf32>, tensor<?x?x20xf32>) -> (tensor<?x20xf32>, tensor<?x?x20xf32>)
func @rnn(%xs: tensor<?x?x20xf32> {attn.dims = ["S", "B", 20]},
          %h0: tensor<?x20xf32> {attn.dims = ["B", 20]}) -> tensor<*xf32> {
  %w = attn.param "weight_hh_l0" : tensor<20x20xf32>
  %final, %all = "attn.scan"(%h0, %xs) ({
  ^bb0(%t: tensor<i64>, %h: tensor<*xf32>, %x: tensor<*xf32>):
    %p = attn.matmul %h, %w : (tensor<*xf32>, tensor<20x20xf32>) -> tensor<*xf32>
    %s = attn.add %p, %x : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
    %n = attn.tanh %s : (tensor<*xf32>) -> tensor<*xf32>
    attn.scan_yield %n, %n : tensor<*xf32>, tensor<*xf32>
  }) {num_carries = 1 : i64, reverse = false} : (tensor<?x20xf32>, tensor<?x?x20xf32>) -> (tensor<*xf32>, tensor<*xf32>)
  attn.return %final, %all : tensor<*xf32>, tensor<*xf32>
}

// -----

// A carry must keep its shape from step to step.
func @carry_changes_shape(%xs: tensor<?x?x20xf32> {attn.dims = ["S", "B", 20]},
                          %h0: tensor<?x20xf32> {attn.dims = ["B", 20]}) -> tensor<*xf32> {
  %w = attn.param "w" : tensor<20x30xf32>
  %final = "attn.scan"(%h0, %xs) ({
  ^bb0(%t: tensor<i64>, %h: tensor<*xf32>, %x: tensor<*xf32>):
    %p = attn.matmul %h, %w : (tensor<*xf32>, tensor<20x30xf32>) -> tensor<*xf32>
    // expected-error@+1 {{carry 1 of the scan starts as [B, 20] but a step gives [B, 30]: a carry keeps its shape}}
    attn.scan_yield %p : tensor<*xf32>
  }) {num_carries = 1 : i64, reverse = false} : (tensor<?x20xf32>, tensor<?x?x20xf32>) -> (tensor<*xf32>)
  attn.return %final : tensor<*xf32>
}

// -----

// Sequences scanned together have one length.
func @lengths_differ(%a: tensor<?x3xf32> {attn.dims = ["S", 3]},
                     %b: tensor<?x3xf32> {attn.dims = ["T", 3]}) -> tensor<*xf32> {
  // expected-error@+1 {{the scanned sequences differ in length: [S, 3] and [T, 3]}}
  %all = "attn.scan"(%a, %b) ({
  ^bb0(%t: tensor<i64>, %x: tensor<*xf32>, %y: tensor<*xf32>):
    %s = attn.add %x, %y : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
    attn.scan_yield %s : tensor<*xf32>
  }) {num_carries = 0 : i64, reverse = false} : (tensor<?x3xf32>, tensor<?x3xf32>) -> (tensor<*xf32>)
  attn.return %all : tensor<*xf32>
}
