//===- AttnRecurrenceOps.td - attn.scan and its terminator -------*- tablegen -*-===//
//
// Included by AttnOps.td (one set of generated op classes): the recurrence op, whose body is
// lowered to kernels the runtime runs in a loop (docs/internals.md "Scans").
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_RECURRENCE_OPS_TD
#define ATTN_RECURRENCE_OPS_TD

def Attn_ScanOp : Attn_Op<"scan", [RecursiveSideEffects]> {
  let summary = "a loop over the leading axis of its sequences, carrying state between steps";
  let description = [{
    `operands` are `num_carries` initial carries, then one or more sequences that share their
    leading axis `[S, ...]`. The body runs once per position `t` of that axis (from `S-1` down to
    0 when `reverse`); its block arguments are the position `t` (a rank-0 `i64` tensor), the
    carries as the previous step left them (the initial values at the first step), and the
    sequences' rows at `t` (`[...]`, the leading axis dropped). Its `attn.scan_yield` gives the
    carries' next values (the shapes and element types of the initial ones), then the step's
    outputs. The results are the carries after the last step, then each output stacked along a
    new leading axis `[S, ...]` (row `t` from the step at `t`, also when `reverse`).

    Values defined outside the body may be read inside it (weights, invariant inputs). The
    shape-inference pass records the shapes of the block arguments in `attn.arg_dims` and of
    the results in `attn.result_dims` (one dims array each).
  }];
  let arguments = (ins Variadic<AnyTensor>:$operands, I64Attr:$num_carries, BoolAttr:$reverse);
  let results = (outs Variadic<AnyTensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let verifier = Attn_VerifyOp;
  let extraClassDeclaration = [{
    unsigned carry_count() { return static_cast<unsigned>(num_carries()); }
    ::mlir::OperandRange inits() { return operands().take_front(carry_count()); }
    ::mlir::OperandRange sequences() { return operands().drop_front(carry_count()); }
    ::mlir::Block &body_block() { return body().front(); }
    /// Block arguments: the position, then the carries, then the sequences' rows.
    ::mlir::BlockArgument position() { return body_block().getArgument(0); }
    ::mlir::Block::BlockArgListType carry_args() {
      return body_block().getArguments().slice(1, carry_count());
    }
    ::mlir::Block::BlockArgListType row_args() {
      return body_block().getArguments().drop_front(1 + carry_count());
    }
  }];
}

def Attn_ScanYieldOp : Attn_Op<"scan_yield", [NoSideEffect, Terminator, ReturnLike,
                                             HasParent<"ScanOp">]> {
  let summary = "ends a scan step: the carries' next values, then the step's outputs";
  let arguments = (ins Variadic<AnyTensor>:$operands);
  let assemblyFormat = "attr-dict ($operands^ `:` type($operands))?";
}

#endif // ATTN_RECURRENCE_OPS_TD
