// The compile-time structure of modules: the parser's nodes for member blocks, families,
// containers, interpolated names, element calls, if/for statements and conditional
// expressions; what Sema accepts and annotates; and what the bridge builds from them (weight
// names, which parameters exist, unrolled statements).
#include "built_ir.h"

#include "attn/compiler/Dialect/AttnDialect.h"
#include "attn/compiler/MLIRGen.h"
#include "attn/dsl/Sema.h"

#include "mlir/IR/Verifier.h"

#include <gtest/gtest.h>

namespace attn::dsl {
namespace {

namespace ir = ::mlir::attn;
using testing::build;
using testing::compile;

//===----------------------------------------------------------------------===//
// Parser
//===----------------------------------------------------------------------===//

TEST(Structure, ParsesMemberBlocksFamiliesAndContainers) {
  auto c = compile(R"(import "nn"
module M(n: int, bias: bool = true) {
  for k in range(1, n) {
    param weight_l{k}_reverse: f32[4, 4 if k == 1 else 8]
    if bias {
      param bias_l{k}: f32[4]
    } else if n > 2 {
      param other_l{k}: f32[4]
    } else {
      param none_l{k}: f32[4]
    }
  }
  param head_{i} = Linear(4, i + 1) for i in range(2)
  param layers = [Linear(4, 4) for i in range(n)]
  param mixed = [Linear(4, 4), Sequential(ReLU(), Linear(4, 4, bias = false))]
  param ffn = Sequential(Linear(4, 8), ReLU())
}
)");
  ASSERT_EQ(c->output(), "");
  const ModuleDecl &m = *c->program->root().modules[0];
  ASSERT_EQ(m.members.size(), 5u);

  const MemberNode &loop = m.members[0];
  EXPECT_EQ(loop.kind, MemberNode::Kind::For);
  EXPECT_FALSE(loop.family);
  EXPECT_EQ(loop.loop->var.name, "k");
  ASSERT_TRUE(loop.loop->start);
  ASSERT_EQ(loop.body.size(), 2u);
  const ParamDecl &weight = m.params[loop.body[0].param];
  EXPECT_EQ(weight.name.name, "weight_l{k}_reverse");
  ASSERT_EQ(weight.name_parts.size(), 3u);
  EXPECT_EQ(weight.name_parts[0].text, "weight_l");
  EXPECT_TRUE(weight.name_parts[1].expr);
  EXPECT_EQ(weight.name_parts[2].text, "_reverse");
  const MemberNode &branches = loop.body[1];
  EXPECT_EQ(branches.kind, MemberNode::Kind::If);
  ASSERT_EQ(branches.branches.size(), 3u);
  EXPECT_TRUE(branches.branches[1].condition);
  EXPECT_FALSE(branches.branches[2].condition);

  const MemberNode &family = m.members[1];
  EXPECT_EQ(family.kind, MemberNode::Kind::For);
  EXPECT_TRUE(family.family);
  ASSERT_EQ(family.body.size(), 1u);
  EXPECT_EQ(m.params[family.body[0].param].instance->callee.name, "Linear");

  const ParamDecl &layers = m.params[m.members[2].param];
  ASSERT_TRUE(layers.container);
  EXPECT_EQ(layers.container->kind, ContainerDecl::Kind::List);
  EXPECT_TRUE(layers.container->loop);
  const ParamDecl &mixed = m.params[m.members[3].param];
  ASSERT_EQ(mixed.container->elements.size(), 2u);
  ASSERT_TRUE(mixed.container->elements[1].container);
  EXPECT_EQ(mixed.container->elements[1].container->kind, ContainerDecl::Kind::Sequential);
  const ParamDecl &ffn = m.params[m.members[4].param];
  EXPECT_EQ(ffn.container->kind, ContainerDecl::Kind::Sequential);
  EXPECT_FALSE(ffn.container->loop);
  ASSERT_EQ(ffn.container->elements.size(), 2u);
  // Sema resolved the modules of the elements, also nested ones.
  EXPECT_EQ(ffn.container->elements[1].instance->module, c->program->find_module("ReLU"));
  EXPECT_EQ(mixed.container->elements[1].container->elements[1].instance->module,
            c->program->find_module("Linear"));
}

TEST(Structure, ParsesStatementsElementCallsAndConditionals) {
  auto c = compile(R"(import "nn"
module M(n: int) {
  param layers = [Linear(4, 4) for i in range(n)]
  param w_{k}: f32[4, 4] for k in range(2)
  forward(x: f32[B, 4]) {
    for i in range(n) {
      let x = self.layers[i](x)
    }
    let y = x if n > 1 else 2 * x if n > 0 else x
    if n > 2 {
      return self.layers[-1](y) + matmul(y, self.w_{n - 2})
    } else {
      return y
    }
  }
}
)");
  ASSERT_EQ(c->output(), "");
  const ForwardDecl &f = *c->program->root().modules[0]->forward;
  ASSERT_EQ(f.body.size(), 3u);
  const Stmt &loop = f.body[0];
  EXPECT_EQ(loop.kind, Stmt::Kind::For);
  EXPECT_EQ(loop.loop->var.name, "i");
  EXPECT_FALSE(loop.loop->start);
  auto *call = llvm::dyn_cast<CallExpr>(loop.body[0].values[0].get());
  ASSERT_TRUE(call);
  EXPECT_TRUE(call->self_call);
  EXPECT_EQ(call->callee.name, "layers");
  ASSERT_EQ(call->element_indices.size(), 1u);
  EXPECT_EQ(call->module, c->program->find_module("Linear"));
  EXPECT_EQ(call->num_results, 1u);

  // Conditional expressions group to the right.
  auto *outer = llvm::dyn_cast<ConditionalExpr>(f.body[1].values[0].get());
  ASSERT_TRUE(outer);
  EXPECT_TRUE(llvm::isa<NameExpr>(outer->then_value.get()));
  EXPECT_TRUE(llvm::isa<ConditionalExpr>(outer->else_value.get()));
  EXPECT_EQ(outer->type, ExprType::Tensor);

  const Stmt &branch = f.body[2];
  EXPECT_EQ(branch.kind, Stmt::Kind::If);
  ASSERT_EQ(branch.branches.size(), 2u);
  auto *sum = llvm::cast<BinaryExpr>(branch.branches[0].body[0].values[0].get());
  auto *member =
      llvm::dyn_cast<SelfMemberExpr>(llvm::cast<CallExpr>(sum->rhs.get())->args[1].get());
  ASSERT_TRUE(member);
  EXPECT_EQ(member->member.name, "w_{n - 2}");
  EXPECT_EQ(member->parts.size(), 2u);
  EXPECT_EQ(member->binding, Binding::Param);
  EXPECT_EQ(first_return(f.body), &branch.branches[0].body[0]);
}

TEST(Structure, BraceAfterASpaceIsABlockNotAnInterpolation) {
  auto c = compile("module M(bias: bool) {\n  if bias{\n    param w: f32[2]\n  }\n}\n");
  ASSERT_EQ(c->output(), "") << "`bias{` interpolates only after param or self.";
  auto d = compile("module M(bias: bool) {\n  param w{bias}: f32[2]\n}\n");
  EXPECT_NE(d->output().find("a piece of a name must be an int or a string, got a bool"),
            std::string::npos)
      << d->output();
}

TEST(Structure, DumpShowsTheNewNodesWithLocations) {
  auto c = compile(R"(module M(n: int) {
  for k in range(n) {
    if k == 0 {
      param w{k}: f32[2]
    }
  }
  param b_{i}: f32[2] for i in range(2)
  forward(x: f32[B, 2]) {
    for i in range(2) {
      let x = x * self.b_{i}
    }
    return x if n > 0 else x
  }
}
)");
  // The only diagnostic: w{k} is declared but never used.
  ASSERT_EQ(c->output().rfind("test.attn:4:13: warning: parameter 'w{k}' of 'M' is never used in "
                              "its forward\n",
                              0),
            0u)
      << c->output();
  ASSERT_EQ(c->output().find("error"), std::string::npos) << c->output();
  std::string text;
  llvm::raw_string_ostream os(text);
  dump_ast(*c->program, os);
  os.flush();
  for (const char *line : {"    For k in range(n) @2:3\n", "      If (k == 0) @3:5\n",
                           "        Param w{k}: f32[2] @4:13\n", "    Family i in range(2) @7:23\n",
                           "      Param b_{i}: f32[2] @7:9\n", "      For i in range(2) @9:5\n",
                           "        Let x @10:7\n", "            Member self.b_{i} @10:19\n",
                           "        Conditional @12:14\n"})
    EXPECT_NE(text.find(line), std::string::npos) << line << "\nin\n" << text;
}

//===----------------------------------------------------------------------===//
// Sema
//===----------------------------------------------------------------------===//

TEST(Structure, ParametersMayShareAHyperparameterName) {
  auto c = compile(R"(module L(d: int, bias: bool = true) {
  if bias {
    param bias: f32[d]
  }
  forward(x: f32[B, d]) -> f32[B, d] {
    if bias {
      return x + self.bias
    }
    return x
  }
}
)");
  EXPECT_EQ(c->output(), "");
}

TEST(Structure, FamilyMembersAreFoundByTheirSpelling) {
  // self.attention_0 reaches attention_{i}; self.attention_{j} reaches it too.
  auto c = compile(R"(import "nn"
module M(n: int) {
  param attention_{i} = Linear(4, 4) for i in range(n)
  param bias: f32[4]
  forward(x: f32[B, 4]) {
    for j in range(n) {
      let x = self.attention_{j}(x)
    }
    return self.attention_0(x) + self.bias
  }
}
)");
  EXPECT_EQ(c->output(), "");
  auto d = compile(R"(module M {
  param weight_{i}: f32[4] for i in range(2)
  forward(x: f32[B, 4]) {
    return x + self.wieght_{1}
  }
}
)");
  EXPECT_NE(d->output().find("module 'M' has no parameter or submodule 'wieght_{1}'"),
            std::string::npos)
      << d->output();
  EXPECT_NE(d->output().find("did you mean 'weight_{i}'?"), std::string::npos) << d->output();
}

TEST(Structure, BlockScopingIsPythonLike) {
  auto c = compile(R"(module M(n: int) {
  forward(x: f32[B, 4]) {
    let s = 2
    for i in range(n) {
      let x = x * s
      let t = x
      let s = 3
    }
    return x + t
  }
}
)");
  EXPECT_NE(c->output().find("9:16: error: undefined name 't'"), std::string::npos) << c->output();
  EXPECT_EQ(c->diag.error_count(), 1u) << c->output();
}

//===----------------------------------------------------------------------===//
// The bridge
//===----------------------------------------------------------------------===//

const char *kStructured = R"(import "nn"
module Block(d: int, i: int) {
  param norm = LayerNorm(d)
  param proj = Linear(d, d, bias = i > 0)
  forward(x: f32[B, d]) -> f32[B, d] {
    return self.proj(self.norm(x))
  }
}
module Net(d: int, n: int = 3, bias: bool = false) {
  param layers = [Block(d, i) for i in range(n)]
  param ffn = Sequential(Linear(d, 2 * d), ReLU(), Dropout(0.1), Linear(2 * d, d, bias = bias))
  for k in range(2) {
    param weight_l{k}: f32[d, d]
    if bias {
      param bias_l{k}: f32[d]
    }
  }
  forward(x: f32[B, d]) -> f32[B, d] {
    for i in range(n) {
      let x = self.layers[i](x)
    }
    let x = self.ffn(x)
    for k in range(2) {
      let x = matmul(x, self.weight_l{k})
      if bias {
        let x = x + self.bias_l{k}
      }
    }
    return x
  }
}
)";

TEST(Structure, WeightNamesAreThoseOfPyTorch) {
  auto b = build(kStructured, {{"d", "4"}});
  ASSERT_TRUE(b->module) << b->errors();
  EXPECT_EQ(b->params(), (std::vector<std::string>{
                             "layers.0.norm.weight", "layers.0.norm.bias", "layers.0.proj.weight",
                             "layers.1.norm.weight", "layers.1.norm.bias", "layers.1.proj.weight",
                             "layers.1.proj.bias", "layers.2.norm.weight", "layers.2.norm.bias",
                             "layers.2.proj.weight", "layers.2.proj.bias", "ffn.0.weight",
                             "ffn.0.bias", "ffn.3.weight", "weight_l0", "weight_l1"}));
  // Three blocks and four Sequential elements inlined; two of the Linears have no bias add.
  EXPECT_EQ(b->count<ir::ReluOp>(), 1);
  EXPECT_EQ(b->count<ir::MatmulOp>(), 3 + 2 + 2);
}

TEST(Structure, ConditionalMembersFollowTheHyperparameters) {
  auto b = build(kStructured, {{"d", "4"}, {"n", "1"}, {"bias", "true"}});
  ASSERT_TRUE(b->module) << b->errors();
  EXPECT_EQ(b->params(), (std::vector<std::string>{
                             "layers.0.norm.weight", "layers.0.norm.bias", "layers.0.proj.weight",
                             "ffn.0.weight", "ffn.0.bias", "ffn.3.weight", "ffn.3.bias",
                             "weight_l0", "bias_l0", "weight_l1", "bias_l1"}));
}

TEST(Structure, StatementsAreUnrolledAndOnlyTheTakenBranchIsBuilt) {
  const char *source = R"(module M(n: int, act: string = "relu") {
  forward(x: f32[B, 4]) {
    for i in range(1, n) {
      let x = x * i
    }
    if act == "relu" {
      return relu(x)
    } else if act == "tanh" {
      return tanh(x)
    }
    return exp(x) if n > 5 else sigmoid(x)
  }
}
)";
  auto relu = build(source, {{"n", "4"}});
  ASSERT_TRUE(relu->module) << relu->errors();
  EXPECT_EQ(relu->count<ir::MulOp>(), 3);
  EXPECT_EQ(relu->count<ir::ReluOp>(), 1);
  EXPECT_EQ(relu->count<ir::TanhOp>(), 0);
  auto other = build(source, {{"n", "1"}, {"act", "none"}});
  ASSERT_TRUE(other->module) << other->errors();
  EXPECT_EQ(other->count<ir::MulOp>(), 0);
  EXPECT_EQ(other->count<ir::ReluOp>(), 0);
  EXPECT_EQ(other->count<ir::SigmoidOp>(), 1);
  EXPECT_EQ(other->count<ir::ExpOp>(), 0);
}

TEST(Structure, AReturnInsideALoopEndsTheForward) {
  auto b = build(R"(module M(k: int) {
  forward(x: f32[B, 4]) {
    for i in range(10) {
      if i == k {
        return x * i
      }
      let x = relu(x)
    }
    return x
  }
}
)",
                 {{"k", "2"}});
  ASSERT_TRUE(b->module) << b->errors();
  EXPECT_EQ(b->count<ir::ReluOp>(), 2);
  EXPECT_EQ(b->count<ir::MulOp>(), 1);
}

TEST(Structure, NestedContainersAndRepeatedSequential) {
  auto b = build(R"(import "nn"
module M(n: int = 2) {
  param blocks = [Sequential(Linear(4, 4), ReLU()) for i in range(n)]
  param stack = Sequential(Linear(4, 4, bias = false) for i in range(1, 4))
  param empty = Sequential()
  forward(x: f32[B, 4]) {
    return self.blocks[1][0](x), self.blocks[0](x), self.stack(self.empty(x))
  }
}
)");
  ASSERT_TRUE(b->module) << b->errors();
  EXPECT_EQ(b->params(),
            (std::vector<std::string>{"blocks.0.0.weight", "blocks.0.0.bias", "blocks.1.0.weight",
                                      "blocks.1.0.bias", "stack.0.weight", "stack.1.weight",
                                      "stack.2.weight"}));
  EXPECT_EQ(b->count<ir::MatmulOp>(), 1 + 1 + 3);
  EXPECT_EQ(b->count<ir::ReluOp>(), 1);
}

TEST(Structure, LinearWithoutBiasHasNoBiasWeight) {
  auto b = build("import \"nn\"\nmodule M {\n  param proj = Linear(4, 8, bias = false)\n"
                 "  forward(x: f32[B, 4]) { return self.proj(x) }\n}\n");
  ASSERT_TRUE(b->module) << b->errors();
  EXPECT_EQ(b->params(), (std::vector<std::string>{"proj.weight"}));
  EXPECT_EQ(b->count<ir::AddOp>(), 0);
}

} // namespace
} // namespace attn::dsl
