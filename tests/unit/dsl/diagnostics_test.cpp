// The exact text of the front end's diagnostics: `file:line:col: error: message`, the source
// line, a caret under the range, then notes. Each test also checks that one mistake yields one
// error (no cascades).
#include "test_util.h"

#include "attn/compiler/MLIRGen.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <gtest/gtest.h>

#include <fstream>

namespace attn::dsl {
namespace {

using testing::compile;
using testing::diagnostics;

TEST(Diagnostics, UndefinedNameWithHint) {
  EXPECT_EQ(diagnostics(R"(module M {
  forward(query: f32[B, S]) {
    return qurey * 2
  }
})"),
            "test.attn:3:12: error: undefined name 'qurey'\n"
            "    return qurey * 2\n"
            "           ^~~~~\n"
            "note: did you mean 'query'?\n");
}

TEST(Diagnostics, UnknownFunctionWithHint) {
  EXPECT_EQ(diagnostics("module M { forward(x: f32[B, S]) { return sofmax(x) } }"),
            "test.attn:1:43: error: unknown function 'sofmax'\n"
            "module M { forward(x: f32[B, S]) { return sofmax(x) } }\n"
            "                                          ^~~~~~\n"
            "note: did you mean 'softmax'?\n");
}

TEST(Diagnostics, SelfMemberWithHint) {
  EXPECT_EQ(diagnostics(R"(import "nn"
module M {
  param query = Linear(4, 4)
  forward(x: f32[B, 4]) { return self.qury(x) }
})"),
            "test.attn:4:39: error: module 'M' has no submodule 'qury'\n"
            "  forward(x: f32[B, 4]) { return self.qury(x) }\n"
            "                                      ^~~~\n"
            "note: did you mean 'query'?\n");
}

TEST(Diagnostics, SyntaxError) {
  EXPECT_EQ(diagnostics(R"(module M {
  forward(x: f32[B, S]) {
    let y = x +* 2
    return y
  }
})"),
            "test.attn:3:16: error: expected an expression, got '*'\n"
            "    let y = x +* 2\n"
            "               ^\n");
}

TEST(Diagnostics, SeveralErrorsWithoutCascades) {
  auto c = compile(R"(module M(n: int) {
  param w: f32[n, m]
  forward(x: f32[B, n]) {
    let a = x + undefined1
    let b = a * a + a
    let c = (x +
    let d = c * b
    return foo(d) * d
  }
}
module M2 {
  param = 3
  forward(x: f32[B]) { return x }
}
)");
  std::string out = c->output();
  // One error each: m (not a hyperparameter), undefined1, the broken let, foo, the bad param.
  // Nothing about a, b, c, d, which depend on errors already reported, nor about the product
  // with foo's result.
  EXPECT_EQ(c->diag.error_count(), 5u) << out;
  EXPECT_NE(out.find("2:19: error: parameter shapes must be known at compile time: 'm' is not "
                     "a hyperparameter of 'M'"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("4:17: error: undefined name 'undefined1'"), std::string::npos);
  EXPECT_NE(out.find("7:5: error: expected an expression, got 'let'"), std::string::npos);
  EXPECT_NE(out.find("8:12: error: unknown function 'foo'"), std::string::npos);
  EXPECT_NE(out.find("12:9: error: expected a parameter name after 'param', got '='"),
            std::string::npos);
}

TEST(Diagnostics, DuplicateDefinition) {
  EXPECT_EQ(diagnostics(R"(attention dot { score(q, k) = dot(q, k) }
module dot { }
)"),
            "test.attn:2:8: error: duplicate definition of 'dot'\n"
            "module dot { }\n"
            "       ^~~\n"
            "test.attn:1:11: note: previous definition is here\n"
            "attention dot { score(q, k) = dot(q, k) }\n"
            "          ^~~\n");
}

TEST(Diagnostics, DuplicateOfAnImportedDefinitionIsReportedInTheImporter) {
  llvm::SmallString<128> dir;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("attn-import", dir));
  { std::ofstream(std::string(dir) + "/block.attn") << "module Block { }\n"; }
  auto c = std::make_unique<testing::Compilation>();
  c->program = load_program_from_string(c->source_mgr, std::string(dir) + "/t.attn",
                                        "import \"block.attn\"\nmodule Block { }\n", c->diag);
  std::string out = c->output();
  EXPECT_EQ(out.find(std::string(dir) + "/t.attn:2:8: error: duplicate definition of 'Block'"), 0u)
      << out;
  EXPECT_NE(out.find("block.attn:1:8: note: previous definition is here"), std::string::npos)
      << out;
  llvm::sys::fs::remove_directories(dir);
}

// A user's module may take a standard library name: the user's files and --model see theirs,
// the library's files keep the library's.
TEST(Diagnostics, UserDefinitionShadowsTheStandardLibrary) {
  auto c = std::make_unique<testing::Compilation>();
  c->program = load_program_from_string(c->source_mgr, "t.attn",
                                        "import \"nn\"\nmodule Linear { }\n", c->diag);
  EXPECT_EQ(c->output(), "");
  const ModuleDecl *mine = c->program->find_module("Linear");
  ASSERT_TRUE(mine);
  EXPECT_EQ(mine->file, &c->program->root());
  const SourceFile *library = nullptr;
  for (const auto &file : c->program->files)
    if (file->library)
      library = file.get();
  ASSERT_TRUE(library);
  const ModuleDecl *theirs = c->program->find_module("Linear", library);
  ASSERT_TRUE(theirs);
  EXPECT_TRUE(theirs->file->library);
  EXPECT_EQ(theirs->params.size(), 2u); // weight and bias
}

TEST(Diagnostics, WrongHyperparameterType) {
  EXPECT_EQ(diagnostics(R"(import "nn"
module M(d: int, scale: float = 0.5) {
  param proj = Linear(d, scale)
})"),
            "test.attn:3:26: error: argument 'out_features' of Linear must be an int, got a float\n"
            "  param proj = Linear(d, scale)\n"
            "                         ^~~~~\n");
  EXPECT_EQ(diagnostics("module M(n: int = 1.5) { }"),
            "test.attn:1:19: error: the default of 'n' must be an int, got a float\n"
            "module M(n: int = 1.5) { }\n"
            "                  ^~~\n");
}

TEST(Diagnostics, HyperparameterClashesWithForwardArgument) {
  EXPECT_EQ(diagnostics("module M(x: int) {\n  forward(x: f32[B]) { return x }\n}"),
            "test.attn:2:11: error: forward argument 'x' has the same name as a hyperparameter "
            "of 'M'\n"
            "  forward(x: f32[B]) { return x }\n"
            "          ^\n"
            "test.attn:1:10: note: the hyperparameter is declared here\n"
            "module M(x: int) {\n"
            "         ^\n");
}

TEST(Diagnostics, UnterminatedString) {
  EXPECT_EQ(diagnostics("module M(s: string = \"relu) {\n}\n"),
            "test.attn:1:22: error: unterminated string: missing '\"' before the end of the line\n"
            "module M(s: string = \"relu) {\n"
            "                     ^~~~~~~~\n");
}

TEST(Diagnostics, UnterminatedComment) {
  EXPECT_EQ(diagnostics("module M { }\n#[ a block comment\nthat never ends\n"),
            "test.attn:2:1: error: unterminated block comment: '#[' has no matching ']#'\n"
            "#[ a block comment\n"
            "^~\n");
}

TEST(Diagnostics, NestingTooDeep) {
  std::string deep = std::string(300, '(') + "x" + std::string(300, ')');
  std::string out = diagnostics("module M { forward(x: f32[B]) {\n return " + deep + "\n} }");
  EXPECT_EQ(out.find("test.attn:2:265: error: expression is nested too deeply (more than 256 "
                     "levels)\n"),
            0u)
      << out.substr(0, 200);
  auto c = compile("module M { forward(x: f32[B]) {\n return " + deep + "\n} }");
  EXPECT_EQ(c->diag.error_count(), 1u);
  // A long flat chain is bounded too (everything after the parser recurses over the tree).
  std::string chain = "x";
  for (int i = 0; i < 5000; ++i)
    chain += " + x";
  auto d = compile("module M { forward(x: f32[B]) {\n return " + chain + "\n} }");
  EXPECT_EQ(d->diag.error_count(), 1u);
  EXPECT_NE(d->output().find("error: expression is nested too deeply"), std::string::npos);
}

TEST(Diagnostics, MissingImport) {
  EXPECT_EQ(diagnostics("import \"nnx\"\n"),
            "test.attn:1:8: error: no standard library module 'nnx' (looked for " +
                testing::source_path("dsl/stdlib/nnx.attn") +
                "; set ATTN_STDLIB to use another directory)\n"
                "import \"nnx\"\n"
                "       ^~~~~\n"
                "note: did you mean 'nn'?\n");
  EXPECT_EQ(diagnostics("import \"lib/missing.attn\"\n", "dir/test.attn"),
            "dir/test.attn:1:8: error: cannot open imported file 'dir/lib/missing.attn': No such "
            "file or directory\n"
            "import \"lib/missing.attn\"\n"
            "       ^~~~~~~~~~~~~~~~~~\n");
}

TEST(Diagnostics, MissingFile) {
  llvm::SourceMgr sm;
  std::string messages;
  llvm::raw_string_ostream os(messages);
  DiagnosticEngine diag(sm, os);
  EXPECT_EQ(load_program(sm, "/nonexistent/model.attn", diag), nullptr);
  EXPECT_EQ(os.str(),
            "/nonexistent/model.attn: error: cannot open the file: No such file or directory\n");
}

TEST(Diagnostics, InvalidBytes) {
  const char text[] = "module M {\n  forward(x: f32[B]) { return x\xff }\n}\n# \0\n";
  std::string source(text, sizeof text - 1);
  auto c = compile(source);
  std::string out = c->output();
  EXPECT_EQ(c->diag.error_count(), 2u) << out;
  EXPECT_NE(out.find("test.attn:2:32: error: invalid UTF-8 byte 0xFF"), std::string::npos) << out;
  EXPECT_NE(out.find("test.attn:4:3: error: NUL byte in a comment"), std::string::npos) << out;
}

// -D values are checked when the model is elaborated; the errors point at the declarations.
std::string define_errors(const std::map<std::string, std::string> &defines) {
  auto c = compile(R"(module M(embed_dim: int, num_heads: int = 2, eps: float = 1e-5) {
  forward(x: f32[B, embed_dim]) { return x }
})");
  EXPECT_EQ(c->output(), "");
  mlir::MLIRContext context;
  auto module = mlir_gen(context, *c->program, "", defines, c->diag);
  EXPECT_FALSE(module);
  return c->output();
}

TEST(Diagnostics, UnknownDefine) {
  EXPECT_EQ(define_errors({{"embed_dim", "4"}, {"num_head", "3"}}),
            "test.attn:1:8: error: model 'M' has no hyperparameter 'num_head' (set by -D "
            "num_head=3)\n"
            "module M(embed_dim: int, num_heads: int = 2, eps: float = 1e-5) {\n"
            "       ^\n"
            "note: did you mean 'num_heads'?\n");
}

TEST(Diagnostics, MissingRequiredDefine) {
  EXPECT_EQ(define_errors({}),
            "test.attn:1:10: error: hyperparameter 'embed_dim' of 'M' has no value: pass -D "
            "embed_dim=<int>\n"
            "module M(embed_dim: int, num_heads: int = 2, eps: float = 1e-5) {\n"
            "         ^~~~~~~~~\n");
}

TEST(Diagnostics, BadDefineValue) {
  EXPECT_EQ(define_errors({{"embed_dim", "4"}, {"eps", "small"}}),
            "test.attn:1:46: error: invalid value for -D eps=small: 'eps' is a float\n"
            "module M(embed_dim: int, num_heads: int = 2, eps: float = 1e-5) {\n"
            "                                             ^~~\n");
}

TEST(Diagnostics, StdlibFromEnvironment) {
  llvm::SmallString<128> dir;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("attn-stdlib", dir));
  { std::ofstream(std::string(dir) + "/mine.attn") << "module Mine { }\n"; }
  auto c = std::make_unique<testing::Compilation>();
  setenv("ATTN_STDLIB", dir.c_str(), 1);
  c->program = load_program_from_string(c->source_mgr, "t.attn", "import \"mine\"\n", c->diag);
  unsetenv("ATTN_STDLIB");
  EXPECT_EQ(c->output(), "");
  EXPECT_TRUE(c->program->find_module("Mine"));
  llvm::sys::fs::remove_directories(dir);
}

} // namespace
} // namespace attn::dsl
