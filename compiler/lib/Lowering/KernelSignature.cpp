#include "KernelSignature.h"

#include "attn/compiler/Dialect/AttnDialect.h"

#include "llvm/Support/raw_ostream.h"

namespace attn::compiler::lowering {

namespace {

/// An op's attributes but its symbolic dims and a fill's call scope, which name symbols and
/// calls and do not change the code.
void print_attributes(mlir::Operation *op, llvm::raw_ostream &os) {
  os << "{";
  for (mlir::NamedAttribute attr : op->getAttrs()) {
    llvm::StringRef name = attr.getName().getValue();
    if (name == mlir::attn::kDimsAttr || name == mlir::attn::kArgDimsAttr ||
        name == mlir::attn::kResultDimsAttr ||
        (llvm::isa<mlir::attn::FillOp>(op) && name == "scope"))
      continue;
    os << name << "=" << attr.getValue() << ",";
  }
  os << "}";
}

/// The ops of a region (an attention's score or mask), wired by position.
void print_region(mlir::Region &region, llvm::raw_ostream &os) {
  llvm::DenseMap<mlir::Value, int> local;
  for (mlir::Block &block : region)
    for (mlir::BlockArgument arg : block.getArguments())
      local[arg] = static_cast<int>(local.size());
  os << "[";
  for (mlir::Block &block : region)
    for (mlir::Operation &op : block) {
      os << op.getName() << "(";
      for (mlir::Value operand : op.getOperands()) {
        auto it = local.find(operand);
        os << (it == local.end() ? -1 : it->second) << ",";
      }
      os << ")";
      print_attributes(&op, os);
      for (mlir::Value result : op.getResults()) {
        os << result.getType() << ";";
        local[result] = static_cast<int>(local.size());
      }
    }
  os << "]";
}

} // namespace

void KernelSignature::add(mlir::Value v, Kind kind) {
  llvm::raw_string_ostream os(text_);
  os << ids_.size() << "=";
  switch (kind) {
  case Kind::Input:
    os << "input";
    break;
  case Kind::Row:
    os << "row";
    break;
  case Kind::Op: {
    mlir::Operation *op = v.getDefiningOp();
    os << op->getName() << "(";
    for (mlir::Value operand : op->getOperands()) {
      auto it = ids_.find(operand);
      os << (it == ids_.end() ? -1 : it->second) << ",";
    }
    os << ")";
    print_attributes(op, os);
    for (mlir::Region &region : op->getRegions())
      print_region(region, os);
    break;
  }
  }
  os << ":" << v.getType() << ";";
  ids_[v] = static_cast<int>(ids_.size());
}

void KernelSignature::add_use(mlir::Value of, mlir::Value operand) {
  // The operands of rows and of inputs read twice are wired by their ids.
  llvm::raw_string_ostream os(text_);
  auto a = ids_.find(of), b = ids_.find(operand);
  os << "use(" << (a == ids_.end() ? -1 : a->second) << "," << (b == ids_.end() ? -1 : b->second)
     << ");";
}

} // namespace attn::compiler::lowering
