// Checks of `scan (items) { body }` (SPEC.md §6.5): the header's sequences,
// carries, position and direction, and a body that returns at least one value per carry.
#include "SemaImpl.h"

namespace attn::dsl {

ExprType Sema::check_scan(ScanExpr &scan, Scope &scope) {
  // The body sees everything the enclosing body sees, and the header's names on top.
  Scope body = scope;
  bool failed = false;
  const ScanItem *position = nullptr, *reverse = nullptr;
  bool has_sequence = false;
  llvm::StringMap<SMRange> declared;
  for (ScanItem &item : scan.items) {
    if (!declared.try_emplace(item.name.name, item.name.range).second &&
        item.kind != ScanItem::Kind::Reverse) {
      diag_.error(item.name.range, "'" + item.name.name + "' is named twice in the scan's header");
      diag_.note(declared[item.name.name], "first named here");
      failed = true;
      continue;
    }
    switch (item.kind) {
    case ScanItem::Kind::Reverse:
      if (reverse) {
        diag_.error(item.name.range, "the scan's direction is given twice");
        diag_.note(reverse->name.range, "first given here");
        failed = true;
      } else if (!expect_type(*item.value, scope, {ExprType::Bool},
                              "'reverse' (a compile-time condition)")) {
        failed = true;
      }
      reverse = &item;
      continue;
    case ScanItem::Kind::Position:
      if (position) {
        diag_.error(item.name.range,
                    "a scan has one position; '" + position->name.name + "' already names it");
        diag_.note("a bare name in the header names the step's position; write 'x in xs' for a "
                   "sequence or 'h = h0' for a carry");
        failed = true;
        continue;
      }
      position = &item;
      break;
    case ScanItem::Kind::Sequence:
      has_sequence = true;
      failed |= !expect_type(*item.value, scope, {ExprType::Tensor}, "a scanned sequence");
      break;
    case ScanItem::Kind::Carry:
      failed |= !expect_type(*item.value, scope, {ExprType::Tensor}, "a carry's initial value");
      break;
    }
    report_hyperparameter_clash(*scope.module, item.name, "scan variable");
    body.locals[item.name.name] = Local{item.name.range, ExprType::Tensor};
  }
  if (!has_sequence) {
    diag_.error(scan.keyword_range, "a scan needs a sequence to run over ('x in xs')");
    failed = true;
  }

  body.in_scan = true;
  body.return_count = -1;
  bool returned = check_block(*scope.module->forward, scan.body, body);
  if (!returned) {
    if (!scan.body_has_errors)
      diag_.error(scan.close_brace, "the body of a scan must end with a 'return' of the carries' "
                                    "next values, then the step's outputs");
    return ExprType::Error;
  }
  if (body.return_count < 0 || failed)
    return ExprType::Error;
  unsigned count = static_cast<unsigned>(body.return_count);
  unsigned carries = scan.carry_count();
  if (count < carries) {
    diag_.error(body.first_return, "the scan has " + llvm::Twine(carries) + " carr" +
                                       (carries == 1 ? "y" : "ies") + " but its body returns " +
                                       llvm::Twine(count) + " value" + (count == 1 ? "" : "s"));
    diag_.note("a scan's body returns the carries' next values first, in the header's order, "
               "then the step's outputs");
    return ExprType::Error;
  }
  scan.num_results = count;
  return count == 1 ? ExprType::Tensor : ExprType::Tuple;
}

} // namespace attn::dsl
