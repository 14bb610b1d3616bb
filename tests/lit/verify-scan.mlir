// RUN: attn-opt %s -split-input-file -verify-diagnostics

// The verifier of attn.scan (lib/Dialect/VerifiersScan.cpp).

func @no_sequence(%h0: tensor<3xf32>) {
  // expected-error@+1 {{'attn.scan' op needs at least one sequence to scan (operands after the 1 carries)}}
  %f = "attn.scan"(%h0) ({
  ^bb0(%t: tensor<i64>, %h: tensor<3xf32>):
    attn.scan_yield %h : tensor<3xf32>
  }) {num_carries = 1 : i64, reverse = false} : (tensor<3xf32>) -> (tensor<3xf32>)
  attn.return
}

// -----

func @argument_count(%xs: tensor<5x3xf32>) {
  // expected-error@+1 {{'attn.scan' op body has 1 arguments; expected the position, then one per operand (2)}}
  %f = "attn.scan"(%xs) ({
  ^bb0(%t: tensor<i64>):
    %c = attn.constant 1.0 : tensor<f32>
    attn.scan_yield %c : tensor<f32>
  }) {num_carries = 0 : i64, reverse = false} : (tensor<5x3xf32>) -> (tensor<5xf32>)
  attn.return
}

// -----

func @position_type(%xs: tensor<5x3xf32>) {
  // expected-error@+1 {{'attn.scan' op the body's first argument (the position) must be a rank-0 i64 tensor, got 'tensor<f32>'}}
  %f = "attn.scan"(%xs) ({
  ^bb0(%t: tensor<f32>, %x: tensor<3xf32>):
    attn.scan_yield %x : tensor<3xf32>
  }) {num_carries = 0 : i64, reverse = false} : (tensor<5x3xf32>) -> (tensor<5x3xf32>)
  attn.return
}

// -----

func @yield_count(%xs: tensor<5x3xf32>) {
  // expected-error@+1 {{'attn.scan' op body yields 1 values for 2 results}}
  %f, %g = "attn.scan"(%xs) ({
  ^bb0(%t: tensor<i64>, %x: tensor<3xf32>):
    attn.scan_yield %x : tensor<3xf32>
  }) {num_carries = 0 : i64, reverse = false} : (tensor<5x3xf32>) -> (tensor<5x3xf32>, tensor<5x3xf32>)
  attn.return
}

// -----

func @carry_element_type(%xs: tensor<5x3xf32>, %n: tensor<3xi64>) {
  // expected-error@+1 {{'attn.scan' op carry #0 starts as 'tensor<3xi64>' but a step yields 'tensor<3xf32>'}}
  %f = "attn.scan"(%n, %xs) ({
  ^bb0(%t: tensor<i64>, %h: tensor<3xi64>, %x: tensor<3xf32>):
    attn.scan_yield %x : tensor<3xf32>
  }) {num_carries = 1 : i64, reverse = false} : (tensor<3xi64>, tensor<5x3xf32>) -> (tensor<3xf32>)
  attn.return
}

// -----

func @stacked_rank(%xs: tensor<5x3xf32>) {
  // expected-error@+1 {{'attn.scan' op result #0 'tensor<3xf32>' should have rank 2, a stacked output's}}
  %f = "attn.scan"(%xs) ({
  ^bb0(%t: tensor<i64>, %x: tensor<3xf32>):
    attn.scan_yield %x : tensor<3xf32>
  }) {num_carries = 0 : i64, reverse = false} : (tensor<5x3xf32>) -> (tensor<3xf32>)
  attn.return
}
