// Semantic checks: each case is a small program with one mistake; the test checks the first
// line of the message and that no other error follows from it.
#include "test_util.h"

#include <gtest/gtest.h>

namespace attn::dsl {
namespace {

using testing::compile;

struct Case {
  const char *name;
  const char *source;
  const char *first_line; // the first line of the output
};

void PrintTo(const Case &c, std::ostream *os) { *os << c.name; }

class SemaErrors : public ::testing::TestWithParam<Case> {};

TEST_P(SemaErrors, ReportsOneError) {
  const Case &c = GetParam();
  auto compiled = compile(c.source);
  std::string out = compiled->output();
  EXPECT_EQ(out.substr(0, out.find('\n')), c.first_line) << out;
  EXPECT_EQ(compiled->diag.error_count(), 1u) << out;
}

const Case kCases[] = {
    {"DotTwice", "attention a { score(q, k) = dot(q, k) * dot(q, k) }",
     "test.attn:1:41: error: a score may contain one dot(...) that reads both the query and the "
     "key (counting super); dots of one side, such as dot(a, q), may be added"},
    {"NoDot", "attention a { score(q, k) = dim(q) }",
     "test.attn:1:29: error: a score must contain dot(...) (or super): score(q, k) = dot(q, k)"},
    {"DotOfNeitherSide", "attention a(d: int) {\n  param w: f32[d]\n  score(q, k) = dot(w, w)\n}",
     "test.attn:3:17: error: dot(...) must read the query 'q' or the key 'k' (or a parameter's "
     "row at the key position, W[j])"},
    {"DimWithoutPairDot", "attention a { score(q, k) = dot(k, k) / dim(k) }",
     "test.attn:1:41: error: dim(...) is the length of the vectors that a dot of the query and "
     "the key multiplies, and this score has none"},
    {"SuperAndDot",
     "attention a { score(q, k) = dot(q, k) }\n"
     "attention b : a { score(q, k) = super + dot(q, k) }",
     "test.attn:2:41: error: a score may contain one dot(...) that reads both the query and the "
     "key (counting super); dots of one side, such as dot(a, q), may be added"},
    {"SuperWithoutParent", "attention a { score(q, k) = super }",
     "test.attn:1:29: error: 'super' needs a parent variant (attention a : dot { ... })"},
    {"BareQuery", "attention a { score(q, k) = dot(q, k) + q }",
     "test.attn:1:41: error: 'q' may only appear inside dot(...) or as dim(q)"},
    {"UndeclaredIndex", "attention a { score(q, k) = dot(q, k) - i }",
     "test.attn:1:41: error: undefined name 'i'"},
    {"UnknownIndex", "attention a { score(q, k, t) = dot(q, k) }",
     "test.attn:1:27: error: unknown index 't': the indices are b (batch), h (head), i (query "
     "position) and j (key position)"},
    {"MaskNotBool", "attention a { mask(i, j) = i - j }",
     "test.attn:1:28: error: a mask must be a condition (such as j <= i), got an int"},
    {"MaskFloat", "attention a { mask(i, j) = i < 2.5 }",
     "test.attn:1:30: error: masks compute on integer positions; '<' got an int and a float"},
    {"UnknownParentVariant", "attention a : dott { }",
     "test.attn:1:15: error: undefined name 'dott'"},
    {"InheritanceCycle", "attention a : b { }\nattention b : a { }",
     "test.attn:1:15: error: attention 'a' extends itself (a : b : a)"},
    {"InstantiationCycle", "module A { param b = B() }\nmodule B { param a = A() }",
     "test.attn:2:22: error: module 'A' contains itself (A -> B -> A)"},
    {"NotAModule", "attention dot { }\nmodule A { param d = dot() }",
     "test.attn:2:22: error: 'dot' is an attention variant, not a module; use it in forward as "
     "attend<dot>(q, k, v)"},
    {"MissingInstanceArgument", "module L(a: int, b: int) { }\nmodule A { param l = L(1) }",
     "test.attn:2:22: error: missing argument 'b' for L"},
    {"UnknownKeyword", "module L(a: int) { }\nmodule A { param l = L(aa=1) }",
     "test.attn:2:24: error: L has no hyperparameter 'aa'"},
    {"SubmoduleArity",
     "module L { forward(x: f32[N]) { return x } }\n"
     "module A { param l = L()\n forward(x: f32[N]) { return self.l(x, x) } }",
     "test.attn:3:30: error: 'l' (L) takes 1 argument, got 2"},
    {"CallingAParameter", "module A { param w: f32[2]\n forward(x: f32[N]) { return self.w(x) } }",
     "test.attn:2:35: error: 'self.w' is a parameter, not a submodule; only submodules can be "
     "called"},
    {"ModuleCalledDirectly",
     "module L { forward(x: f32[N]) { return x } }\n"
     "module A { forward(x: f32[N]) { return L(x) } }",
     "test.attn:2:40: error: module 'L' is instantiated as a parameter (param x = L(...)) and "
     "called as self.x(...)"},
    {"MissingReturn", "module A { forward(x: f32[N]) { let y = x\n} }",
     "test.attn:2:1: error: forward of 'A' must end with a 'return'"},
    {"AfterReturn", "module A { forward(x: f32[N]) {\n return x\n let y = x\n} }",
     "test.attn:3:2: error: statement after 'return' is never run"},
    {"ReturnCount", "module A { forward(x: f32[N]) -> (f32[N], f32[N]) {\n return x\n} }",
     "test.attn:2:2: error: forward returns 1 value but declares 2 result types"},
    {"LetCount",
     "module L { forward(x: f32[N]) -> (f32[N], f32[N]) { return x, x } }\n"
     "module A { param l = L()\n forward(x: f32[N]) {\n let a = self.l(x)\n return a } }",
     "test.attn:4:2: error: the value has 2 results but 'let' binds 1 name"},
    {"ReturnsAScalar", "module A(n: int) { forward(x: f32[N]) { return n } }",
     "test.attn:1:48: error: forward returns tensors; this value is an int"},
    {"MatmulOfScalar", "module A { forward(x: f32[N]) { return matmul(x, 2) } }",
     "test.attn:1:50: error: argument 2 of matmul must be a tensor, got an int"},
    {"TransposeTwoArgs", "module A { forward(x: f32[N, M]) { return transpose(x, 0) } }",
     "test.attn:1:43: error: wrong number of arguments for 'transpose': got 2"},
    {"ReshapeNeedsList", "module A { forward(x: f32[N, M]) { return reshape(x, 4) } }",
     "test.attn:1:54: error: the shape of reshape is a list of ints: reshape(x, [4, -1])"},
    {"UnknownVariant",
     "attention dot { }\nmodule A { forward(x: f32[N, M]) { return attend<dott>(x, x, x) } }",
     "test.attn:2:50: error: unknown attention variant 'dott'"},
    {"DotOutsideScore", "module A { forward(x: f32[N]) { return dot(x, x) } }",
     "test.attn:1:40: error: 'dot' cannot be used in a forward"},
    {"TensorComparedWithString", "module A { forward(x: f32[N]) { return x < \"a\" } }",
     "test.attn:1:42: error: cannot compare a tensor with a string"},
    {"SumWithoutDim", "module A { forward(x: f32[N]) { return sum(x) } }",
     "test.attn:1:40: error: 'sum' needs the axis to reduce"},
    {"KeepdimNotBool", "module A { forward(x: f32[N]) { return mean(x, 0, keepdim=1) } }",
     "test.attn:1:59: error: keepdim of mean must be a bool, got an int"},
    {"MaxAlongAnAxis", "module A { forward(x: f32[N]) { return max(x, dim=0) } }",
     "test.attn:1:47: error: 'max' has no argument 'dim'"},
    {"GeluOfScalar", "module A { forward(x: f32[N]) { return gelu(2.0) } }",
     "test.attn:1:45: error: argument 1 of gelu must be a tensor, got a float"},
    {"FloatDimension", "module A(f: float) { forward(x: f32[f]) { return x } }",
     "test.attn:1:37: error: a dimension must be an int, but hyperparameter 'f' is a float"},
    {"SymbolArithmetic", "module A { forward(x: f32[2 * N]) { return x } }",
     "test.attn:1:31: error: symbolic dimension 'N' cannot be used in arithmetic yet"},
    {"EllipsisInParameter", "module A { param w: f32[..., 4] }",
     "test.attn:1:21: error: a parameter's shape must be fully known: '...' is only allowed in "
     "forward types"},
    {"LetShadowsHyperparameter",
     "module A(n: int) { forward(x: f32[N]) {\n let n = x\n return n } }",
     "test.attn:2:6: error: let 'n' has the same name as a hyperparameter of 'A'"},
    {"DefaultUsesLaterHyperparameter", "module A(a: int = b, b: int = 1) { }",
     "test.attn:1:19: error: hyperparameter 'b' is used before it is declared"},
    {"TwoForwards",
     "module A {\n forward(x: f32[N]) { return x }\n forward(x: f32[N]) { return x }\n}",
     "test.attn:3:2: error: module 'A' has two forwards"},
};

INSTANTIATE_TEST_SUITE_P(Sema, SemaErrors, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case> &info) {
                           return std::string(info.param.name);
                         });

TEST(Sema, ScalarLetsAndHyperparameterExpressions) {
  auto c = compile(R"(module A(d: int, h: int = 2, eps: float = 1e-5 * 2) {
  forward(x: f32[B, d]) {
    let head_dim = d / h
    let scale = 1.0 / sqrt(head_dim)
    return x * scale + eps
  }
})");
  EXPECT_EQ(c->output(), "");
}

TEST(Sema, NearMissSymbolWarns) {
  auto c = compile("module A(embed_dim: int) { forward(x: f32[B, embed_dm]) { return x } }");
  EXPECT_EQ(c->diag.error_count(), 0u);
  EXPECT_EQ(c->output(), "test.attn:1:46: warning: 'embed_dm' is taken as a symbolic dimension\n"
                         "module A(embed_dim: int) { forward(x: f32[B, embed_dm]) { return x } }\n"
                         "                                             ^~~~~~~~\n"
                         "note: did you mean the hyperparameter 'embed_dim'?\n");
}

TEST(Sema, BareNamesReachParametersUnlessShadowed) {
  auto c = compile(R"(module A {
  param w: f32[4]
  forward(x: f32[N, 4]) { return x * w }
}
module B {
  param w: f32[4]
  forward(w: f32[N, 4]) { return w * self.w }
})");
  ASSERT_EQ(c->output(), "");
  auto &a = llvm::cast<BinaryExpr>(*c->program->find_module("A")->forward->body[0].values[0]);
  EXPECT_EQ(llvm::cast<NameExpr>(*a.rhs).binding, Binding::Param);
  auto &b = llvm::cast<BinaryExpr>(*c->program->find_module("B")->forward->body[0].values[0]);
  EXPECT_EQ(llvm::cast<NameExpr>(*b.lhs).binding, Binding::Local);
  EXPECT_EQ(llvm::cast<SelfMemberExpr>(*b.rhs).binding, Binding::Param);
}

} // namespace
} // namespace attn::dsl
