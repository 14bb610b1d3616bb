#include "LowerAttention.h"

#include "RegionEval.h"

#include <map>

namespace attn::compiler::lowering {

using Halide::Expr;

mlir::FailureOr<AttentionRegions> attention_regions(mlir::Operation *op, Expr score_dim) {
  AttentionRegions regions;
  auto placeholder = [](const char *name, bool is_float = false) {
    return Halide::Internal::Variable::make(is_float ? Halide::Float(32) : Halide::Int(32), name);
  };
  mlir::Region &score = op->getRegion(0), &mask = op->getRegion(1);
  if (!score.empty()) {
    auto body = eval_region(score,
                            {placeholder("rs", true), placeholder("rb"), placeholder("rh"),
                             placeholder("ri"), placeholder("rj")},
                            score_dim);
    if (failed(body))
      return mlir::failure();
    Expr e = *body;
    regions.score = [=](Expr s, Expr b, Expr h, Expr i, Expr j) {
      std::map<std::string, Expr> repl = {{"rs", s}, {"rb", b}, {"rh", h}, {"ri", i}, {"rj", j}};
      return Halide::Internal::substitute(repl, e);
    };
  }
  if (!mask.empty()) {
    auto body = eval_region(
        mask, {placeholder("rb"), placeholder("rh"), placeholder("ri"), placeholder("rj")},
        score_dim);
    if (failed(body))
      return mlir::failure();
    Expr e = *body;
    regions.mask = [=](Expr b, Expr h, Expr i, Expr j) {
      std::map<std::string, Expr> repl = {{"rb", b}, {"rh", h}, {"ri", i}, {"rj", j}};
      return Halide::Internal::substitute(repl, e);
    };
  }
  return regions;
}

} // namespace attn::compiler::lowering
