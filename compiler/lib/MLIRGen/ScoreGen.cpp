// The regions of attn.attention. The score region's block arguments are (s: f32, b, h, i, j:
// index); it computes the variant's score from s = dot(q, k) with arith and math ops and
// yields it, `super` expanding to the parent variant's score and dim(q) to attn.score_dim.
// The mask region takes (b, h, i, j: index) and yields an i1, computed on index values; it is
// left empty when no variant of the chain has a mask. A variant's parameters
// (`attend<window(4)>`) are compile-time values: each use becomes a constant.
#include "MLIRGenImpl.h"

#include "attn/dsl/Sema.h"

#include "mlir/Dialect/StandardOps/IR/Ops.h"

#include "llvm/ADT/STLExtras.h"

namespace attn::mlirgen {

namespace arith = ::mlir::arith;
namespace math = ::mlir::math;
using dsl::BinaryOp;
using dsl::Builtin;

namespace {

/// Position of an index name among the block arguments b, h, i, j.
unsigned index_position(llvm::StringRef name) {
  for (unsigned p = 0; p < 4; ++p)
    if (name == dsl::kIndexNames[p])
      return p;
  return 0;
}

class ScoreBuilder {
public:
  ScoreBuilder(Generator &gen, mlir::Value s, mlir::ValueRange indices,
               const dsl::HyperparameterValues &values, const ScoreReads *reads = nullptr,
               mlir::ValueRange elements = {})
      : gen_(gen), b_(gen.builder_), s_(s), indices_(indices.begin(), indices.end()),
        values_(values), reads_(reads), elements_(elements.begin(), elements.end()) {}

  /// The score of `variant` as an f32 value.
  mlir::Value score_of(const dsl::AttentionDecl *variant) {
    const dsl::AttentionDecl *owner = defining(variant, &dsl::AttentionDecl::score);
    if (!owner)
      return s_; // the plain dot product
    const dsl::AttentionDecl *saved = owner_;
    owner_ = owner;
    mlir::Value v = scalar(*owner->score->body);
    owner_ = saved;
    return v;
  }

  /// A score sub-expression as f32.
  mlir::Value scalar(const dsl::Expr &e) {
    mlir::Location at = gen_.loc(e.range());
    mlir::Type f32 = b_.getF32Type();
    // In a mask, integer arithmetic keeps its meaning (`/` rounds down) before it meets a
    // let's float.
    if (in_mask_ && e.type == dsl::ExprType::Int)
      return to_f32(mask(e), at);
    switch (e.kind()) {
    case dsl::Expr::Kind::Number: {
      const auto &n = llvm::cast<dsl::NumberExpr>(e);
      return constant(n.is_int ? double(n.int_value) : n.float_value, at);
    }
    case dsl::Expr::Kind::Name: {
      const auto &name = llvm::cast<dsl::NameExpr>(e);
      if (const dsl::ConstValue *value = parameter(name))
        return constant(value->as_double(), at);
      if (name.binding == dsl::Binding::ScoreValue)
        return value_;
      if (name.binding == dsl::Binding::AttentionLet)
        return let(name);
      mlir::Value index = indices_[index_position(name.name)];
      auto i64 = b_.create<arith::IndexCastOp>(at, b_.getI64Type(), index);
      return b_.create<arith::SIToFPOp>(at, f32, i64);
    }
    case dsl::Expr::Kind::Super:
      return score_of(owner_->parent_decl);
    case dsl::Expr::Kind::Unary:
      return b_.create<arith::NegFOp>(at, scalar(*llvm::cast<dsl::UnaryExpr>(e).operand));
    case dsl::Expr::Kind::Binary: {
      const auto &bin = llvm::cast<dsl::BinaryExpr>(e);
      mlir::Value l = scalar(*bin.lhs), r = scalar(*bin.rhs);
      return scalar_arith(b_, bin.op, l, r, gen_.loc(bin.op_range));
    }
    case dsl::Expr::Kind::Call:
      return call(llvm::cast<dsl::CallExpr>(e), at);
    case dsl::Expr::Kind::Index:
      return read(llvm::cast<dsl::IndexExpr>(e), at);
    case dsl::Expr::Kind::Conditional: {
      const auto &c = llvm::cast<dsl::ConditionalExpr>(e);
      mlir::Value holds = mask(*c.condition);
      mlir::Value a = scalar(*c.then_value), b = scalar(*c.else_value);
      return b_.create<mlir::SelectOp>(gen_.loc(c.if_range), holds, a, b);
    }
    default:
      return constant(0, at); // Sema admits nothing else in a score
    }
  }

  /// The variant whose clause is being built (the one whose lets its names mean).
  void set_owner(const dsl::AttentionDecl *owner) { owner_ = owner; }

  /// In a value clause: the value's element `v` and its index `e` among the row's elements.
  void set_value(mlir::Value v, mlir::Value element) {
    value_ = v;
    element_ = element;
  }

  /// A mask sub-expression (or a condition in a score): an index value, an i1 for conditions,
  /// or an f32 for what a let makes a float. Integer arithmetic inside keeps its meaning (`/`
  /// rounds down) also where it meets a let's float.
  mlir::Value mask(const dsl::Expr &e) {
    bool saved = in_mask_;
    in_mask_ = true;
    mlir::Value value = mask_value(e);
    in_mask_ = saved;
    return value;
  }

private:
  mlir::Value mask_value(const dsl::Expr &e) {
    mlir::Location at = gen_.loc(e.range());
    if (e.type == dsl::ExprType::Float)
      return scalar(e);
    switch (e.kind()) {
    case dsl::Expr::Kind::Number:
      return b_.create<arith::ConstantIndexOp>(at, llvm::cast<dsl::NumberExpr>(e).int_value);
    case dsl::Expr::Kind::Bool:
      return b_.create<arith::ConstantIntOp>(at, llvm::cast<dsl::BoolExpr>(e).value, 1);
    case dsl::Expr::Kind::Name: {
      const auto &name = llvm::cast<dsl::NameExpr>(e);
      if (const dsl::ConstValue *value = parameter(name)) {
        if (value->type == dsl::ScalarType::Bool)
          return b_.create<arith::ConstantIntOp>(at, value->bool_value, 1);
        return b_.create<arith::ConstantIndexOp>(at, value->int_value); // Sema: an int
      }
      return indices_[index_position(name.name)];
    }
    case dsl::Expr::Kind::Unary: {
      const auto &u = llvm::cast<dsl::UnaryExpr>(e);
      mlir::Value x = mask(*u.operand);
      if (u.op == dsl::UnaryOp::Not)
        return b_.create<arith::XOrIOp>(at, x, b_.create<arith::ConstantIntOp>(at, 1, 1));
      return b_.create<arith::SubIOp>(at, b_.create<arith::ConstantIndexOp>(at, 0), x);
    }
    case dsl::Expr::Kind::Binary:
      return mask_binary(llvm::cast<dsl::BinaryExpr>(e));
    case dsl::Expr::Kind::Call: {
      const auto &c = llvm::cast<dsl::CallExpr>(e);
      mlir::Value x = mask(*c.args[0]);
      switch (c.builtin) {
      case Builtin::Max: {
        mlir::Value y = mask(*c.args[1]);
        return b_.create<arith::MaxSIOp>(at, x, y);
      }
      case Builtin::Min: {
        mlir::Value y = mask(*c.args[1]);
        return b_.create<arith::MinSIOp>(at, x, y);
      }
      case Builtin::Relu:
        return b_.create<arith::MaxSIOp>(at, x, b_.create<arith::ConstantIndexOp>(at, 0));
      default: { // abs
        mlir::Value neg = b_.create<arith::SubIOp>(at, b_.create<arith::ConstantIndexOp>(at, 0), x);
        return b_.create<arith::MaxSIOp>(at, x, neg);
      }
      }
    }
    case dsl::Expr::Kind::Conditional: {
      const auto &c = llvm::cast<dsl::ConditionalExpr>(e);
      mlir::Value holds = mask(*c.condition);
      mlir::Value a = mask(*c.then_value), b = mask(*c.else_value);
      return b_.create<mlir::SelectOp>(gen_.loc(c.if_range), holds, a, b);
    }
    default:
      return b_.create<arith::ConstantIntOp>(at, 1, 1);
    }
  }

  /// The value of a variant parameter; null for an index. Only the called variant has
  /// parameters (Sema refuses to extend one that does).
  const dsl::ConstValue *parameter(const dsl::NameExpr &name) const {
    if (name.binding != dsl::Binding::Hyperparameter)
      return nullptr;
    return values_.find(name.name);
  }

  /// A parameter's element: b[j] is the extra holding b's elements at the key positions;
  /// another index reads the parameter's table with attn.lookup.
  mlir::Value read(const dsl::IndexExpr &e, mlir::Location at) {
    if (!reads_)
      return constant(0, at);
    for (size_t r = 0; r < reads_->rows.size(); ++r)
      if (reads_->rows[r] == &e)
        return elements_[r];
    // The value clause's tables follow the score's.
    std::vector<const dsl::IndexExpr *> tables = reads_->tables;
    tables.insert(tables.end(), reads_->value_tables.begin(), reads_->value_tables.end());
    for (size_t t = 0; t < tables.size(); ++t) {
      if (tables[t] != &e)
        continue;
      std::vector<mlir::Value> indices;
      for (const dsl::IndexEntry &entry : e.entries)
        indices.push_back(mask(*entry.start));
      if (e.type == dsl::ExprType::Tensor) // a row in a value clause, read at each element
        indices.push_back(element_);
      return lookup(t, indices, at);
    }
    return constant(0, at);
  }

  /// A let's value: its extra, after the rows and dots of one side.
  mlir::Value let(const dsl::NameExpr &name) {
    const dsl::LetDecl *decl = dsl::find_let(owner_, name.name);
    if (reads_)
      for (size_t l = 0; l < reads_->lets.size(); ++l)
        if (reads_->lets[l] == decl)
          return elements_[reads_->rows.size() + reads_->dots.size() + l];
    gen_.report(name.range(), "internal error: the let '" + name.name + "' was not computed");
    return constant(0, gen_.loc(name.range()));
  }

  mlir::Value to_f32(mlir::Value index, mlir::Location at) {
    auto i64 = b_.create<arith::IndexCastOp>(at, b_.getI64Type(), index);
    return b_.create<arith::SIToFPOp>(at, b_.getF32Type(), i64);
  }

  /// A comparison of which a side is a float (a let, or arithmetic with one), in f32.
  mlir::Value float_comparison(const dsl::BinaryExpr &bin, mlir::Location at) {
    mlir::Value l = scalar(*bin.lhs), r = scalar(*bin.rhs);
    auto cmp = [&](arith::CmpFPredicate p) { return b_.create<arith::CmpFOp>(at, p, l, r); };
    switch (bin.op) {
    case BinaryOp::Lt:
      return cmp(arith::CmpFPredicate::OLT);
    case BinaryOp::Le:
      return cmp(arith::CmpFPredicate::OLE);
    case BinaryOp::Gt:
      return cmp(arith::CmpFPredicate::OGT);
    case BinaryOp::Ge:
      return cmp(arith::CmpFPredicate::OGE);
    case BinaryOp::Eq:
      return cmp(arith::CmpFPredicate::OEQ);
    case BinaryOp::Ne:
      return cmp(arith::CmpFPredicate::UNE);
    default: // arithmetic: typed Float, made by scalar() through mask()
      return scalar_arith(b_, bin.op, l, r, at);
    }
  }

  mlir::Value lookup(size_t table, const std::vector<mlir::Value> &indices, mlir::Location at) {
    return b_.create<ir::LookupOp>(at, b_.getF32Type(),
                                   b_.getI64IntegerAttr(static_cast<int64_t>(table)), indices);
  }

  /// A dot with a row at a relative position: its table (the query rows against the rows)
  /// at the query row and the row's index, plus the dot product when the key is added too.
  mlir::Value relative_dot(const dsl::CallExpr &dot, size_t r, mlir::Location at) {
    const dsl::Expr *rest = nullptr;
    const dsl::IndexExpr *row = relative_row_of(dot, nullptr, &rest);
    std::vector<mlir::Value> indices;
    for (int a = 0; a < reads_->relative_leading[r] && a < 2; ++a)
      indices.push_back(indices_[static_cast<size_t>(a)]); // b, then h
    indices.push_back(indices_[2]);                        // i
    indices.push_back(mask(*row->entries[0].start));
    size_t table = reads_->tables.size() + reads_->value_tables.size() + r;
    mlir::Value term = lookup(table, indices, at);
    return rest ? b_.create<arith::AddFOp>(at, s_, term).getResult() : term;
  }

  mlir::Value constant(double v, mlir::Location at) {
    return b_.create<arith::ConstantFloatOp>(at, llvm::APFloat(float(v)), b_.getF32Type());
  }

  mlir::Value call(const dsl::CallExpr &c, mlir::Location at) {
    switch (c.builtin) {
    case Builtin::Dot:
      if (reads_) {
        for (size_t d = 0; d < reads_->dots.size(); ++d)
          if (reads_->dots[d] == &c)
            return elements_[reads_->rows.size() + d];
        for (size_t r = 0; r < reads_->relative.size(); ++r)
          if (reads_->relative[r] == &c)
            return relative_dot(c, r, at);
      }
      return s_;
    case Builtin::Dim:
      if (reads_ && !reads_->pair_dot)
        gen_.report(c.range(), "dim(...) is the length of the vectors that a dot of the query "
                               "and the key multiplies, and this score has none");
      return b_.create<ir::ScoreDimOp>(at, b_.getF32Type());
    default:
      break;
    }
    mlir::Value x = scalar(*c.args[0]);
    switch (c.builtin) {
    case Builtin::Max: {
      mlir::Value y = scalar(*c.args[1]);
      return b_.create<arith::MaxFOp>(at, x, y);
    }
    case Builtin::Min: {
      mlir::Value y = scalar(*c.args[1]);
      return b_.create<arith::MinFOp>(at, x, y);
    }
    case Builtin::LeakyRelu: {
      // x where x > 0, else slope * x (PyTorch's default slope 0.01).
      const dsl::Expr *slope_arg = builtin_argument(c, 1);
      mlir::Value slope = slope_arg ? scalar(*slope_arg) : constant(0.01, at);
      mlir::Value positive =
          b_.create<arith::CmpFOp>(at, arith::CmpFPredicate::OGT, x, constant(0, at));
      return b_.create<mlir::SelectOp>(at, positive, x, b_.create<arith::MulFOp>(at, slope, x));
    }
    default:
      return scalar_math(b_, c.builtin, x, at);
    }
  }

  mlir::Value mask_binary(const dsl::BinaryExpr &bin) {
    mlir::Location at = gen_.loc(bin.op_range);
    if (bin.lhs->type == dsl::ExprType::Float || bin.rhs->type == dsl::ExprType::Float)
      return float_comparison(bin, at); // a comparison with a let
    mlir::Value l = mask(*bin.lhs), r = mask(*bin.rhs);
    auto cmp = [&](arith::CmpIPredicate p) { return b_.create<arith::CmpIOp>(at, p, l, r); };
    switch (bin.op) {
    case BinaryOp::Add:
      return b_.create<arith::AddIOp>(at, l, r);
    case BinaryOp::Sub:
      return b_.create<arith::SubIOp>(at, l, r);
    case BinaryOp::Mul:
      return b_.create<arith::MulIOp>(at, l, r);
    case BinaryOp::Div:
      return b_.create<arith::FloorDivSIOp>(at, l, r);
    case BinaryOp::Lt:
      return cmp(arith::CmpIPredicate::slt);
    case BinaryOp::Le:
      return cmp(arith::CmpIPredicate::sle);
    case BinaryOp::Gt:
      return cmp(arith::CmpIPredicate::sgt);
    case BinaryOp::Ge:
      return cmp(arith::CmpIPredicate::sge);
    case BinaryOp::Eq:
      return cmp(arith::CmpIPredicate::eq);
    case BinaryOp::Ne:
      return cmp(arith::CmpIPredicate::ne);
    case BinaryOp::And:
      return b_.create<arith::AndIOp>(at, l, r);
    case BinaryOp::Or:
      return b_.create<arith::OrIOp>(at, l, r);
    }
    return l;
  }

  Generator &gen_;
  mlir::OpBuilder &b_;
  mlir::Value s_;
  std::vector<mlir::Value> indices_;
  const dsl::HyperparameterValues &values_;
  const ScoreReads *reads_;
  std::vector<mlir::Value> elements_;
  const dsl::AttentionDecl *owner_ = nullptr;
  mlir::Value value_, element_;

public:
  bool in_mask_ = false; // in a mask or condition: integers stay integers until they meet a float
};

} // namespace

mlir::Value scalar_math(mlir::OpBuilder &b, Builtin fn, mlir::Value x, mlir::Location at) {
  auto constant = [&](float v) {
    return b.create<arith::ConstantFloatOp>(at, llvm::APFloat(v), b.getF32Type());
  };
  switch (fn) {
  case Builtin::Exp:
    return b.create<math::ExpOp>(at, x);
  case Builtin::Log:
    return b.create<math::LogOp>(at, x);
  case Builtin::Sqrt:
    return b.create<math::SqrtOp>(at, x);
  case Builtin::Tanh:
    return b.create<math::TanhOp>(at, x);
  case Builtin::Abs:
    return b.create<math::AbsOp>(at, x);
  case Builtin::Relu:
    return b.create<arith::MaxFOp>(at, x, constant(0));
  case Builtin::Sigmoid: {
    mlir::Value one = constant(1);
    mlir::Value e = b.create<math::ExpOp>(at, b.create<arith::NegFOp>(at, x));
    return b.create<arith::DivFOp>(at, one, b.create<arith::AddFOp>(at, one, e));
  }
  default:
    return x; // Sema admits nothing else
  }
}

mlir::Value scalar_arith(mlir::OpBuilder &b, BinaryOp op, mlir::Value l, mlir::Value r,
                         mlir::Location at) {
  switch (op) {
  case BinaryOp::Add:
    return b.create<arith::AddFOp>(at, l, r);
  case BinaryOp::Sub:
    return b.create<arith::SubFOp>(at, l, r);
  case BinaryOp::Mul:
    return b.create<arith::MulFOp>(at, l, r);
  default:
    return b.create<arith::DivFOp>(at, l, r);
  }
}

void Generator::build_score(ir::AttentionOp op, const dsl::AttentionDecl &variant,
                            const dsl::HyperparameterValues &values, const ScoreReads &reads) {
  mlir::Location at = op.getLoc();
  mlir::Type index = builder_.getIndexType(), f32 = builder_.getF32Type();
  std::vector<mlir::Type> types = {f32, index, index, index, index};
  types.insert(types.end(), op.score_extras().size(), f32);
  std::vector<mlir::Location> locs(types.size(), at);
  mlir::Block *block = builder_.createBlock(&op.score(), {}, types, locs);
  ScoreBuilder score(*this, block->getArgument(0), block->getArguments().slice(1, 4), values,
                     &reads, block->getArguments().drop_front(5));
  mlir::Value value = score.score_of(&variant);
  builder_.create<ir::YieldOp>(at, value);
}

void Generator::build_mask(ir::AttentionOp op, const dsl::AttentionDecl &variant,
                           const dsl::HyperparameterValues &values, const ScoreReads &reads,
                           std::optional<unsigned> input_mask) {
  const dsl::AttentionDecl *owner = defining(&variant, &dsl::AttentionDecl::mask);
  if (!owner && !input_mask)
    return;
  mlir::Location at = op.getLoc();
  mlir::Type index = builder_.getIndexType(), f32 = builder_.getF32Type();
  std::vector<mlir::Type> types(4, index);
  // With the call's mask or a let, the region takes the score extras as the score region does.
  bool extras = input_mask || !reads.lets.empty();
  if (extras)
    types.insert(types.end(), op.score_extras().size(), f32);
  std::vector<mlir::Location> locs(types.size(), at);
  mlir::Block *block = builder_.createBlock(&op.mask(), {}, types, locs);
  ScoreBuilder mask(*this, mlir::Value(), block->getArguments().take_front(4), values,
                    extras ? &reads : nullptr, block->getArguments().drop_front(4));
  mask.in_mask_ = true;
  mask.set_owner(owner);
  mlir::Value value;
  if (owner)
    value = mask.mask(*owner->mask->body);
  if (input_mask) {
    mlir::Value zero = builder_.create<mlir::arith::ConstantFloatOp>(at, llvm::APFloat(0.0f),
                                                                     f32.cast<mlir::FloatType>());
    mlir::Value kept = builder_.create<mlir::arith::CmpFOp>(
        at, mlir::arith::CmpFPredicate::UNE, block->getArgument(4 + *input_mask), zero);
    value = value ? builder_.create<mlir::arith::AndIOp>(at, value, kept).getResult() : kept;
  }
  builder_.create<ir::YieldOp>(at, value);
}

void Generator::build_value(ir::AttentionOp op, const dsl::AttentionDecl &variant,
                            const dsl::HyperparameterValues &values, const ScoreReads &reads) {
  const dsl::AttentionDecl *owner = defining(&variant, &dsl::AttentionDecl::value);
  if (!owner)
    return;
  mlir::Location at = op.getLoc();
  mlir::Type index = builder_.getIndexType(), f32 = builder_.getF32Type();
  std::vector<mlir::Type> types = {f32, index, index, index, index, index};
  types.insert(types.end(), op.score_extras().size(), f32);
  std::vector<mlir::Location> locs(types.size(), at);
  mlir::Block *block = builder_.createBlock(&op.contribution().front(), {}, types, locs);
  ScoreBuilder value(*this, mlir::Value(), block->getArguments().slice(1, 4), values, &reads,
                     block->getArguments().drop_front(6));
  value.set_value(block->getArgument(0), block->getArgument(5));
  value.set_owner(owner);
  builder_.create<ir::YieldOp>(at, value.scalar(*owner->value->body));
}

} // namespace attn::mlirgen
