// The bridge to the IR: the zoo models build verified modules with the expected ops,
// attributes and locations; elaboration errors are reported at the source.
#include "built_ir.h"

#include "attn/compiler/Dialect/AttnDialect.h"
#include "attn/compiler/MLIRGen.h"

#include "mlir/IR/Verifier.h"

#include <gtest/gtest.h>

namespace attn::dsl {
namespace {

namespace ir = ::mlir::attn;
using testing::Built;
using testing::compile;
using testing::source_path;

std::unique_ptr<Built> build_file(const std::string &relative,
                                  const std::map<std::string, std::string> &defines,
                                  const std::string &model = "") {
  auto b = std::make_unique<Built>();
  b->compilation = std::make_unique<testing::Compilation>();
  auto &c = *b->compilation;
  c.program = load_program(c.source_mgr, source_path(relative), c.diag);
  EXPECT_TRUE(c.program);
  EXPECT_EQ(c.output(), "");
  if (c.program)
    b->module = attn::mlir_gen(b->context, *c.program, model, defines, c.diag);
  return b;
}

std::unique_ptr<Built> build_source(const std::string &source,
                                    const std::map<std::string, std::string> &defines = {}) {
  auto b = std::make_unique<Built>();
  b->compilation = compile(source);
  EXPECT_EQ(b->compilation->output(), "");
  b->module =
      attn::mlir_gen(b->context, *b->compilation->program, "", defines, b->compilation->diag);
  return b;
}

TEST(MLIRGen, AttentionLayer) {
  auto b =
      build_file("examples/zoo/attention_layer.attn", {{"input_dim", "16"}, {"output_dim", "8"}});
  ASSERT_TRUE(b->module) << b->errors();
  ASSERT_TRUE(mlir::succeeded(mlir::verify(*b->module)));
  mlir::FuncOp f = b->func();
  EXPECT_EQ(f.getName(), "AttentionLayer");
  EXPECT_EQ(b->count<ir::ParamOp>(), 6);
  EXPECT_EQ(b->count<ir::MatmulOp>(), 3);
  EXPECT_EQ(b->count<ir::AttentionOp>(), 1);
  // Three Linear calls, each checking its argument and result, plus the model's result.
  EXPECT_EQ(b->count<ir::AssertShapeOp>(), 7);
  EXPECT_EQ(b->count<ir::ReturnOp>(), 1);
  // Unscaled: the score region yields s itself.
  ir::AttentionOp attention = *f.getOps<ir::AttentionOp>().begin();
  mlir::Block &score = attention.score().front();
  EXPECT_EQ(score.getNumArguments(), 5u);
  auto yield = llvm::cast<ir::YieldOp>(score.getTerminator());
  EXPECT_EQ(yield.value(), score.getArgument(0));
  EXPECT_TRUE(attention.mask().empty());
}

TEST(MLIRGen, MultiHeadAttention) {
  auto b = build_file("examples/zoo/multi_head_attention.attn",
                      {{"embed_dim", "40"}, {"num_heads", "5"}});
  ASSERT_TRUE(b->module) << b->errors();
  ASSERT_TRUE(mlir::succeeded(mlir::verify(*b->module)));
  mlir::FuncOp f = b->func();

  // Attributes of the function and its arguments.
  EXPECT_EQ(f->getAttrOfType<mlir::StringAttr>("attn.model").getValue(), "MultiHeadAttention");
  EXPECT_EQ(f->getAttrOfType<mlir::StringAttr>("attn.source").getValue(),
            source_path("examples/zoo/multi_head_attention.attn"));
  auto hyper = f->getAttrOfType<mlir::DictionaryAttr>("attn.hyperparameters");
  ASSERT_TRUE(hyper);
  EXPECT_EQ(hyper.getAs<mlir::IntegerAttr>("embed_dim").getInt(), 40);
  EXPECT_EQ(hyper.getAs<mlir::IntegerAttr>("num_heads").getInt(), 5);
  ASSERT_EQ(f.getNumArguments(), 3u);
  EXPECT_EQ(f.getArgAttrOfType<mlir::StringAttr>(1, ir::kArgNameAttr).getValue(), "key");
  auto dims = compiler::from_attr(f.getArgAttr(1, ir::kDimsAttr));
  ASSERT_TRUE(dims);
  EXPECT_EQ(compiler::to_string(*dims), "[B, Sk, 40]");
  auto arg_type = f.getType().getInput(0).cast<mlir::RankedTensorType>();
  EXPECT_TRUE(arg_type.isDynamicDim(0));
  EXPECT_EQ(arg_type.getDimSize(2), 40);
  ASSERT_EQ(f.getType().getNumResults(), 1u);
  EXPECT_TRUE(f.getType().getResult(0).isa<mlir::UnrankedTensorType>());

  // Parameters in state_dict order with exact types.
  std::vector<std::string> names;
  for (ir::ParamOp p : f.getOps<ir::ParamOp>()) {
    names.push_back(p.name().str());
    EXPECT_TRUE(p.getType().cast<mlir::RankedTensorType>().hasStaticShape());
  }
  EXPECT_EQ(names, (std::vector<std::string>{"query.weight", "query.bias", "key.weight", "key.bias",
                                             "value.weight", "value.bias", "output.weight",
                                             "output.bias"}));

  EXPECT_EQ(b->count<ir::MatmulOp>(), 4);
  EXPECT_EQ(b->count<ir::SplitHeadsOp>(), 3);
  EXPECT_EQ(b->count<ir::MergeHeadsOp>(), 1);
  EXPECT_EQ(b->count<ir::AttentionOp>(), 1);
  EXPECT_EQ(b->count<ir::AssertShapeOp>(), 9);
  // Scaled: s / sqrt(D).
  EXPECT_EQ(b->count<ir::ScoreDimOp>(), 1);
  EXPECT_EQ(b->count<mlir::math::SqrtOp>(), 1);
  EXPECT_EQ(b->count<mlir::arith::DivFOp>(), 1);
  for (ir::SplitHeadsOp s : f.getOps<ir::SplitHeadsOp>())
    EXPECT_EQ(s.num_heads(), 5u);

  // Every tensor op other than attn.param starts unranked.
  f.walk([](mlir::Operation *op) {
    if (op->getNumResults() == 1 && op->getResult(0).getType().isa<mlir::TensorType>() &&
        !llvm::isa<ir::ParamOp, ir::ConstantOp>(op)) {
      EXPECT_TRUE(op->getResult(0).getType().isa<mlir::UnrankedTensorType>())
          << op->getName().getStringRef().str();
    }
  });

  // Scopes: one per inlined call, 0 for the model's result.
  std::set<int64_t> scopes;
  for (ir::AssertShapeOp a : f.getOps<ir::AssertShapeOp>())
    scopes.insert(a.scope());
  EXPECT_EQ(scopes, (std::set<int64_t>{0, 1, 2, 3, 4}));
}

TEST(MLIRGen, LocationsPointAtTheSourceAndTheCallSite) {
  auto b = build_file("examples/zoo/multi_head_attention.attn",
                      {{"embed_dim", "8"}, {"num_heads", "2"}});
  ASSERT_TRUE(b->module) << b->errors();
  mlir::FuncOp f = b->func();
  // The first matmul is Linear's, inlined at `self.query(query)`.
  ir::MatmulOp matmul = *f.getOps<ir::MatmulOp>().begin();
  auto call_site = matmul.getLoc().dyn_cast<mlir::CallSiteLoc>();
  ASSERT_TRUE(call_site);
  auto callee = call_site.getCallee().cast<mlir::FileLineColLoc>();
  auto caller = call_site.getCaller().cast<mlir::FileLineColLoc>();
  EXPECT_EQ(callee.getFilename(), source_path("dsl/stdlib/nn.attn"));
  EXPECT_EQ(callee.getLine(), 14u);
  EXPECT_EQ(caller.getFilename(), source_path("examples/zoo/multi_head_attention.attn"));
  EXPECT_EQ(caller.getLine(), 14u);
  EXPECT_EQ(caller.getColumn(), 25u);
  // The model's own ops carry plain file locations.
  ir::SplitHeadsOp split = *f.getOps<ir::SplitHeadsOp>().begin();
  auto loc = split.getLoc().dyn_cast<mlir::FileLineColLoc>();
  ASSERT_TRUE(loc);
  EXPECT_EQ(loc.getLine(), 14u);
  EXPECT_EQ(loc.getColumn(), 13u);
}

TEST(MLIRGen, MaskScoreIndicesAndScalars) {
  auto b = build_source(R"(import "attention"
attention window : causal {
  score(q, k, h, i, j) = super - 0.5 * (h + 1) * (i - j)
  mask(i, j) = j <= i and i - j < 4
}
module M(d: int, heads: int = 2) {
  forward(x: f32[B, S, d]) -> f32[B, S, d] {
    let scale = 1.0 / sqrt(d / heads)
    let h = split_heads(x * scale, heads)
    return merge_heads(attend<window>(h, h, softmax(h, dim=-1)))
  }
})",
                        {{"d", "8"}});
  ASSERT_TRUE(b->module) << b->errors();
  ASSERT_TRUE(mlir::succeeded(mlir::verify(*b->module)));
  ir::AttentionOp attention = *b->func().getOps<ir::AttentionOp>().begin();
  ASSERT_FALSE(attention.mask().empty());
  EXPECT_EQ(attention.mask().front().getNumArguments(), 4u);
  EXPECT_EQ(b->count<mlir::arith::CmpIOp>(), 2);
  EXPECT_EQ(b->count<mlir::arith::SIToFPOp>(), 3);
  ir::SoftmaxOp softmax = *b->func().getOps<ir::SoftmaxOp>().begin();
  EXPECT_EQ(softmax.axis(), 3u) << "dim=-1 on a rank-4 tensor";
  ir::ConstantOp scale = *b->func().getOps<ir::ConstantOp>().begin();
  EXPECT_FLOAT_EQ(scale.value().convertToFloat(), 0.5f);
}

TEST(MLIRGen, ErrorsAtElaboration) {
  auto inexact = build_source("module M(d: int, h: int) { forward(x: f32[B, d / h]) { return x } }",
                              {{"d", "10"}, {"h", "3"}});
  EXPECT_FALSE(inexact->module);
  EXPECT_EQ(inexact->errors(),
            "test.attn:1:48: error: integer division 10 / 3 is not exact; divide floats (10.0 / "
            "3) for a fraction\n"
            "module M(d: int, h: int) { forward(x: f32[B, d / h]) { return x } }\n"
            "                                               ^\n");

  auto unknown_rank =
      build_source(R"(module Inner { forward(x: f32[..., 4]) { return softmax(x, dim=-1) } }
module Outer(n: int = 4) {
  param inner = Inner()
  forward(x: f32[B, n]) { return self.inner(x) }
})");
  EXPECT_TRUE(unknown_rank->module) << "the rank flows from the caller: " << unknown_rank->errors();

  auto open_rank = build_source("module M { forward(x: f32[..., 4]) { return x } }");
  EXPECT_FALSE(open_rank->module);
  EXPECT_NE(open_rank->errors().find("error: the model's inputs need a known rank"),
            std::string::npos);

  auto axis = build_source("module M { forward(x: f32[B, 4]) { return softmax(x, dim=2) } }");
  EXPECT_FALSE(axis->module);
  EXPECT_NE(
      axis->errors().find("1:58: error: axis 2 of softmax is out of range for a tensor of rank 2"),
      std::string::npos)
      << axis->errors();
}

TEST(MLIRGen, HyperparameterValuesAndBareSubmoduleCalls) {
  auto b = build_source(R"(module Scale(f: float) { forward(x: f32[N]) { return x * f } }
module M(n: int, f: float = 2, on: bool = true, act: string = "relu") {
  param scale = Scale(f / 4)
  forward(x: f32[N]) { return scale(x) }
})",
                        {{"n", "3"}, {"act", "gelu"}});
  ASSERT_TRUE(b->module) << b->errors();
  auto hyper = b->func()->getAttrOfType<mlir::DictionaryAttr>("attn.hyperparameters");
  EXPECT_EQ(hyper.getAs<mlir::IntegerAttr>("n").getInt(), 3);
  EXPECT_EQ(hyper.getAs<mlir::FloatAttr>("f").getValueAsDouble(), 2.0);
  EXPECT_EQ(hyper.getAs<mlir::BoolAttr>("on").getValue(), true);
  EXPECT_EQ(hyper.getAs<mlir::StringAttr>("act").getValue(), "gelu");
  ir::ConstantOp c = *b->func().getOps<ir::ConstantOp>().begin();
  EXPECT_FLOAT_EQ(c.value().convertToFloat(), 0.5f);
  EXPECT_EQ(b->count<ir::MulOp>(), 1);
}

TEST(MLIRGen, ModelSelection) {
  auto c = compile("module A { forward(x: f32[N]) { return x } }\n"
                   "module B { forward(x: f32[N]) { return -x } }\n");
  mlir::MLIRContext context;
  EXPECT_FALSE(attn::mlir_gen(context, *c->program, "", {}, c->diag));
  EXPECT_NE(c->output().find("defines several models (A, B)"), std::string::npos);
  auto d = compile("module A { forward(x: f32[N]) { return x } }\n"
                   "module B { forward(x: f32[N]) { return -x } }\n");
  auto module = attn::mlir_gen(context, *d->program, "B", {}, d->diag);
  ASSERT_TRUE(module);
  EXPECT_EQ((*module->getOps<mlir::FuncOp>().begin()).getName(), "B");
  EXPECT_FALSE(attn::mlir_gen(context, *d->program, "C", {}, d->diag));
  EXPECT_NE(d->output().find("test.attn: error: no module named 'C'"), std::string::npos);
}

} // namespace
} // namespace attn::dsl
