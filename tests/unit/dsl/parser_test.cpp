#include "test_util.h"

#include <gtest/gtest.h>

namespace attn::dsl {
namespace {

using testing::Compilation;
using testing::compile;

const char *kMha = R"(import "nn"
import "attention"

module MultiHeadAttention(embed_dim: int, num_heads: int) {
  param query  = Linear(embed_dim, embed_dim)
  param output = Linear(embed_dim, embed_dim)
  forward(query: f32[B, Sq, embed_dim], key: f32[B, Sk, embed_dim])
      -> f32[B, Sq, embed_dim] {
    let q = split_heads(self.query(query), num_heads)
    let k = split_heads(self.query(key), num_heads)
    return self.output(merge_heads(attend<scaled_dot>(q, k, k)))
  }
}
)";

TEST(Parser, ModuleShape) {
  auto c = compile(kMha);
  ASSERT_EQ(c->output(), "");
  const SourceFile &file = c->program->root();
  ASSERT_EQ(file.imports.size(), 2u);
  EXPECT_EQ(file.imports[0].path, "nn");
  ASSERT_EQ(file.modules.size(), 1u);
  const ModuleDecl &m = *file.modules[0];
  EXPECT_EQ(m.name.name, "MultiHeadAttention");
  ASSERT_EQ(m.hyperparameters.size(), 2u);
  EXPECT_EQ(m.hyperparameters[1].name.name, "num_heads");
  EXPECT_EQ(m.hyperparameters[1].type, ScalarType::Int);
  ASSERT_EQ(m.params.size(), 2u);
  ASSERT_TRUE(m.params[0].is_submodule());
  EXPECT_EQ(m.params[0].instance->callee.name, "Linear");
  EXPECT_EQ(m.params[0].instance->args.size(), 2u);
  EXPECT_EQ(m.params[0].instance->module, c->program->find_module("Linear"));

  ASSERT_TRUE(m.forward);
  const ForwardDecl &f = *m.forward;
  ASSERT_EQ(f.args.size(), 2u);
  EXPECT_EQ(f.args[1].name.name, "key");
  EXPECT_EQ(f.args[1].type.dims.size(), 3u);
  EXPECT_TRUE(f.has_result_types);
  ASSERT_EQ(f.results.size(), 1u);
  ASSERT_EQ(f.body.size(), 3u);
  EXPECT_EQ(f.body[0].kind, Stmt::Kind::Let);
  EXPECT_EQ(f.body[0].names[0].name, "q");
  EXPECT_EQ(f.body[2].kind, Stmt::Kind::Return);

  // return self.output(merge_heads(attend<scaled_dot>(q, k, k)))
  auto *out = llvm::dyn_cast<CallExpr>(f.body[2].values[0].get());
  ASSERT_TRUE(out);
  EXPECT_TRUE(out->self_call);
  EXPECT_EQ(out->callee.name, "output");
  auto *merge = llvm::dyn_cast<CallExpr>(out->args[0].get());
  ASSERT_TRUE(merge);
  EXPECT_EQ(merge->builtin, Builtin::MergeHeads);
  auto *attend = llvm::dyn_cast<CallExpr>(merge->args[0].get());
  ASSERT_TRUE(attend);
  ASSERT_TRUE(attend->variant);
  EXPECT_EQ(attend->variant->name, "scaled_dot");
  EXPECT_EQ(attend->variant_decl, c->program->find_attention("scaled_dot"));
  EXPECT_EQ(attend->args.size(), 3u);
}

TEST(Parser, NameBindings) {
  auto c = compile(kMha);
  const ForwardDecl &f = *c->program->root().modules[0]->forward;
  auto *split = llvm::cast<CallExpr>(f.body[0].values[0].get());
  auto *heads = llvm::cast<NameExpr>(split->args[1].get());
  EXPECT_EQ(heads->binding, Binding::Hyperparameter);
  EXPECT_EQ(heads->type, ExprType::Int);
  auto *proj = llvm::cast<CallExpr>(split->args[0].get());
  auto *query_arg = llvm::cast<NameExpr>(proj->args[0].get());
  EXPECT_EQ(query_arg->binding, Binding::Local) << "the forward argument, not the submodule";
  auto *b = llvm::cast<NameExpr>(f.args[0].type.dims[0].get());
  EXPECT_EQ(b->binding, Binding::Symbol);
  auto *e = llvm::cast<NameExpr>(f.args[0].type.dims[2].get());
  EXPECT_EQ(e->binding, Binding::Hyperparameter);
}

const ModuleDecl &only_module(Compilation &c) { return *c.program->root().modules.front(); }

const Expr &returned(Compilation &c) { return *only_module(c).forward->body.back().values.front(); }

TEST(Parser, Precedence) {
  auto c = compile("module M { forward(a: f32[N], b: f32[N]) { return a + b * -a - b / 2 } }");
  ASSERT_EQ(c->output(), "");
  // ((a + (b * (-a))) - (b / 2))
  auto &sub = llvm::cast<BinaryExpr>(returned(*c));
  EXPECT_EQ(sub.op, BinaryOp::Sub);
  auto &add = llvm::cast<BinaryExpr>(*sub.lhs);
  EXPECT_EQ(add.op, BinaryOp::Add);
  auto &mul = llvm::cast<BinaryExpr>(*add.rhs);
  EXPECT_EQ(mul.op, BinaryOp::Mul);
  EXPECT_TRUE(llvm::isa<UnaryExpr>(*mul.rhs));
  auto &div = llvm::cast<BinaryExpr>(*sub.rhs);
  EXPECT_EQ(div.op, BinaryOp::Div);
  EXPECT_EQ(div.type, ExprType::Tensor);
}

TEST(Parser, NegativeLiteralsAndKeywordArguments) {
  auto c = compile("module M { forward(x: f32[N, N]) { return softmax(x, dim=-1) } }");
  ASSERT_EQ(c->output(), "");
  auto &call = llvm::cast<CallExpr>(returned(*c));
  ASSERT_EQ(call.kwargs.size(), 1u);
  EXPECT_EQ(call.kwargs[0].name.name, "dim");
  auto &axis = llvm::cast<NumberExpr>(*call.kwargs[0].value);
  EXPECT_TRUE(axis.is_int);
  EXPECT_EQ(axis.int_value, -1);
}

TEST(Parser, ListsEllipsisAndSeveralResults) {
  auto c = compile(R"(module M(d: int = 4) {
  forward(x: f32[..., d],) -> (f32[..., d], f32[2, -1],) {
    return x, reshape(x, [2, -1])
  }
})");
  ASSERT_EQ(c->output(), "");
  const ForwardDecl &f = *only_module(*c).forward;
  EXPECT_TRUE(f.args[0].type.leading_ellipsis);
  EXPECT_EQ(f.args[0].type.dims.size(), 1u);
  EXPECT_EQ(f.results.size(), 2u);
  auto &reshape = llvm::cast<CallExpr>(*f.body[0].values[1]);
  auto &list = llvm::cast<ListExpr>(*reshape.args[1]);
  EXPECT_EQ(list.elements.size(), 2u);
}

TEST(Parser, InputOfSeveralElementTypes) {
  auto c = compile(R"(module M {
  forward(x: f32[N], m: f32 | bool[N] = 0) {
    return x + m
  }
})");
  ASSERT_EQ(c->output(), "");
  const TensorType &type = only_module(*c).forward->args[1].type;
  EXPECT_EQ(type.dtype, DType::F32);
  EXPECT_EQ(type.dtypes(), (std::vector<DType>{DType::F32, DType::Bool}));
  EXPECT_EQ(type.dims.size(), 1u);
  std::string text;
  llvm::raw_string_ostream os(text);
  dump_ast(*c->program, os);
  EXPECT_NE(os.str().find("Arg m: f32 | bool[N] = 0"), std::string::npos) << text;
}

TEST(Parser, AttentionVariants) {
  auto c = compile(R"(attention base {
  score(q, k) = dot(q, k)
}
attention child : base {
  score(q, k, i, j) = super - (i - j)
  mask(i, j) = j <= i and not (i == 0)
})");
  ASSERT_EQ(c->output(), "");
  const auto &attentions = c->program->root().attentions;
  ASSERT_EQ(attentions.size(), 2u);
  const AttentionDecl &child = *attentions[1];
  ASSERT_TRUE(child.parent);
  EXPECT_EQ(child.parent->name, "base");
  EXPECT_EQ(child.parent_decl, attentions[0].get());
  ASSERT_TRUE(child.score);
  EXPECT_EQ(child.score->params.size(), 4u);
  ASSERT_TRUE(child.mask);
  EXPECT_EQ(llvm::cast<BinaryExpr>(*child.mask->body).op, BinaryOp::And);
}

TEST(Parser, StatementsEndAtTheEndOfTheLine) {
  // Outside brackets a new line ends the expression: "-y" does not continue "x".
  auto c =
      compile("module M { forward(x: f32[N], y: f32[N]) {\n  let a = x\n  -y\n  return a\n} }");
  EXPECT_EQ(c->output(),
            "test.attn:3:3: error: expected 'let', 'return', 'if' or 'for', got '-'\n  -y\n  ^\n");
  // Inside brackets it continues.
  auto d = compile("module M { forward(x: f32[N], y: f32[N]) {\n  return (x\n  - y)\n} }");
  EXPECT_EQ(d->output(), "");
}

TEST(Parser, DumpAst) {
  auto c = compile(kMha);
  std::string text;
  llvm::raw_string_ostream os(text);
  dump_ast(*c->program, os);
  os.flush();
  EXPECT_NE(text.find("File test.attn\n  Import \"nn\" @1:8\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  Module MultiHeadAttention(embed_dim: int, num_heads: int) @4:8\n"),
            std::string::npos);
  EXPECT_NE(text.find("    Param query = Linear(embed_dim, embed_dim) @5:9\n"), std::string::npos);
  EXPECT_NE(text.find("      Arg query: f32[B, Sq, embed_dim] @7:11\n"), std::string::npos);
  EXPECT_NE(text.find("      Let q @9:5\n        Call split_heads @9:13\n"), std::string::npos);
  EXPECT_NE(text.find("Call attend<scaled_dot> @11:36"), std::string::npos);
  EXPECT_NE(text.find("Module Linear(in_features: int, out_features: int, bias: bool = true)"),
            std::string::npos)
      << "imported files are dumped too";
}

TEST(Parser, ModelsOfAFile) {
  auto c = compile(R"(import "nn"
module Inner(d: int) { param l = Linear(d, d) }
module Outer(d: int) { param inner = Inner(d) }
module Other { }
)");
  ASSERT_EQ(c->output(), "");
  auto models = c->program->models();
  ASSERT_EQ(models.size(), 2u);
  EXPECT_EQ(models[0]->name.name, "Outer");
  EXPECT_EQ(models[1]->name.name, "Other");
  EXPECT_EQ(find_model(*c->program, "Inner", c->diag)->name.name, "Inner");
  EXPECT_EQ(find_model(*c->program, "", c->diag), nullptr);
  EXPECT_EQ(c->output(), "test.attn:4:8: error: the file defines several models (Outer, Other); "
                         "choose one with --model NAME\n"
                         "module Other { }\n"
                         "       ^~~~~\n");
}

} // namespace
} // namespace attn::dsl
