// RUN: attn-opt %s -attn-shape-inference -split-input-file -verify-diagnostics

// attn.assert_shape: declared shapes checked by shape inference, with symbols bound per scope.

func @size(%x: tensor<?x?x24xf32> {attn.dims = ["B", "Sq", 24]}) -> tensor<*xf32> {
  // expected-error@+1 {{shape mismatch: expected [B, S, 40] but got [B, Sq, 24]: axis 2 is 24, not 40}}
  %y = attn.assert_shape %x ["B", "S", 40] scope = 0 : (tensor<?x?x24xf32>) -> tensor<*xf32>
  attn.return %y : tensor<*xf32>
}

// -----

// Scope 0 is the forward: its symbols are those of the arguments, so Sk is not Sq.
func @forward_symbol(%q: tensor<?x?x8xf32> {attn.dims = ["B", "Sq", 8]}, %k: tensor<?x?x8xf32> {attn.dims = ["B", "Sk", 8]}) -> tensor<*xf32> {
  // expected-error@+1 {{shape mismatch: expected [B, Sq, 8] but got [B, Sk, 8]: axis 1 is Sk, not Sq}}
  %y = attn.assert_shape %k ["B", "Sq", 8] scope = 0 : (tensor<?x?x8xf32>) -> tensor<*xf32>
  attn.return %y : tensor<*xf32>
}

// -----

func @rank(%x: tensor<?x?xf32> {attn.dims = ["B", "S"]}) -> tensor<*xf32> {
  // expected-error@+1 {{shape mismatch: expected [B, S, 40] but got [B, S]: rank 2, expected 3}}
  %y = attn.assert_shape %x ["B", "S", 40] scope = 0 : (tensor<?x?xf32>) -> tensor<*xf32>
  attn.return %y : tensor<*xf32>
}

// -----

func @rank_with_leading_axes(%x: tensor<?xf32> {attn.dims = ["S"]}) -> tensor<*xf32> {
  // expected-error@+1 {{shape mismatch: expected [..., S, 40] but got [S]: rank 1, expected at least 2}}
  %y = attn.assert_shape %x ["...", "S", 40] scope = 0 : (tensor<?xf32>) -> tensor<*xf32>
  attn.return %y : tensor<*xf32>
}

// -----

// In a module's scope the first use binds: here S is Sq, so a later S cannot be Sk.
func @rebinding(%q: tensor<?x?x8xf32> {attn.dims = ["B", "Sq", 8]}, %k: tensor<?x?x8xf32> {attn.dims = ["B", "Sk", 8]}) -> tensor<*xf32> {
  %a = attn.assert_shape %q ["N", "S", "D"] scope = 3 : (tensor<?x?x8xf32>) -> tensor<*xf32>
  // expected-error@+1 {{shape mismatch: expected [N, S, D] but got [B, Sk, 8]: axis 1 is Sk but S is already Sq}}
  %b = attn.assert_shape %k ["N", "S", "D"] scope = 3 : (tensor<?x?x8xf32>) -> tensor<*xf32>
  // Another scope binds afresh.
  %c = attn.assert_shape %k ["N", "S", "D"] scope = 4 : (tensor<?x?x8xf32>) -> tensor<*xf32>
  attn.return %a, %b, %c : tensor<*xf32>, tensor<*xf32>, tensor<*xf32>
}

// -----

// After a mismatch the scope's other asserts are skipped: their bindings are suspect.
func @one_error_per_scope(%x: tensor<?x?xf32> {attn.dims = ["B", "S"]}) -> tensor<*xf32> {
  // expected-error@+1 {{shape mismatch: expected [N, N] but got [B, S]: axis 1 is S but N is already B}}
  %a = attn.assert_shape %x ["N", "N"] scope = 1 : (tensor<?x?xf32>) -> tensor<*xf32>
  %b = attn.assert_shape %a ["N", "N"] scope = 1 : (tensor<*xf32>) -> tensor<*xf32>
  attn.return %b : tensor<*xf32>
}

// -----

func @expression(%x: tensor<?x?x40xf32> {attn.dims = ["B", "S", 40]}) -> tensor<*xf32> {
  %a = attn.assert_shape %x ["N", "L", "E"] scope = 1 : (tensor<?x?x40xf32>) -> tensor<*xf32>
  // expected-error@+1 {{shape mismatch: expected [N, L, E/2] but got [B, S, 40]: axis 2 is 40, not E/2 = 20}}
  %b = attn.assert_shape %a ["N", "L", "E/2"] scope = 1 : (tensor<*xf32>) -> tensor<*xf32>
  attn.return %b : tensor<*xf32>
}

// -----

func @expression_unbound(%x: tensor<?x?x40xf32> {attn.dims = ["B", "S", 40]}) -> tensor<*xf32> {
  // expected-error@+1 {{the declared size '2*H' uses H, which no earlier shape has bound; declare H on its own first}}
  %a = attn.assert_shape %x ["B", "S", "2*H"] scope = 0 : (tensor<?x?x40xf32>) -> tensor<*xf32>
  attn.return %a : tensor<*xf32>
}

// -----

func @expression_not_divisible(%x: tensor<?x?x40xf32> {attn.dims = ["B", "S", 40]}) -> tensor<*xf32> {
  %a = attn.assert_shape %x ["N", "L", "E"] scope = 1 : (tensor<?x?x40xf32>) -> tensor<*xf32>
  // expected-error@+1 {{the declared size 'E/3' is 40, which is not divisible by 3}}
  %b = attn.assert_shape %a ["N", "L", "E/3"] scope = 1 : (tensor<*xf32>) -> tensor<*xf32>
  attn.return %b : tensor<*xf32>
}
