// Data movement in the front end and the bridge: postfix indexing parses and prints, the
// built-ins' arities and argument types are checked, and the IR keeps integer element types
// where data only moves while converting them to f32 for arithmetic.
#include "built_ir.h"

#include "attn/compiler/Dialect/AttnDialect.h"
#include "attn/compiler/MLIRGen.h"

#include "mlir/IR/Verifier.h"

#include <gtest/gtest.h>

namespace attn::dsl {
namespace {

namespace ir = ::mlir::attn;
using testing::compile;

std::string first_line(const std::string &source) {
  auto compiled = compile(source);
  std::string out = compiled->output();
  return out.substr(0, out.find('\n'));
}

/// A module with `body` as its forward; the parameter `table` is declared only where the body
/// uses it (an unused one would be warned about), else a comment keeps the line numbers.
std::string forward(const std::string &args, const std::string &body) {
  std::string table =
      body.find("table") != std::string::npos ? "  param table: f32[10, 4]\n" : "  # no table\n";
  return "module M(h: int = 4) {\n" + table + "  forward(" + args + ") {\n" + body + "\n  }\n}\n";
}

TEST(Indexing, ParsesEntriesAndPrintsThem) {
  auto compiled = compile(forward("x: f32[B, S, 4]", "    return x[:, -1], x[..., 1:3], x[0][1:]"));
  ASSERT_EQ(compiled->output(), "");
  std::string ast;
  llvm::raw_string_ostream os(ast);
  dump_ast(*compiled->program, os);
  os.flush();
  EXPECT_NE(ast.find("Index x[:, -1]"), std::string::npos) << ast;
  EXPECT_NE(ast.find("Index x[..., 1:3]"), std::string::npos) << ast;
  EXPECT_NE(ast.find("Index x[0][1:]"), std::string::npos) << ast;
}

TEST(Indexing, ReportsMisuse) {
  EXPECT_EQ(first_line(forward("x: f32[B, S]", "    return x[..., 0, ...]")),
            "test.attn:4:22: error: an index may contain '...' only once");
  EXPECT_EQ(
      first_line(forward("x: f32[B, S]", "    return x[]")),
      "test.attn:4:12: error: an index needs at least one entry: x[0], x[:, -1], x[..., 1:3]");
  EXPECT_EQ(first_line(forward("x: f32[B, S]", "    return x[:, 1.5]")),
            "test.attn:4:17: error: an index must be an int, got a float");
  EXPECT_EQ(first_line(forward("x: f32[B, S]", "    return x[0:h, \"a\":]")),
            "test.attn:4:19: error: a slice bound must be an int, got a string");
}

TEST(MoveBuiltins, CheckArityAndTypes) {
  EXPECT_EQ(first_line(forward("x: f32[B, 4]", "    return concat(x, 1)")),
            "test.attn:4:12: error: concat needs at least two tensors and the axis");
  EXPECT_EQ(first_line(forward("x: f32[B, 4]", "    return concat(x, x, axis=1)")),
            "test.attn:4:25: error: 'concat' has no argument 'axis'");
  EXPECT_EQ(first_line(forward("x: f32[B, 4]", "    return concat(x, x, 1.0)")),
            "test.attn:4:25: error: the axis of concat (its last argument) must be an int, got a "
            "float");
  EXPECT_EQ(first_line(forward("x: f32[B, 4]", "    return select(x, 1)")),
            "test.attn:4:12: error: wrong number of arguments for 'select': got 2");
  EXPECT_EQ(first_line(forward("x: f32[B, 4]", "    return arange(4, dim=0)")),
            "test.attn:4:26: error: arange(n) counts to n; an axis is only for arange(x, dim)");
  EXPECT_EQ(first_line(forward("x: f32[B, 4]", "    return arange(x, 1, dim=1)")),
            "test.attn:4:25: error: 'dim' is given twice");
  EXPECT_EQ(first_line(forward("x: f32[B, 4]", "    return embedding(table, 3)")),
            "test.attn:4:29: error: the ids of embedding must be a tensor, got an int");
}

std::unique_ptr<testing::Built> build(const std::string &source) {
  auto b = testing::build(source);
  EXPECT_TRUE(b->module) << b->errors();
  return b;
}

mlir::Type element_of(mlir::Value v) {
  return v.getType().cast<mlir::ShapedType>().getElementType();
}

TEST(MoveGen, IntegerIdsStayIntegerUntilArithmetic) {
  auto b = build(forward("ids: i64[B, S], x: f32[B, S, 4]",
                         "    let first = ids[:, 0]\n"
                         "    return embedding(table, first), ids * x[..., 0], arange(ids, 1)"));
  ASSERT_TRUE(b->module);
  mlir::FuncOp func = *b->module->getOps<mlir::FuncOp>().begin();
  auto args = func.getArguments();
  EXPECT_TRUE(element_of(args[0]).isInteger(64));
  auto selects = b->ops<ir::SelectOp>();
  ASSERT_EQ(selects.size(), 2u);
  EXPECT_TRUE(element_of(selects[0].result()).isInteger(64)); // ids[:, 0]
  EXPECT_TRUE(element_of(selects[1].result()).isF32());       // x[..., 0]
  EXPECT_EQ(selects[1].axis(), 2u);
  auto gathers = b->ops<ir::GatherOp>();
  ASSERT_EQ(gathers.size(), 1u);
  EXPECT_TRUE(element_of(gathers[0].result()).isF32());
  // ids * x: the ids are converted to f32 for the product.
  auto casts = b->ops<ir::CastOp>();
  ASSERT_EQ(casts.size(), 1u);
  EXPECT_EQ(casts[0].input(), args[0]);
  EXPECT_TRUE(element_of(b->ops<ir::ArangeOp>()[0].result()).isInteger(64));
}

TEST(MoveGen, IndexingBecomesSelectsAndSlicesInnermostFirst) {
  auto b = build(forward("x: f32[B, S, 4]", "    return x[1:, -1, :2]"));
  ASSERT_TRUE(b->module);
  auto slices = b->ops<ir::SliceOp>();
  auto selects = b->ops<ir::SelectOp>();
  ASSERT_EQ(slices.size(), 2u);
  ASSERT_EQ(selects.size(), 1u);
  EXPECT_EQ(slices[0].axis(), 2u); // :2 first, then the select of axis 1, then 1: on axis 0
  EXPECT_EQ(selects[0].axis(), 1u);
  EXPECT_EQ(static_cast<int64_t>(selects[0].index()), -1);
  EXPECT_EQ(slices[1].axis(), 0u);
  EXPECT_EQ(static_cast<int64_t>(slices[1].start()), 1);
  EXPECT_FALSE(slices[1].endAttr());
}

TEST(MoveGen, ConcatTakesItsAxisLastOrByKeyword) {
  auto b = build(forward("x: f32[B, T, 4], y: f32[B, 1, 4]",
                         "    return concat(x, y, 1), concat(x, y, x, dim=-1)"));
  ASSERT_TRUE(b->module);
  auto concats = b->ops<ir::ConcatOp>();
  ASSERT_EQ(concats.size(), 2u);
  EXPECT_EQ(concats[0].inputs().size(), 2u);
  EXPECT_EQ(concats[0].axis(), 1u);
  EXPECT_EQ(concats[1].inputs().size(), 3u);
  EXPECT_EQ(concats[1].axis(), 2u);
}

} // namespace
} // namespace attn::dsl
