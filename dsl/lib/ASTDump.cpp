// `attnc emit --ast`: the tree of every file, one node per line, each with `@line:col`.
// Types and hyperparameter expressions are printed inline in source form.
#include "attn/dsl/ConstEval.h"
#include "attn/dsl/Frontend.h"

#include "llvm/Support/SourceMgr.h"

namespace attn::dsl {

namespace {

class Dumper {
public:
  Dumper(const Program &program, llvm::raw_ostream &os) : program_(program), os_(os) {}

  void dump_file(const SourceFile &file);

private:
  llvm::raw_ostream &line(int indent) { return os_.indent(2 * indent); }
  std::string at(SMRange range) const;
  std::string inline_expr(const Expr &expr) const;
  std::string inline_type(const TensorType &type) const;
  std::string inline_loop(const RangeLoop &loop) const;
  std::string inline_container(const ContainerDecl &container) const;
  void expr(const Expr &expr, int indent);
  void stmt(const Stmt &stmt, int indent);
  void members(const ModuleDecl &module, const std::vector<MemberNode> &nodes, int indent);
  void hyperparameters(const std::vector<Hyperparameter> &list);

  const Program &program_;
  llvm::raw_ostream &os_;
};

std::string Dumper::at(SMRange range) const {
  if (!range.Start.isValid())
    return "";
  auto [line, col] = program_.source_mgr().getLineAndColumn(range.Start);
  return " @" + std::to_string(line) + ":" + std::to_string(col);
}

std::string Dumper::inline_expr(const Expr &e) const {
  switch (e.kind()) {
  case Expr::Kind::Error:
    return "<error>";
  case Expr::Kind::Number: {
    const auto &n = llvm::cast<NumberExpr>(e);
    if (n.is_int)
      return std::to_string(n.int_value);
    return ConstValue::of_float(n.float_value).str();
  }
  case Expr::Kind::String:
    return "\"" + llvm::cast<StringExpr>(e).value + "\"";
  case Expr::Kind::Bool:
    return llvm::cast<BoolExpr>(e).value ? "true" : "false";
  case Expr::Kind::Name:
    return llvm::cast<NameExpr>(e).name;
  case Expr::Kind::SelfMember:
    return "self." + llvm::cast<SelfMemberExpr>(e).member.name;
  case Expr::Kind::Super:
    return "super";
  case Expr::Kind::List: {
    std::string s = "[";
    for (const ExprPtr &x : llvm::cast<ListExpr>(e).elements)
      s += (s.size() > 1 ? ", " : "") + inline_expr(*x);
    return s + "]";
  }
  case Expr::Kind::Unary: {
    const auto &u = llvm::cast<UnaryExpr>(e);
    return (u.op == UnaryOp::Neg ? "-" : "not ") + inline_expr(*u.operand);
  }
  case Expr::Kind::Binary: {
    const auto &b = llvm::cast<BinaryExpr>(e);
    return "(" + inline_expr(*b.lhs) + " " + binary_op_spelling(b.op) + " " + inline_expr(*b.rhs) +
           ")";
  }
  case Expr::Kind::Call: {
    const auto &c = llvm::cast<CallExpr>(e);
    std::string s = (c.self_call ? "self." : "") + c.callee.name;
    for (const ExprPtr &index : c.element_indices)
      s += "[" + inline_expr(*index) + "]";
    if (c.variant)
      s += "<" + c.variant->name + ">";
    s += "(";
    bool first = true;
    for (const ExprPtr &a : c.args) {
      s += (first ? "" : ", ") + inline_expr(*a);
      first = false;
    }
    for (const KeywordArg &k : c.kwargs) {
      s += (first ? "" : ", ") + k.name.name + "=" + inline_expr(*k.value);
      first = false;
    }
    return s + ")";
  }
  case Expr::Kind::Index: {
    const auto &x = llvm::cast<IndexExpr>(e);
    std::string s = inline_expr(*x.base) + "[";
    for (size_t i = 0; i < x.entries.size(); ++i) {
      const IndexEntry &entry = x.entries[i];
      s += i ? ", " : "";
      if (entry.kind == IndexEntry::Kind::Ellipsis)
        s += "...";
      if (entry.start)
        s += inline_expr(*entry.start);
      if (entry.kind == IndexEntry::Kind::Slice)
        s += ":" + (entry.end ? inline_expr(*entry.end) : std::string());
    }
    return s + "]";
  }
  case Expr::Kind::Scan:
    return "scan(...) {...}";
  case Expr::Kind::Conditional: {
    const auto &c = llvm::cast<ConditionalExpr>(e);
    return "(" + inline_expr(*c.then_value) + " if " + inline_expr(*c.condition) + " else " +
           inline_expr(*c.else_value) + ")";
  }
  }
  return "?";
}

std::string Dumper::inline_type(const TensorType &type) const {
  std::string s = dtype_name(type.dtype);
  for (DType other : type.alternatives)
    s += std::string(" | ") + dtype_name(other);
  s += "[";
  bool first = true;
  if (type.leading_ellipsis) {
    s += "...";
    first = false;
  }
  for (const ExprPtr &d : type.dims) {
    s += (first ? "" : ", ") + inline_expr(*d);
    first = false;
  }
  return s + "]";
}

void Dumper::expr(const Expr &e, int indent) {
  auto &os = line(indent);
  switch (e.kind()) {
  case Expr::Kind::Unary: {
    const auto &u = llvm::cast<UnaryExpr>(e);
    os << "Unary " << (u.op == UnaryOp::Neg ? "-" : "not") << at(e.range()) << "\n";
    expr(*u.operand, indent + 1);
    return;
  }
  case Expr::Kind::Binary: {
    const auto &b = llvm::cast<BinaryExpr>(e);
    os << "Binary " << binary_op_spelling(b.op) << at(b.op_range) << "\n";
    expr(*b.lhs, indent + 1);
    expr(*b.rhs, indent + 1);
    return;
  }
  case Expr::Kind::Call: {
    const auto &c = llvm::cast<CallExpr>(e);
    os << "Call " << (c.self_call ? "self." : "") << c.callee.name;
    for (const ExprPtr &index : c.element_indices)
      os << "[" << inline_expr(*index) << "]";
    if (c.variant)
      os << "<" << c.variant->name << ">";
    os << at(e.range()) << "\n";
    for (const ExprPtr &a : c.args)
      expr(*a, indent + 1);
    for (const KeywordArg &k : c.kwargs) {
      line(indent + 1) << "Keyword " << k.name.name << at(k.name.range) << "\n";
      expr(*k.value, indent + 2);
    }
    return;
  }
  case Expr::Kind::Index:
    os << "Index ";
    break;
  case Expr::Kind::Scan: {
    const auto &scan = llvm::cast<ScanExpr>(e);
    os << "Scan" << at(scan.keyword_range) << "\n";
    for (const ScanItem &item : scan.items) {
      static const char *const kinds[] = {"Sequence", "Carry", "Position", "Reverse"};
      line(indent + 1) << kinds[static_cast<int>(item.kind)] << " " << item.name.name
                       << at(item.name.range) << "\n";
      if (item.value)
        expr(*item.value, indent + 2);
    }
    for (const Stmt &inner : scan.body)
      stmt(inner, indent + 1);
    return;
  }
  case Expr::Kind::Conditional: {
    const auto &c = llvm::cast<ConditionalExpr>(e);
    os << "Conditional" << at(c.if_range) << "\n";
    expr(*c.then_value, indent + 1);
    expr(*c.condition, indent + 1);
    expr(*c.else_value, indent + 1);
    return;
  }
  case Expr::Kind::List: {
    os << "List" << at(e.range()) << "\n";
    for (const ExprPtr &x : llvm::cast<ListExpr>(e).elements)
      expr(*x, indent + 1);
    return;
  }
  case Expr::Kind::Number:
    os << "Number ";
    break;
  case Expr::Kind::String:
    os << "String ";
    break;
  case Expr::Kind::Bool:
    os << "Bool ";
    break;
  case Expr::Kind::Name:
    os << "Name ";
    break;
  case Expr::Kind::SelfMember:
    os << "Member ";
    break;
  case Expr::Kind::Super:
    os << "Super ";
    break;
  case Expr::Kind::Error:
    os << "Error ";
    break;
  }
  os << inline_expr(e) << at(e.range()) << "\n";
}

void Dumper::hyperparameters(const std::vector<Hyperparameter> &list) {
  if (list.empty())
    return;
  os_ << "(";
  for (size_t i = 0; i < list.size(); ++i) {
    const Hyperparameter &h = list[i];
    os_ << (i ? ", " : "") << h.name.name << ": " << scalar_type_name(h.type);
    if (h.default_value)
      os_ << " = " << inline_expr(*h.default_value);
  }
  os_ << ")";
}

void Dumper::dump_file(const SourceFile &file) {
  os_ << "File " << file.path << "\n";
  for (const ImportDecl &import : file.imports)
    line(1) << "Import \"" << import.path << "\"" << at(import.range) << "\n";
  for (const auto &a : file.attentions) {
    line(1) << "Attention " << a->name.name;
    hyperparameters(a->hyperparameters);
    if (a->parent)
      os_ << " : " << a->parent->name;
    os_ << at(a->name.range) << "\n";
    if (a->module)
      members(*a->module, a->module->members, 2);
    for (const auto *region : {&a->score, &a->mask}) {
      if (!*region)
        continue;
      line(2) << (region == &a->score ? "Score(" : "Mask(");
      for (size_t i = 0; i < (*region)->params.size(); ++i)
        os_ << (i ? ", " : "") << (*region)->params[i].name;
      os_ << ")" << at((*region)->keyword_range) << "\n";
      expr(*(*region)->body, 3);
    }
    if (a->normalize) {
      line(2) << "Normalize " << a->normalize->kind.name << at(a->normalize->keyword_range) << "\n";
      if (a->normalize->count)
        expr(*a->normalize->count, 3);
    }
  }
  for (const auto &m : file.modules) {
    if (m->attention)
      continue; // made from a variant with parameters, shown with it
    line(1) << "Module " << m->name.name;
    hyperparameters(m->hyperparameters);
    os_ << at(m->name.range) << "\n";
    members(*m, m->members, 2);
    if (!m->forward)
      continue;
    const ForwardDecl &f = *m->forward;
    line(2) << "Forward" << at(f.keyword_range) << "\n";
    for (const ForwardArg &arg : f.args)
      line(3) << "Arg " << arg.name.name << ": " << inline_type(arg.type)
              << (arg.default_value ? " = " + inline_expr(*arg.default_value) : "")
              << at(arg.name.range) << "\n";
    for (const TensorType &r : f.results)
      line(3) << "Result " << inline_type(r) << at(r.range) << "\n";
    for (const Stmt &s : f.body)
      stmt(s, 3);
  }
}

std::string Dumper::inline_loop(const RangeLoop &loop) const {
  std::string s = "for " + loop.var.name + " in range(";
  if (loop.start)
    s += inline_expr(*loop.start) + ", ";
  return s + inline_expr(*loop.end) + ")";
}

std::string Dumper::inline_container(const ContainerDecl &c) const {
  bool list = c.kind == ContainerDecl::Kind::List;
  std::string s = list ? "[" : "Sequential(";
  for (size_t i = 0; i < c.elements.size(); ++i) {
    const ElementDecl &e = c.elements[i];
    s += (i ? ", " : "") + (e.instance ? inline_expr(*e.instance) : inline_container(*e.container));
  }
  if (c.loop)
    s += " " + inline_loop(*c.loop);
  return s + (list ? "]" : ")");
}

void Dumper::members(const ModuleDecl &m, const std::vector<MemberNode> &nodes, int indent) {
  for (const MemberNode &node : nodes) {
    switch (node.kind) {
    case MemberNode::Kind::Param: {
      const ParamDecl &p = m.params[node.param];
      line(indent) << "Param " << p.name.name;
      if (p.tensor)
        os_ << ": " << inline_type(*p.tensor);
      else if (p.instance)
        os_ << " = " << inline_expr(*p.instance);
      else
        os_ << " = " << inline_container(*p.container);
      os_ << at(p.name.range) << "\n";
      break;
    }
    case MemberNode::Kind::If:
      for (const MemberBranch &b : node.branches) {
        line(indent) << (b.condition ? "If " + inline_expr(*b.condition) : std::string("Else"))
                     << at(b.range) << "\n";
        members(m, b.body, indent + 1);
      }
      break;
    case MemberNode::Kind::Assert:
      line(indent) << "Assert " << inline_expr(*node.condition);
      if (!node.message.empty())
        os_ << ", \"" << node.message << "\"";
      os_ << at(node.range) << "\n";
      break;
    case MemberNode::Kind::For:
      line(indent) << (node.family ? "Family " : "For ") << inline_loop(*node.loop).substr(4)
                   << at(node.range) << "\n";
      members(m, node.body, indent + 1);
      break;
    }
  }
}

void Dumper::stmt(const Stmt &s, int indent) {
  switch (s.kind) {
  case Stmt::Kind::Let:
  case Stmt::Kind::Return:
    line(indent) << (s.kind == Stmt::Kind::Let ? "Let" : "Return");
    for (size_t i = 0; i < s.names.size(); ++i)
      os_ << (i ? ", " : " ") << s.names[i].name;
    os_ << at(s.range) << "\n";
    for (const ExprPtr &v : s.values)
      expr(*v, indent + 1);
    return;
  case Stmt::Kind::If:
    for (const StmtBranch &b : s.branches) {
      line(indent) << (b.condition ? "If " + inline_expr(*b.condition) : std::string("Else"))
                   << at(b.range) << "\n";
      for (const Stmt &inner : b.body)
        stmt(inner, indent + 1);
    }
    return;
  case Stmt::Kind::For:
    line(indent) << "For " << inline_loop(*s.loop).substr(4) << at(s.range) << "\n";
    for (const Stmt &inner : s.body)
      stmt(inner, indent + 1);
    return;
  }
}

} // namespace

void dump_ast(const Program &program, llvm::raw_ostream &os) {
  Dumper dumper(program, os);
  for (const auto &file : program.files)
    dumper.dump_file(*file);
}

} // namespace attn::dsl
