#include "attn/dsl/AST.h"

#include <set>

namespace attn::dsl {

const char *scalar_type_name(ScalarType type) {
  switch (type) {
  case ScalarType::Int:
    return "int";
  case ScalarType::Float:
    return "float";
  case ScalarType::Bool:
    return "bool";
  case ScalarType::String:
    return "string";
  }
  return "?";
}

const char *dtype_name(DType type) {
  switch (type) {
  case DType::F32:
    return "f32";
  case DType::F16:
    return "f16";
  case DType::BF16:
    return "bf16";
  case DType::I64:
    return "i64";
  case DType::I32:
    return "i32";
  case DType::Bool:
    return "bool";
  }
  return "?";
}

const char *expr_type_name(ExprType type) {
  switch (type) {
  case ExprType::Unknown:
    return "unknown";
  case ExprType::Error:
    return "error";
  case ExprType::Tensor:
    return "tensor";
  case ExprType::Int:
    return "int";
  case ExprType::Float:
    return "float";
  case ExprType::Bool:
    return "bool";
  case ExprType::String:
    return "string";
  case ExprType::Tuple:
    return "several values";
  }
  return "?";
}

const char *expr_type_phrase(ExprType type) {
  switch (type) {
  case ExprType::Int:
    return "an int";
  case ExprType::Float:
    return "a float";
  case ExprType::Bool:
    return "a bool";
  case ExprType::String:
    return "a string";
  case ExprType::Tensor:
    return "a tensor";
  case ExprType::Tuple:
    return "several values";
  default:
    return "an invalid value";
  }
}

const char *binary_op_spelling(BinaryOp op) {
  switch (op) {
  case BinaryOp::Add:
    return "+";
  case BinaryOp::Sub:
    return "-";
  case BinaryOp::Mul:
    return "*";
  case BinaryOp::Div:
    return "/";
  case BinaryOp::Lt:
    return "<";
  case BinaryOp::Le:
    return "<=";
  case BinaryOp::Gt:
    return ">";
  case BinaryOp::Ge:
    return ">=";
  case BinaryOp::Eq:
    return "==";
  case BinaryOp::Ne:
    return "!=";
  case BinaryOp::And:
    return "and";
  case BinaryOp::Or:
    return "or";
  }
  return "?";
}

const Hyperparameter *ModuleDecl::find_hyperparameter(llvm::StringRef name) const {
  for (const Hyperparameter &h : hyperparameters)
    if (h.name.name == name)
      return &h;
  return nullptr;
}

unsigned ScanExpr::carry_count() const {
  unsigned count = 0;
  for (const ScanItem &item : items)
    count += item.kind == ScanItem::Kind::Carry;
  return count;
}

const ParamDecl *ModuleDecl::find_param(llvm::StringRef name) const {
  for (const ParamDecl &p : params)
    if (p.name.name == name)
      return &p;
  return nullptr;
}

const Ident *Program::Names::find(llvm::StringRef name) const {
  if (auto it = modules.find(name); it != modules.end())
    return &it->second->name;
  if (auto it = attentions.find(name); it != attentions.end())
    return &it->second->name;
  return nullptr;
}

std::pair<const Program::Names *, const Program::Names *>
Program::scopes(const SourceFile *from) const {
  if (from && from->library)
    return {&library_, &user_};
  return {&user_, &library_};
}

const ModuleDecl *Program::find_module(llvm::StringRef name, const SourceFile *from) const {
  auto [first, second] = scopes(from);
  for (const Names *names : {first, second})
    if (names->find(name)) {
      auto it = names->modules.find(name);
      return it == names->modules.end() ? nullptr : it->second;
    }
  return nullptr;
}

const AttentionDecl *Program::find_attention(llvm::StringRef name, const SourceFile *from) const {
  auto [first, second] = scopes(from);
  for (const Names *names : {first, second})
    if (names->find(name)) {
      auto it = names->attentions.find(name);
      return it == names->attentions.end() ? nullptr : it->second;
    }
  return nullptr;
}

std::vector<std::string> Program::definition_names() const {
  std::vector<std::string> names;
  for (const Names *scope : {&user_, &library_}) {
    for (const auto &entry : scope->modules)
      names.push_back(entry.first().str());
    for (const auto &entry : scope->attentions)
      names.push_back(entry.first().str());
  }
  return names;
}

const Ident *Program::register_module(const ModuleDecl *decl) {
  Names &names = names_of(decl->file);
  // A variant with parameters and its module share the name.
  const Ident *old = names.find(decl->name.name);
  if (old && !(decl->attention && old == &decl->attention->name))
    return old;
  names.modules[decl->name.name] = decl;
  return nullptr;
}

const Ident *Program::register_attention(const AttentionDecl *decl) {
  Names &names = names_of(decl->file);
  const Ident *old = names.find(decl->name.name);
  if (old && !(decl->module && old == &decl->module->name))
    return old;
  names.attentions[decl->name.name] = decl;
  return nullptr;
}

SMRange ElementDecl::range() const {
  return instance ? instance->range() : container ? container->range : SMRange();
}

static void visit_element(const ElementDecl &element, const std::function<void(CallExpr &)> &fn) {
  if (element.instance)
    fn(*element.instance);
  if (element.container)
    for (const ElementDecl &e : element.container->elements)
      visit_element(e, fn);
}

void for_each_instance(const ParamDecl &param, const std::function<void(CallExpr &)> &fn) {
  if (param.instance)
    fn(*param.instance);
  if (param.container)
    for (const ElementDecl &e : param.container->elements)
      visit_element(e, fn);
}

std::vector<const ModuleDecl *> Program::models(const SourceFile &file) const {
  std::set<std::string> instantiated;
  for (const auto &module : file.modules)
    for (const ParamDecl &param : module->params)
      for_each_instance(param, [&](CallExpr &call) { instantiated.insert(call.callee.name); });
  std::vector<const ModuleDecl *> result;
  for (const auto &module : file.modules)
    if (!instantiated.count(module->name.name) && !module->attention)
      result.push_back(module.get());
  return result;
}

} // namespace attn::dsl
