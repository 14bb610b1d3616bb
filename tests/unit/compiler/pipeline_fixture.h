// The lowering tests' fixture: an MLIR context with the attn dialect, and a hand-written IR file
// of tests/unit/compiler/data run through the pass pipeline.
#pragma once

#include "attn/compiler/Dialect/AttnDialect.h"
#include "attn/compiler/Emit.h"
#include "attn/compiler/Lowering.h"
#include "attn/compiler/Passes.h"

#include "mlir/Parser.h"

#include <gtest/gtest.h>

#include <string>

/// Lowers `func` for the CPU and for CUDA and compiles both schedules to Halide statements,
/// each of which must contain `produced` (a Func the schedule produces).
inline void expect_cpu_and_gpu_schedules_compile(mlir::FuncOp func, const std::string &produced) {
  using namespace attn::compiler;
  for (const char *name : {"host", "host-cuda"}) {
    std::string error;
    auto target = parse_target(name, &error);
    auto model = lower_to_halide(func, *target);
    ASSERT_TRUE(succeeded(model)) << name;
    std::string text;
    EXPECT_TRUE(emit_text(*model, *target, TextKind::Stmt, &text, &error)) << name << error;
    EXPECT_NE(text.find(produced), std::string::npos) << name;
  }
}

class PipelineFixture : public ::testing::Test {
protected:
  PipelineFixture() {
    context_.getOrLoadDialect<mlir::attn::AttnDialect>();
    context_.getOrLoadDialect<mlir::arith::ArithmeticDialect>();
    context_.getOrLoadDialect<mlir::math::MathDialect>();
  }

  /// The forward of `file` after the pipeline, or null when it does not parse or pass.
  mlir::FuncOp load(const std::string &file, const attn::compiler::PipelineOptions &options = {}) {
    module_ = mlir::parseSourceFile(std::string(ATTN_TEST_DATA) + "/" + file, &context_);
    if (!module_ || failed(attn::compiler::run_pipeline(*module_, options)))
      return nullptr;
    return *module_->getOps<mlir::FuncOp>().begin();
  }

  mlir::MLIRContext context_;
  mlir::OwningOpRef<mlir::ModuleOp> module_;
};

/// A fixture whose test body works on one file's forward, `func_`.
class LoadedPipeline : public PipelineFixture {
protected:
  explicit LoadedPipeline(std::string file) : file_(std::move(file)) {}
  void SetUp() override {
    func_ = load(file_);
    ASSERT_TRUE(func_) << file_ << " does not parse or pass the pipeline";
  }

  /// Lowers func_ for the CPU and for CUDA and compiles both schedules to Halide statements,
  /// each of which must contain `produced` (a Func the schedule produces).
  void expect_schedules_compile(const std::string &produced) {
    expect_cpu_and_gpu_schedules_compile(func_, produced);
  }

  std::string file_;
  mlir::FuncOp func_;
};
