// The generator's state, shared by MLIRGen.cpp (elaboration, functions, inlining), ExprGen.cpp
// (tensor expressions and built-ins) and ScoreGen.cpp (the regions of attn.attention).
#pragma once

#include "attn/compiler/Dialect/AttnDialect.h"
#include "attn/compiler/MLIRGen.h"
#include "attn/dsl/ConstEval.h"

#include "mlir/IR/Builders.h"

#include "llvm/ADT/StringMap.h"

#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace attn::mlirgen {

namespace ir = ::mlir::attn;

/// A tensor value and its rank when known (-1 when it flows from a `...` input). Ranks let
/// negative axes and transpose permutations be resolved here; shapes are the pass's business.
struct TensorValue {
  mlir::Value value;
  int rank = -1;
  explicit operator bool() const { return static_cast<bool>(value); }
};

/// One module instance of the elaborated model, or a module list or Sequential.
struct Instance {
  const dsl::ModuleDecl *decl = nullptr; // null for a container
  dsl::HyperparameterValues values;
  std::string prefix; // state_dict prefix: "" for the model, "query." for its submodule query
  llvm::StringMap<std::unique_ptr<Instance>> submodules; // by their names as spelled
  llvm::StringMap<TensorValue> params;
  llvm::StringMap<llvm::SMRange> declared; // where each member name was declared
  /// A container: its elements in order, whose weights are named prefix + "<k>.".
  const dsl::ContainerDecl *container = nullptr;
  std::vector<std::unique_ptr<Instance>> elements;
};

/// The values of the compile-time loops around a declaration, by variable.
using LoopValues = llvm::StringMap<dsl::ConstValue>;

/// The locals of one forward being generated (the model's, or an inlined callee's).
struct Frame {
  Instance *instance = nullptr;
  llvm::StringMap<TensorValue> tensors;
  llvm::StringMap<dsl::ConstValue> scalars;
};

/// The element type as the language spells it, with its article: "an f32", "a bool"
/// (MLIRGen.cpp).
std::string dtype_phrase(mlir::Type element);

/// The argument of a built-in call at `position`, given positionally or by its keyword; null
/// when absent (ExprGen.cpp).
const dsl::Expr *builtin_argument(const dsl::CallExpr &call, size_t position);

/// An elementwise tensor op on two operands (NumPy broadcasting) or one; null when an operand is.
template <typename Op>
TensorValue make_binary(mlir::OpBuilder &b, mlir::Location at, mlir::Type type, TensorValue lhs,
                        TensorValue rhs) {
  if (!lhs || !rhs)
    return {};
  auto op = b.create<Op>(at, type, lhs.value, rhs.value);
  int rank = lhs.rank < 0 || rhs.rank < 0 ? -1 : std::max(lhs.rank, rhs.rank);
  return TensorValue{op, rank};
}

template <typename Op>
TensorValue make_unary(mlir::OpBuilder &b, mlir::Location at, mlir::Type type, TensorValue input) {
  if (!input)
    return {};
  return TensorValue{b.create<Op>(at, type, input.value), input.rank};
}

/// The nearest variant along `variant`'s chain of parents that defines `part` (its score, mask
/// or normaliser: a variant inherits what it does not define); null when none does.
template <typename Part>
const dsl::AttentionDecl *defining(const dsl::AttentionDecl *variant,
                                   std::optional<Part> dsl::AttentionDecl::*part) {
  while (variant && !(variant->*part))
    variant = variant->parent_decl;
  return variant;
}

/// The f32 scalar form, in an attention region, of a one-argument math built-in (exp, log,
/// sqrt, tanh, abs, relu, sigmoid) and of + - * / (ScoreGen.cpp).
mlir::Value scalar_math(mlir::OpBuilder &b, dsl::Builtin fn, mlir::Value x, mlir::Location at);
/// What `variant`'s score reads besides the dot of the query and the key, following `super`,
/// in a fixed order: `rows`, a vector's element at the key position (`b[j]`), `tables`, a
/// parameter's element at other indices (`bias[h, j - i]`), and `dots`, the dots that read
/// only the query or only the key (`dot(a, q)`). `pair_dot`: the score uses the dot product of
/// the query and the key (a dot of both sides, or the plain product of a variant without a
/// score, itself or through `super`).
/// `relative`: the dots with a row at a relative position (`dot(q, k + a[j - i])`), each read
/// from a table of the query against the rows (after `tables`); `relative_leading`, the
/// number of leading (batch, head) axes of each such table. `value_tables`: the parameters
/// the value clause reads (after `tables`, before the relative ones).
struct ScoreReads {
  std::vector<const dsl::IndexExpr *> rows, tables, value_tables;
  std::vector<const dsl::CallExpr *> dots, relative;
  std::vector<int> relative_leading;
  /// The lets the score, mask and value use, each read from an extra [..., Sq, 1] (after
  /// `dots`).
  std::vector<const dsl::LetDecl *> lets;
  bool pair_dot = false;
};
ScoreReads score_reads(const dsl::AttentionDecl &variant);
/// The row at a relative position of `dot` (`a[j - i]` in dot(q, k + a[j - i])), with the
/// argument that holds it and what else that argument adds (null: nothing); null if none.
const dsl::IndexExpr *relative_row_of(const dsl::CallExpr &dot, size_t *arg = nullptr,
                                      const dsl::Expr **rest = nullptr);
mlir::Value scalar_arith(mlir::OpBuilder &b, dsl::BinaryOp op, mlir::Value l, mlir::Value r,
                         mlir::Location at);

class Generator {
public:
  Generator(mlir::MLIRContext &context, const dsl::Program &program, dsl::DiagnosticEngine &diag);
  mlir::OwningOpRef<mlir::ModuleOp> run(const dsl::ModuleDecl &model,
                                        const std::map<std::string, std::string> &defines);

  // MLIRGen.cpp
  std::unique_ptr<Instance> elaborate(const dsl::ModuleDecl &decl, dsl::HyperparameterValues values,
                                      const std::string &prefix);
  std::optional<std::vector<int64_t>> static_shape(const dsl::TensorType &type,
                                                   const Instance &instance,
                                                   const dsl::LocalLookup &locals = nullptr);
  mlir::ArrayAttr assert_dims(const dsl::TensorType &type, const Instance &instance);
  /// The symbol a dimension names, after picking the branches of conditionals; null for a size.
  const dsl::NameExpr *symbol_dim(const dsl::Expr &dim, const dsl::HyperparameterValues &values);
  /// Checks `value` against a declared type; a value declared f16 or bf16 is rounded to it
  /// and, when `widened`, widened back to f32 for what computes on it.
  TensorValue assert_shape(TensorValue value, const dsl::TensorType &type, const Instance &instance,
                           int64_t scope, bool widened = true);
  /// attn.cast of `value` to `element` (none when it has that type already).
  TensorValue convert(TensorValue value, mlir::Type element, mlir::Location at);
  /// An f16 or bf16 value converted to f32; others unchanged.
  TensorValue widen(TensorValue value, mlir::Location at);
  std::vector<TensorValue> gen_body(Frame &frame);
  /// The statements of a block in order; the results when one of them returns.
  std::optional<std::vector<TensorValue>> gen_block(const std::vector<dsl::Stmt> &body,
                                                    Frame &frame);
  std::vector<TensorValue> inline_call(const dsl::CallExpr &call, Frame &caller);
  /// Inlines `callee`'s forward on `args`; an input past them, or not `given`, takes its
  /// default.
  std::vector<TensorValue> inline_instance(Instance &callee, const dsl::CallExpr &call,
                                           std::vector<TensorValue> args, unsigned count,
                                           std::vector<bool> given = {});
  /// An optional input a call leaves out: attn.fill of its declared shape in the call's scope.
  TensorValue fill_default(const dsl::ForwardArg &arg, const Instance &instance, int64_t scope);
  mlir::Location file_loc(llvm::SMRange range) const;
  /// The location of source `range` in the current inlining context.
  mlir::Location loc(llvm::SMRange range) const;
  bool report(llvm::SMRange range, const llvm::Twine &message);

  // ExprGen.cpp
  std::vector<TensorValue> gen_values(const dsl::Expr &expr, Frame &frame);
  TensorValue gen_tensor(const dsl::Expr &expr, Frame &frame);
  /// The element types of the frame's tensors, for dtype(x) (ExprGen.cpp).
  static dsl::DtypeLookup frame_dtypes(const Frame &frame);
  std::optional<dsl::ConstValue> gen_scalar(const dsl::Expr &expr, Frame &frame);
  std::optional<int64_t> gen_int(const dsl::Expr &expr, Frame &frame);
  TensorValue gen_binary(const dsl::BinaryExpr &binary, Frame &frame);
  TensorValue gen_builtin(const dsl::CallExpr &call, Frame &frame);
  TensorValue gen_attend(const dsl::CallExpr &call, Frame &frame);
  TensorValue constant(double value, mlir::Location loc);
  std::optional<int64_t> normalize_axis(const dsl::Expr &axis_expr, int64_t axis, int rank,
                                        const char *what);

  // NNGen.cpp: reductions, activations with parameters, log_softmax and where.
  TensorValue gen_nn_builtin(const dsl::CallExpr &call, Frame &frame);

  // MoveGen.cpp: data movement, indexing, and the promotion of integer operands to f32.
  TensorValue gen_move_builtin(const dsl::CallExpr &call, Frame &frame);
  TensorValue gen_index(const dsl::IndexExpr &index, Frame &frame);
  TensorValue make_select(TensorValue x, int64_t axis, int64_t index, mlir::Location at);
  TensorValue make_slice(TensorValue x, int64_t axis, int64_t start, std::optional<int64_t> end,
                         mlir::Location at);
  /// Converts the non-f32 operands of the op defining `value` to f32 (attn.cast), unless the op
  /// moves data and keeps its element type.
  TensorValue promote_to_f32(TensorValue value);
  /// `x` as a bool tensor: itself when it is one, else true where it is not zero.
  TensorValue truth(TensorValue x, mlir::Location at);
  /// `relation` of two operands as a bool tensor, the operands converted to f32.
  template <typename Relation>
  TensorValue make_relation(TensorValue lhs, TensorValue rhs, mlir::Location at) {
    return promote_to_f32(make_binary<Relation>(builder_, at, unranked_bool(), lhs, rhs));
  }

  // ScanGen.cpp: `scan` as attn.scan, its body generated in a frame that sees the enclosing one.
  std::vector<TensorValue> gen_scan(const dsl::ScanExpr &scan, Frame &frame);
  // StructureGen.cpp: member blocks, containers and interpolated names when elaborating;
  // element calls, `if`/`for` statements and conditional expressions in forwards.
  bool elaborate_members(const std::vector<dsl::MemberNode> &nodes, Instance &instance,
                         LoopValues &loops);
  bool elaborate_param(const dsl::ParamDecl &param, Instance &instance, LoopValues &loops);
  std::unique_ptr<Instance> elaborate_container(const dsl::ContainerDecl &container,
                                                const Instance &outer, LoopValues &loops,
                                                const std::string &prefix);
  std::unique_ptr<Instance> elaborate_element(const dsl::ElementDecl &element,
                                              const Instance &outer, LoopValues &loops,
                                              const std::string &prefix);
  /// The values of `range(...)`, counted against the limit of unrolled iterations.
  std::optional<std::pair<int64_t, int64_t>> loop_bounds(const dsl::RangeLoop &loop,
                                                         const dsl::HyperparameterValues &values,
                                                         const dsl::LocalLookup &locals,
                                                         const dsl::DtypeLookup &dtypes = nullptr);
  /// A member name with its interpolated pieces replaced by their values.
  std::optional<std::string>
  spell_name(const std::string &written, const std::vector<dsl::NamePart> &parts,
             llvm::SMRange range, const dsl::HyperparameterValues &values,
             const dsl::LocalLookup &locals, const dsl::DtypeLookup &dtypes = nullptr);
  void report_missing_member(const Instance &instance, const std::string &name,
                             const std::string &written, bool interpolated, llvm::SMRange range,
                             bool submodule);
  TensorValue member_param(const std::string &written, const std::vector<dsl::NamePart> &parts,
                           llvm::SMRange range, Frame &frame);
  Instance *resolve_callee(const dsl::CallExpr &call, Frame &frame);
  std::optional<std::vector<TensorValue>> gen_control(const dsl::Stmt &stmt, Frame &frame);
  std::optional<std::vector<TensorValue>> gen_scoped_block(const std::vector<dsl::Stmt> &body,
                                                           Frame &frame);
  TensorValue gen_conditional(const dsl::ConditionalExpr &conditional, Frame &frame);
  // ConvGen.cpp: conv2d, max_pool2d, flatten.
  TensorValue gen_conv_builtin(const dsl::CallExpr &call, Frame &frame);

  // ScoreGen.cpp
  // `values` are the variant's parameters as the call gives them (or their defaults).
  /// FeatureGen.cpp: a dot product of vector expressions. Replaces `q` and `k` by what the
  /// dot multiplies (the query's and key's parts, computed as tensors before the attention);
  /// when the dot mixes them (additive attention), also gives the feature vectors and, after
  /// the attention op exists, fills its feature region (`build`). False after an error.
  struct FeatureForm {
    std::vector<TensorValue> vectors;
    std::function<void(ir::AttentionOp)> build; // null: the plain dot product
  };
  bool gen_dot_operands(const dsl::AttentionDecl &variant, TensorValue &q, TensorValue &k,
                        Frame &frame, FeatureForm &form);
  /// A part of a dot's argument as a tensor over the rows of the query or key it reads: every
  /// operation is the elementwise one on rows, except that the vector-matrix products
  /// multiply each row.
  TensorValue dot_part(const dsl::Expr &e, const TensorValue &query, const TensorValue &key,
                       Frame &frame);
  /// A dot that reads one side as a score extra: [..., Sq, 1] for the query's rows, [..., 1,
  /// Sk] for the key's.
  TensorValue one_sided_dot(const dsl::CallExpr &dot, const TensorValue &query,
                            const TensorValue &key, Frame &frame);
  /// A let's value (`e`, its body or a part of it) as a tensor over the query rows, [..., Sq,
  /// 1] (a number when it reads no dot).
  TensorValue let_value(const dsl::Expr &e, const TensorValue &query, const TensorValue &key,
                        const dsl::HyperparameterValues &values, Frame &frame);
  /// The tensor op of + - * / (none for another operator).
  TensorValue arithmetic(dsl::BinaryOp op, const TensorValue &l, const TensorValue &r,
                         mlir::Location at);
  /// The tensor op of a one-argument math built-in (exp, log, sqrt, tanh, sigmoid, relu, abs).
  TensorValue elementwise(dsl::Builtin fn, const TensorValue &x, mlir::Location at);
  /// The table of a dot with a row at a relative position, dot(x, k + a[r]): x a^T, the query
  /// rows against every row of a, [..., Sq, rows].
  TensorValue relative_table(const dsl::CallExpr &dot, const TensorValue &query,
                             const TensorValue &key, Frame &frame);
  /// `W[j]`: the rows (elements, for a vector) of a variant's parameter at the key positions
  /// 0..Sk-1 of `key`; a matrix's rows get leading axes of 1 up to the key's rank.
  TensorValue key_position_rows(const dsl::IndexExpr &row, TensorValue key, Frame &frame);
  /// The score region; `reads.rows`, then `reads.dots`, are read from the op's first extras,
  /// `reads.tables` with attn.lookup from its tables, in order.
  void build_score(ir::AttentionOp op, const dsl::AttentionDecl &variant,
                   const dsl::HyperparameterValues &values, const ScoreReads &reads);
  /// The mask region: the variant's mask, and the call's mask when `input_mask` gives its
  /// place among the op's score extras (a 0/1 tensor: 0 removes the key).
  void build_mask(ir::AttentionOp op, const dsl::AttentionDecl &variant,
                  const dsl::HyperparameterValues &values, const ScoreReads &reads,
                  std::optional<unsigned> input_mask);
  /// The contribution region from the variant's value clause (none without one).
  void build_value(ir::AttentionOp op, const dsl::AttentionDecl &variant,
                   const dsl::HyperparameterValues &values, const ScoreReads &reads);

  mlir::Type unranked() const;
  mlir::Type unranked_bool() const;

  mlir::MLIRContext &context_;
  mlir::OpBuilder builder_;
  const dsl::Program &program_;
  dsl::DiagnosticEngine &diag_;
  std::optional<mlir::Location> call_site_; // the innermost inlined call, if any
  int64_t next_scope_ = 1;
  /// Module instances and inlined calls so far: a model whose submodules or calls multiply
  /// beyond kMaxExpansion is refused rather than built for ever.
  int64_t instances_ = 0;
  int64_t inlined_calls_ = 0;
  int64_t unrolled_ = 0; // iterations of compile-time loops
  bool reported_unrolling_ = false;
  static constexpr int64_t kMaxExpansion = 100000;
  unsigned errors_at_start_ = 0;
};

} // namespace attn::mlirgen
