// The bridge tests' view of a program built to IR: its compilation (sources, diagnostics), the
// MLIR context and module, and queries on the module's ops.
#pragma once

#include "test_util.h"

#include "attn/compiler/Dialect/AttnDialect.h"
#include "attn/compiler/MLIRGen.h"

#include "mlir/IR/Verifier.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace attn::dsl::testing {

struct Built {
  std::unique_ptr<Compilation> compilation;
  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module;

  template <typename Op> std::vector<Op> ops() {
    std::vector<Op> found;
    module->walk([&](Op op) { found.push_back(op); });
    return found;
  }
  template <typename Op> int count() { return static_cast<int>(ops<Op>().size()); }
  mlir::FuncOp func() { return *module->getOps<mlir::FuncOp>().begin(); }
  /// The weights' names, in the order the model declares them.
  std::vector<std::string> params() {
    std::vector<std::string> names;
    for (auto op : ops<mlir::attn::ParamOp>())
      names.push_back(op.name().str());
    return names;
  }
  std::string errors() { return compilation->output(); }
};

/// `source` through the front end, which must report nothing, and the bridge with `defines`; a
/// module it builds must verify.
inline std::unique_ptr<Built> build(const std::string &source,
                                    const std::map<std::string, std::string> &defines = {}) {
  auto b = std::make_unique<Built>();
  b->compilation = compile(source);
  EXPECT_EQ(b->compilation->output(), "");
  if (b->compilation->program)
    b->module =
        attn::mlir_gen(b->context, *b->compilation->program, "", defines, b->compilation->diag);
  if (b->module)
    EXPECT_TRUE(mlir::succeeded(mlir::verify(*b->module)));
  return b;
}

} // namespace attn::dsl::testing
