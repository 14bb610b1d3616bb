// The abstract syntax tree of the attn language, and the Program that holds every loaded file.
// Every node carries the source range it was parsed from (pointers into a SourceMgr buffer).
// The parser builds the tree; semantic checks (Sema.h) then fill in the annotations marked
// "set by Sema" (what a name refers to, the type of an expression, the declaration a call
// reaches), which the bridge to the IR relies on. Expression nodes use LLVM-style RTTI
// (`llvm::isa`, `llvm::dyn_cast`), since the project builds without C++ RTTI.
#pragma once

#include "attn/dsl/Builtins.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Casting.h"
#include "llvm/Support/SMLoc.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace llvm {
class SourceMgr;
}

namespace attn::dsl {

using llvm::SMLoc;
using llvm::SMRange;

struct ModuleDecl;
struct AttentionDecl;
struct SourceFile;

/// Scalar types of hyperparameters and compile-time values.
enum class ScalarType { Int, Float, Bool, String };
const char *scalar_type_name(ScalarType type);

/// Element types of tensors.
enum class DType { F32, F16, BF16, I64, I32, Bool };
const char *dtype_name(DType type);

/// What an expression computes, as Sema infers it. `Error` marks an expression whose problem
/// was already reported: anything built from it is silently `Error` too (no cascades).
enum class ExprType { Unknown, Error, Tensor, Int, Float, Bool, String, Tuple };
const char *expr_type_name(ExprType type);
/// With an article, for messages: "an int", "a tensor".
const char *expr_type_phrase(ExprType type);
inline bool is_scalar(ExprType t) {
  return t == ExprType::Int || t == ExprType::Float || t == ExprType::Bool || t == ExprType::String;
}

/// What a bare name or `self.name` refers to (set by Sema).
enum class Binding {
  Unresolved,
  Local,          // a forward argument or a let
  Hyperparameter, // of the enclosing module or attention variant
  Param,          // a tensor parameter of the module
  Submodule,      // a module instance held by the module
  Symbol,         // a symbolic dimension in a tensor type
  ScoreQuery,     // the first parameter of an attention score (q)
  ScoreKey,       // its second parameter (k)
  IndexVar,       // b, h, i or j in a score or mask
  ScoreValue,     // the first parameter of an attention's value clause (v)
  AttentionLet,   // a let of an attention variant (a number per query row)
};

struct Ident {
  std::string name;
  SMRange range;
};

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

class Expr {
public:
  enum class Kind {
    Error,
    Number,
    String,
    Bool,
    Name,
    SelfMember,
    Super,
    List,
    Unary,
    Binary,
    Call,
    Index,
    Scan,
    Conditional
  };
  virtual ~Expr() = default;
  Kind kind() const { return kind_; }
  SMRange range() const { return range_; }
  SMLoc loc() const { return range_.Start; }
  /// Height of the tree below this node (1 for a leaf); the parser bounds it.
  int height() const { return height_; }

  ExprType type = ExprType::Unknown; // set by Sema

protected:
  Expr(Kind kind, SMRange range, int height = 1) : kind_(kind), range_(range), height_(height) {}

private:
  Kind kind_;
  SMRange range_;
  int height_;
};
using ExprPtr = std::unique_ptr<Expr>;

/// Stands where the parser could not make an expression (the error is already reported).
struct ErrorExpr : Expr {
  explicit ErrorExpr(SMRange range) : Expr(Kind::Error, range) {}
  static bool classof(const Expr *e) { return e->kind() == Kind::Error; }
};

struct NumberExpr : Expr {
  NumberExpr(SMRange range, bool is_int, int64_t int_value, double float_value)
      : Expr(Kind::Number, range), is_int(is_int), int_value(int_value), float_value(float_value) {}
  bool is_int;
  int64_t int_value;
  double float_value;
  static bool classof(const Expr *e) { return e->kind() == Kind::Number; }
};

struct StringExpr : Expr {
  StringExpr(SMRange range, std::string value)
      : Expr(Kind::String, range), value(std::move(value)) {}
  std::string value;
  static bool classof(const Expr *e) { return e->kind() == Kind::String; }
};

struct BoolExpr : Expr {
  BoolExpr(SMRange range, bool value) : Expr(Kind::Bool, range), value(value) {}
  bool value;
  static bool classof(const Expr *e) { return e->kind() == Kind::Bool; }
};

struct NameExpr : Expr {
  NameExpr(SMRange range, std::string name) : Expr(Kind::Name, range), name(std::move(name)) {}
  std::string name;
  Binding binding = Binding::Unresolved; // set by Sema
  static bool classof(const Expr *e) { return e->kind() == Kind::Name; }
};

/// One piece of an interpolated member name (`weight_ih_l{k}_reverse`): literal text, or an
/// expression in braces (an int or a string, known at compile time) whose value is spliced in.
struct NamePart {
  std::string text; // when `expr` is null
  ExprPtr expr;
};

/// `self.name`: a parameter or submodule of the enclosing module. An interpolated name
/// (`self.weight_l{k}`) keeps its pieces in `parts` and its source text in `member.name`.
struct SelfMemberExpr : Expr {
  SelfMemberExpr(SMRange range, Ident member, int height = 1)
      : Expr(Kind::SelfMember, range, height), member(std::move(member)) {}
  Ident member;
  std::vector<NamePart> parts;           // empty for a plain name
  Binding binding = Binding::Unresolved; // set by Sema: Param or Submodule
  static bool classof(const Expr *e) { return e->kind() == Kind::SelfMember; }
};

/// `super` in a score: the parent variant's score.
struct SuperExpr : Expr {
  explicit SuperExpr(SMRange range) : Expr(Kind::Super, range) {}
  static bool classof(const Expr *e) { return e->kind() == Kind::Super; }
};

/// `[a, b, c]` (the shape argument of reshape).
struct ListExpr : Expr {
  ListExpr(SMRange range, std::vector<ExprPtr> elements, int height)
      : Expr(Kind::List, range, height), elements(std::move(elements)) {}
  std::vector<ExprPtr> elements;
  static bool classof(const Expr *e) { return e->kind() == Kind::List; }
};

enum class UnaryOp { Neg, Not };
struct UnaryExpr : Expr {
  UnaryExpr(SMRange range, UnaryOp op, ExprPtr operand)
      : Expr(Kind::Unary, range, operand->height() + 1), op(op), operand(std::move(operand)) {}
  UnaryOp op;
  ExprPtr operand;
  static bool classof(const Expr *e) { return e->kind() == Kind::Unary; }
};

enum class BinaryOp { Add, Sub, Mul, Div, Lt, Le, Gt, Ge, Eq, Ne, And, Or };
const char *binary_op_spelling(BinaryOp op);
inline bool is_comparison(BinaryOp op) { return op >= BinaryOp::Lt && op <= BinaryOp::Ne; }
inline bool is_logical(BinaryOp op) { return op == BinaryOp::And || op == BinaryOp::Or; }

struct BinaryExpr : Expr {
  BinaryExpr(SMRange range, BinaryOp op, SMRange op_range, ExprPtr lhs, ExprPtr rhs)
      : Expr(Kind::Binary, range, std::max(lhs->height(), rhs->height()) + 1), op(op),
        op_range(op_range), lhs(std::move(lhs)), rhs(std::move(rhs)) {}
  BinaryOp op;
  SMRange op_range;
  ExprPtr lhs, rhs;
  static bool classof(const Expr *e) { return e->kind() == Kind::Binary; }
};

struct KeywordArg {
  Ident name;
  ExprPtr value;
};

/// A call: a built-in (`matmul(a, b)`), a submodule (`self.query(x)`, or a bare name that
/// Sema resolves to a submodule), a module instantiation in a `param` declaration
/// (`Linear(4, 8)`), or `attend<variant>(q, k, v)`.
struct CallExpr : Expr {
  CallExpr(SMRange range, Ident callee, bool self_call, int height)
      : Expr(Kind::Call, range, height), callee(std::move(callee)), self_call(self_call) {}
  Ident callee;
  bool self_call;                    // written `self.callee(...)`
  std::optional<Ident> variant;      // `attend<variant>`
  std::vector<ExprPtr> variant_args; // `attend<variant(args)>` (parsed, not lowered yet)
  std::vector<ExprPtr> args;
  std::vector<KeywordArg> kwargs;
  // Submodule calls that choose their callee at compile time (StructureGen): an interpolated
  // name `self.attention_{i}(x)` (the source text is callee.name), and element indices
  // `self.layers[i](x)`, `self.blocks[i][j](x)`.
  std::vector<NamePart> callee_parts;
  std::vector<ExprPtr> element_indices;
  /// Set by Sema for a submodule call: the callee input each keyword argument names.
  std::vector<size_t> kwarg_positions;

  // Set by Sema.
  Builtin builtin = Builtin::None;
  const ModuleDecl *module = nullptr; // the module a submodule call or an instantiation runs
  const AttentionDecl *variant_decl = nullptr; // for attend
  unsigned num_results = 1;                    // values a submodule call returns
  static bool classof(const Expr *e) { return e->kind() == Kind::Call; }
};

/// One entry of `x[...]`: an index `i` (selects one position and drops the axis), a slice
/// `a:b`, `a:`, `:b` or `:` (keeps a range), or `...` (the axes not named by the others).
struct IndexEntry {
  enum class Kind { Index, Slice, Ellipsis };
  Kind kind = Kind::Index;
  SMRange range;
  ExprPtr start; // the index, or the slice's start; null for a slice from the beginning
  ExprPtr end;   // the slice's end; null for a slice to the end
};

/// `x[:, -1]`, `x[..., 1:3]`: postfix indexing of a tensor with compile-time ints.
struct IndexExpr : Expr {
  IndexExpr(SMRange range, ExprPtr base, std::vector<IndexEntry> entries, int height)
      : Expr(Kind::Index, range, height), base(std::move(base)), entries(std::move(entries)) {}
  ExprPtr base;
  std::vector<IndexEntry> entries;
  static bool classof(const Expr *e) { return e->kind() == Kind::Index; }
};

/// `a if cond else b`: `cond` is a compile-time bool; only the branch it picks is evaluated.
struct ConditionalExpr : Expr {
  ConditionalExpr(SMRange range, SMRange if_range, ExprPtr then_value, ExprPtr condition,
                  ExprPtr else_value)
      : Expr(Kind::Conditional, range,
             std::max({then_value->height(), condition->height(), else_value->height()}) + 1),
        if_range(if_range), then_value(std::move(then_value)), condition(std::move(condition)),
        else_value(std::move(else_value)) {}
  SMRange if_range;
  ExprPtr then_value, condition, else_value;
  static bool classof(const Expr *e) { return e->kind() == Kind::Conditional; }
};

//===----------------------------------------------------------------------===//
// Types and declarations
//===----------------------------------------------------------------------===//

/// `f32[B, S, embed_dim]`, `f32[..., in_features]`. Each dim is an integer expression over
/// hyperparameters or a symbol (a name bound to nothing else).
struct TensorType {
  DType dtype = DType::F32;
  /// More element types a module's input accepts (`f32 | bool[L, S]`: dtype f32, then bool).
  std::vector<DType> alternatives;
  SMRange range;
  bool leading_ellipsis = false;
  bool any_element = false; // the mask input of a variant member: bool or any number
  std::vector<ExprPtr> dims;

  /// Every element type the type accepts, `dtype` first.
  std::vector<DType> dtypes() const {
    std::vector<DType> all{dtype};
    all.insert(all.end(), alternatives.begin(), alternatives.end());
    return all;
  }
};

struct Hyperparameter {
  Ident name;
  ScalarType type = ScalarType::Int;
  SMRange type_range;
  ExprPtr default_value; // may be null
};

/// `for i in range(n)` or `for i in range(a, b)` (compile-time ints): the loop of a member
/// block, of a statement, of a module-list comprehension or of a parameter family.
struct RangeLoop {
  Ident var;
  ExprPtr start; // null for range(n)
  ExprPtr end;
  SMRange range; // from `for` to the closing ')'
};

struct ContainerDecl;

/// An element of a module list or of a Sequential: a module instance `Linear(4, 8)` or a nested
/// container.
struct ElementDecl {
  std::unique_ptr<CallExpr> instance;
  std::unique_ptr<ContainerDecl> container;
  SMRange range() const;
};

/// `[Block(d) for i in range(n)]` or `[A(1), B(2)]` (a module list, PyTorch's nn.ModuleList), or
/// `Sequential(Linear(4, 8), ReLU())`. Element k's weights are named `<param>.<k>.<weight>`.
struct ContainerDecl {
  enum class Kind { List, Sequential };
  Kind kind = Kind::List;
  SMRange range;
  std::vector<ElementDecl> elements;
  /// A comprehension: elements[0] once per value of the loop, which its arguments may use.
  std::optional<RangeLoop> loop;
};

/// `param name: f32[...]` (a tensor), `param name = Module(args)` (a submodule) or
/// `param name = [...]` / `Sequential(...)` (a container). An interpolated name
/// (`weight_l{k}`) keeps its pieces in `name_parts` and its source text in `name.name`.
struct ParamDecl {
  Ident name;
  std::vector<NamePart> name_parts; // empty for a plain name
  std::optional<TensorType> tensor;
  std::unique_ptr<CallExpr> instance;
  std::unique_ptr<ContainerDecl> container;
  bool is_submodule() const { return instance != nullptr || container != nullptr; }
};

/// Calls `fn` on every module instantiation a parameter holds: its instance, or each element
/// of its container, recursively.
void for_each_instance(const ParamDecl &param, const std::function<void(CallExpr &)> &fn);

struct MemberNode;

/// One branch of a member-level `if`: members declared when `condition` holds (null: `else`).
struct MemberBranch {
  ExprPtr condition;
  SMRange range; // the `if`, `else if` or `else` keyword(s)
  std::vector<MemberNode> body;
};

/// The members of a module as written: parameters, and the compile-time `if` and `for` blocks
/// around them. Parameters are owned by ModuleDecl::params (in source order); nodes refer to
/// them by index.
struct MemberNode {
  enum class Kind { Param, If, For, Assert };
  Kind kind = Kind::Param;
  SMRange range;
  size_t param = 0;                   // Param: index into ModuleDecl::params
  std::vector<MemberBranch> branches; // If
  std::optional<RangeLoop> loop;      // For
  bool family = false;          // For: written `param x_{k}: ... for k in range(n)` (one member)
  std::vector<MemberNode> body; // For
  ExprPtr condition;            // Assert: a compile-time bool over the hyperparameters
  std::string message;          // Assert: shown when the condition is false (may be empty)
};

/// `x: f32[B, S, 8]`, or an optional input `mask: bool[B, S] = false`: left out, it is a
/// tensor of the declared shape filled with the default (a compile-time number or bool).
struct ForwardArg {
  Ident name;
  TensorType type;
  ExprPtr default_value; // null for a required input
};

struct Stmt;

/// One branch of a statement-level `if` (null condition: `else`).
struct StmtBranch {
  ExprPtr condition;
  SMRange range; // the `if`, `else if` or `else` keyword(s)
  std::vector<Stmt> body;
};

struct Stmt {
  enum class Kind { Let, Return, If, For };
  Kind kind;
  SMRange range;
  std::vector<Ident> names;    // let a, b = ...
  std::vector<ExprPtr> values; // one for let; one or more for return
  // Compile-time control flow (unrolled): `if` with its branches, `for` with its loop and body.
  std::vector<StmtBranch> branches;
  std::optional<RangeLoop> loop;
  std::vector<Stmt> body;
};

/// One entry of a scan's header: a sequence `x in xs` (the body sees one row of `xs` per
/// step), a carry `h = h0` (state passed from step to step, starting as `h0`), the position
/// `t` (a bare name: the step's index along the sequences), or the option `reverse = cond`.
struct ScanItem {
  enum class Kind { Sequence, Carry, Position, Reverse };
  Kind kind = Kind::Sequence;
  Ident name;
  ExprPtr value; // null for the position
};

/// `scan (x in xs, h = h0) { ...; return h2, y }`: a loop over the leading axis of its
/// sequences, written as the value of a `let`. The body's `return` gives the carries' next
/// values (in the order of the header), then the step's outputs; the scan's results are the
/// carries' last values, then each output stacked along a new leading axis.
struct ScanExpr : Expr {
  ScanExpr(SMRange range, SMRange keyword_range)
      : Expr(Kind::Scan, range), keyword_range(keyword_range) {}
  SMRange keyword_range;
  std::vector<ScanItem> items;
  std::vector<Stmt> body;
  SMRange close_brace;
  bool body_has_errors = false; // set by the parser: a statement failed to parse

  unsigned num_results = 0; // set by Sema: the values the body returns
  unsigned carry_count() const;
  static bool classof(const Expr *e) { return e->kind() == Kind::Scan; }
};

struct ForwardDecl {
  SMRange keyword_range;
  std::vector<ForwardArg> args;
  bool has_result_types = false;
  std::vector<TensorType> results;
  std::vector<Stmt> body;
  SMRange close_brace;
  bool body_has_errors = false; // set by the parser: a statement failed to parse
};

struct ModuleDecl {
  Ident name;
  std::vector<Hyperparameter> hyperparameters;
  std::vector<ParamDecl> params;   // every parameter, in source order (also those in blocks)
  std::vector<MemberNode> members; // the parameters as nested in `if` and `for` blocks
  std::unique_ptr<ForwardDecl> forward;
  const SourceFile *file = nullptr;
  /// Set when the module stands for an attention variant with learned parameters (made by the
  /// parser): its hyperparameters and parameters are the variant's, and its forward is
  /// `attend<variant(hyperparameters)>(query, key, value)`.
  const AttentionDecl *attention = nullptr;

  const Hyperparameter *find_hyperparameter(llvm::StringRef name) const;
  const ParamDecl *find_param(llvm::StringRef name) const;
};

/// `score(q, k, [b, h, i, j]) = expr` or `mask(i, j) = expr`.
struct RegionDecl {
  SMRange keyword_range;
  std::vector<Ident> params;
  ExprPtr body;
};

/// `let p(q, k) = len(k) * sigmoid(dot(v_p, tanh(matmul(W_p, q))))` in an attention variant: a
/// number per query row, named for its score, mask and value.
struct LetDecl {
  SMRange keyword_range;
  Ident name;
  std::vector<Ident> params; // the query's name, then optionally the key's
  ExprPtr body;
};

/// `normalize = softmax`, `normalize = argmax` or `normalize = topk(k)`: how a row's scores
/// become weights.
struct NormalizeDecl {
  SMRange keyword_range;
  Ident kind;    // softmax, argmax or topk
  ExprPtr count; // topk's k (an int over the variant's hyperparameters); null otherwise
};

struct AttentionDecl {
  Ident name;
  std::vector<Hyperparameter> hyperparameters;
  std::optional<Ident> parent;
  std::optional<RegionDecl> score;
  std::optional<RegionDecl> mask;
  /// `value(v, i, j) = v + a[j - i]`: what key j gives to query i in place of its value row.
  std::optional<RegionDecl> value;
  std::vector<LetDecl> lets;
  std::optional<NormalizeDecl> normalize;
  const SourceFile *file = nullptr;
  const AttentionDecl *parent_decl = nullptr; // set by Sema
  /// A variant that declares parameters (`param W: f32[u, d]`) is used through a module of the
  /// same name, which holds them (owned by the file's modules): `param a = additive(...)`, then
  /// `self.a(q, k, v)`. Null for a variant without parameters.
  ModuleDecl *module = nullptr;
  bool has_params() const { return module != nullptr; }
};

struct ImportDecl {
  std::string path; // as written
  SMRange range;
};

struct SourceFile {
  std::string path; // the SourceMgr buffer identifier
  unsigned buffer_id = 0;
  bool library = false; // imported by a bare name from the standard library directory
  std::vector<ImportDecl> imports;
  std::vector<std::unique_ptr<AttentionDecl>> attentions;
  std::vector<std::unique_ptr<ModuleDecl>> modules;
};

/// Every file of one compilation: the root file first, then its imports (each loaded once).
/// Definitions live in two namespaces: the standard library's and the user's (every other file).
/// A name is looked up in the namespace of the file that uses it first, then in the other, so a
/// user's definition shadows a library one of the same name everywhere outside the library,
/// while the library keeps using its own.
class Program {
public:
  explicit Program(llvm::SourceMgr &source_mgr) : source_mgr_(&source_mgr) {}

  std::vector<std::unique_ptr<SourceFile>> files;

  const SourceFile &root() const { return *files.front(); }
  llvm::SourceMgr &source_mgr() const { return *source_mgr_; }

  /// The module or attention variant `name` means in file `from` (null: a user's file, as for
  /// --model); null when it means nothing or the other kind of definition.
  const ModuleDecl *find_module(llvm::StringRef name, const SourceFile *from = nullptr) const;
  const AttentionDecl *find_attention(llvm::StringRef name, const SourceFile *from = nullptr) const;
  /// Names of every module and attention variant (for suggestions).
  std::vector<std::string> definition_names() const;

  /// A file's models: the modules it defines that no other module of that file instantiates.
  std::vector<const ModuleDecl *> models(const SourceFile &file) const;
  std::vector<const ModuleDecl *> models() const { return models(root()); }

  /// Registers a definition (done by Sema); returns the name of an earlier definition of the
  /// same name in the same namespace, if any, in which case nothing is registered.
  const Ident *register_module(const ModuleDecl *decl);
  const Ident *register_attention(const AttentionDecl *decl);

private:
  /// The definitions of one namespace.
  struct Names {
    llvm::StringMap<const ModuleDecl *> modules;
    llvm::StringMap<const AttentionDecl *> attentions;
    const Ident *find(llvm::StringRef name) const;
  };
  /// The namespaces in the order a file looks names up: its own first.
  std::pair<const Names *, const Names *> scopes(const SourceFile *from) const;
  Names &names_of(const SourceFile *file) { return file && file->library ? library_ : user_; }

  llvm::SourceMgr *source_mgr_;
  Names user_;
  Names library_;
};

} // namespace attn::dsl
