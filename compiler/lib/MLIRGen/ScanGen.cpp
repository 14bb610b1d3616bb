// `let ... = scan (x in xs, h = h0, t) { ... }` as attn.scan. The body is generated first into a
// block of its own, in a frame that sees the enclosing frame's names (the body may read any of
// them: weights, inputs, earlier lets) with the header's names on top; the op is then built
// around it, its result types taken from what the body returns.
#include "MLIRGenImpl.h"

namespace attn::mlirgen {

std::vector<TensorValue> Generator::gen_scan(const dsl::ScanExpr &scan, Frame &frame) {
  std::vector<TensorValue> none(scan.num_results);
  std::vector<TensorValue> inits, sequences;
  bool reverse = false;
  for (const dsl::ScanItem &item : scan.items) {
    switch (item.kind) {
    case dsl::ScanItem::Kind::Carry:
      inits.push_back(gen_tensor(*item.value, frame));
      break;
    case dsl::ScanItem::Kind::Sequence:
      sequences.push_back(gen_tensor(*item.value, frame));
      break;
    case dsl::ScanItem::Kind::Reverse: {
      auto value = gen_scalar(*item.value, frame);
      if (!value)
        return none;
      reverse = value->bool_value;
      break;
    }
    case dsl::ScanItem::Kind::Position:
      break;
    }
  }
  auto invalid = [](const TensorValue &v) { return !v; };
  if (llvm::any_of(inits, invalid) || llvm::any_of(sequences, invalid))
    return none;

  auto element_of = [](const TensorValue &v) {
    return v.value.getType().cast<mlir::ShapedType>().getElementType();
  };
  auto *block = new mlir::Block();
  Frame body = frame;
  mlir::Location at = loc(scan.keyword_range);
  mlir::BlockArgument position =
      block->addArgument(mlir::RankedTensorType::get({}, builder_.getI64Type()), at);
  size_t carry = 0, sequence = 0;
  for (const dsl::ScanItem &item : scan.items) {
    mlir::Location item_at = loc(item.name.range);
    if (item.kind == dsl::ScanItem::Kind::Carry) {
      const TensorValue &init = inits[carry++];
      body.tensors[item.name.name] = TensorValue{
          block->addArgument(mlir::UnrankedTensorType::get(element_of(init)), item_at), init.rank};
    }
  }
  for (const dsl::ScanItem &item : scan.items) {
    mlir::Location item_at = loc(item.name.range);
    if (item.kind == dsl::ScanItem::Kind::Sequence) {
      const TensorValue &seq = sequences[sequence++];
      body.tensors[item.name.name] =
          TensorValue{block->addArgument(mlir::UnrankedTensorType::get(element_of(seq)), item_at),
                      seq.rank < 0 ? -1 : seq.rank - 1};
    } else if (item.kind == dsl::ScanItem::Kind::Position) {
      body.tensors[item.name.name] = TensorValue{position, 0};
    }
  }

  mlir::OpBuilder::InsertPoint outside = builder_.saveInsertionPoint();
  builder_.setInsertionPointToEnd(block);
  std::vector<TensorValue> yielded =
      gen_block(scan.body, body).value_or(std::vector<TensorValue>{});
  bool built = yielded.size() == scan.num_results && llvm::none_of(yielded, invalid);
  // A carry keeps its element type from step to step.
  size_t carry_index = 0;
  for (const dsl::ScanItem &item : scan.items) {
    if (!built || item.kind != dsl::ScanItem::Kind::Carry)
      continue;
    mlir::Type start = element_of(inits[carry_index]), step = element_of(yielded[carry_index]);
    ++carry_index;
    if (start != step) {
      report(scan.body.back().range, "the carry '" + item.name.name + "' starts as " +
                                         dtype_phrase(start) + " tensor but a step returns " +
                                         dtype_phrase(step) + " tensor");
      built = false;
    }
  }
  if (!built) {
    builder_.restoreInsertionPoint(outside);
    block->dropAllDefinedValueUses();
    delete block;
    return none;
  }
  std::vector<mlir::Value> yield_values;
  std::vector<mlir::Type> result_types;
  for (const TensorValue &v : yielded) {
    yield_values.push_back(v.value);
    result_types.push_back(mlir::UnrankedTensorType::get(element_of(v)));
  }
  // Located at the body's last statement (its return, or the block that returns).
  builder_.create<ir::ScanYieldOp>(loc(scan.body.back().range), yield_values);
  builder_.restoreInsertionPoint(outside);

  std::vector<mlir::Value> operands;
  for (const TensorValue &v : inits)
    operands.push_back(v.value);
  for (const TensorValue &v : sequences)
    operands.push_back(v.value);
  auto op = builder_.create<ir::ScanOp>(
      at, result_types, operands, builder_.getI64IntegerAttr(static_cast<int64_t>(inits.size())),
      builder_.getBoolAttr(reverse));
  op.body().push_back(block);

  std::vector<TensorValue> results;
  for (size_t i = 0; i < yielded.size(); ++i) {
    int rank = i < inits.size() ? inits[i].rank : (yielded[i].rank < 0 ? -1 : yielded[i].rank + 1);
    results.push_back(TensorValue{op.getResult(i), rank});
  }
  return results;
}

} // namespace attn::mlirgen
