#include "attn/dsl/Frontend.h"

#include "attn/dsl/Parser.h"
#include "attn/dsl/Sema.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cstdlib>
#include <deque>
#include <set>

#ifndef ATTN_STDLIB_DIR
#define ATTN_STDLIB_DIR "dsl/stdlib"
#endif

namespace attn::dsl {

std::string stdlib_dir() {
  if (const char *env = std::getenv("ATTN_STDLIB"); env && *env)
    return env;
  return ATTN_STDLIB_DIR;
}

namespace {

/// `import "nn"`: a bare name (no '/', no ".attn") names a file of the standard library.
bool is_library_import(llvm::StringRef name) {
  return !name.contains('/') && !name.endswith(".attn");
}

struct PendingImport {
  std::string path;
  SMRange import_range;
};

class Loader {
public:
  Loader(llvm::SourceMgr &source_mgr, Program &program, DiagnosticEngine &diag)
      : source_mgr_(source_mgr), program_(program), diag_(diag) {}

  void add(std::unique_ptr<llvm::MemoryBuffer> buffer, bool library = false);
  void load_imports();

private:
  std::optional<std::string> resolve(const SourceFile &importer, const ImportDecl &import);
  std::string key(llvm::StringRef path) const;

  llvm::SourceMgr &source_mgr_;
  Program &program_;
  DiagnosticEngine &diag_;
  std::set<std::string> loaded_;
  size_t next_file_ = 0;
};

std::string Loader::key(llvm::StringRef path) const {
  llvm::SmallString<256> real;
  if (!llvm::sys::fs::real_path(path, real))
    return real.str().str();
  llvm::SmallString<256> absolute(path);
  llvm::sys::fs::make_absolute(absolute);
  llvm::sys::path::remove_dots(absolute, /*remove_dot_dot=*/true);
  return absolute.str().str();
}

void Loader::add(std::unique_ptr<llvm::MemoryBuffer> buffer, bool library) {
  auto file = std::make_unique<SourceFile>();
  file->path = buffer->getBufferIdentifier().str();
  file->library = library;
  loaded_.insert(key(file->path));
  llvm::StringRef text = buffer->getBuffer();
  file->buffer_id = source_mgr_.AddNewSourceBuffer(std::move(buffer), llvm::SMLoc());
  parse_file(text, *file, diag_);
  program_.files.push_back(std::move(file));
}

std::optional<std::string> Loader::resolve(const SourceFile &importer, const ImportDecl &import) {
  llvm::StringRef name = import.path;
  bool is_stdlib = is_library_import(name);
  if (name.empty()) {
    diag_.error(import.range, "empty import path");
    return std::nullopt;
  }
  llvm::SmallString<256> path;
  if (is_stdlib) {
    path = stdlib_dir();
    llvm::sys::path::append(path, name + ".attn");
    if (!llvm::sys::fs::is_regular_file(path)) {
      diag_.error(import.range, "no standard library module '" + name + "' (looked for " + path +
                                    "; set ATTN_STDLIB to use another directory)");
      std::vector<std::string> available;
      std::error_code ec;
      for (llvm::sys::fs::directory_iterator it(stdlib_dir(), ec), end; it != end && !ec;
           it.increment(ec))
        if (llvm::sys::path::extension(it->path()) == ".attn")
          available.push_back(llvm::sys::path::stem(it->path()).str());
      suggest(diag_, name, available);
      return std::nullopt;
    }
    return path.str().str();
  }
  if (llvm::sys::path::is_absolute(name)) {
    path = name;
  } else {
    path = llvm::sys::path::parent_path(importer.path);
    llvm::sys::path::append(path, name);
    llvm::sys::path::remove_dots(path, /*remove_dot_dot=*/true);
  }
  return path.str().str();
}

void Loader::load_imports() {
  // Breadth first: files are appended as they are found; each is loaded once.
  for (; next_file_ < program_.files.size(); ++next_file_) {
    const SourceFile &importer = *program_.files[next_file_];
    for (const ImportDecl &import : importer.imports) {
      auto path = resolve(importer, import);
      if (!path || loaded_.count(key(*path)))
        continue;
      if (llvm::sys::fs::is_directory(*path)) {
        diag_.error(import.range, "cannot import '" + *path + "': it is a directory");
        continue;
      }
      if (llvm::sys::fs::exists(*path) && !llvm::sys::fs::is_regular_file(*path)) {
        diag_.error(import.range, "cannot import '" + *path + "': it is not a regular file");
        continue;
      }
      auto buffer = llvm::MemoryBuffer::getFile(*path);
      if (!buffer) {
        diag_.error(import.range,
                    "cannot open imported file '" + *path + "': " + buffer.getError().message());
        continue;
      }
      add(std::move(*buffer), is_library_import(import.path));
    }
  }
}

std::unique_ptr<Program> finish(std::unique_ptr<Program> program, Loader &loader,
                                DiagnosticEngine &diag) {
  loader.load_imports();
  check_program(*program, diag);
  return program;
}

} // namespace

std::unique_ptr<Program> load_program(llvm::SourceMgr &source_mgr, llvm::StringRef path,
                                      DiagnosticEngine &diag) {
  if (llvm::sys::fs::is_directory(path)) {
    diag.file_error(path, "cannot read the file: it is a directory");
    return nullptr;
  }
  // A device or a pipe may never end (/dev/zero): only regular files are read.
  if (llvm::sys::fs::exists(path) && !llvm::sys::fs::is_regular_file(path)) {
    diag.file_error(path, "cannot read the file: it is not a regular file");
    return nullptr;
  }
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer) {
    diag.file_error(path, "cannot open the file: " + buffer.getError().message());
    return nullptr;
  }
  auto program = std::make_unique<Program>(source_mgr);
  Loader loader(source_mgr, *program, diag);
  loader.add(std::move(*buffer));
  return finish(std::move(program), loader, diag);
}

std::unique_ptr<Program> load_program_from_string(llvm::SourceMgr &source_mgr, llvm::StringRef path,
                                                  llvm::StringRef text, DiagnosticEngine &diag) {
  auto program = std::make_unique<Program>(source_mgr);
  Loader loader(source_mgr, *program, diag);
  loader.add(llvm::MemoryBuffer::getMemBufferCopy(text, path));
  return finish(std::move(program), loader, diag);
}

const ModuleDecl *find_model(const Program &program, llvm::StringRef name, DiagnosticEngine &diag) {
  if (!name.empty()) {
    if (const ModuleDecl *module = program.find_module(name))
      return module;
    std::vector<std::string> names;
    for (const auto &file : program.files)
      for (const auto &module : file->modules)
        names.push_back(module->name.name);
    diag.file_error(program.root().path, "no module named '" + name + "'");
    suggest(diag, name, names);
    return nullptr;
  }
  auto models = program.models();
  if (models.size() == 1)
    return models.front();
  if (models.empty()) {
    diag.file_error(program.root().path,
                    "the file defines no model (a module that no other module of the file uses)");
    return nullptr;
  }
  std::string list;
  for (const ModuleDecl *model : models)
    list += (list.empty() ? "" : ", ") + model->name.name;
  diag.error(models[1]->name.range,
             "the file defines several models (" + list + "); choose one with --model NAME");
  return nullptr;
}

} // namespace attn::dsl
