#include "test_util.h"

#include <cstdlib>

namespace attn::dsl::testing {

Compilation::Compilation() {
  // The tests use the standard library of this source tree.
  unsetenv("ATTN_STDLIB");
}

std::unique_ptr<Compilation> compile(const std::string &source, const std::string &path) {
  auto c = std::make_unique<Compilation>();
  c->program = load_program_from_string(c->source_mgr, path, source, c->diag);
  return c;
}

std::string diagnostics(const std::string &source, const std::string &path) {
  return compile(source, path)->output();
}

std::string source_path(const std::string &relative) {
  return std::string(ATTN_SOURCE_DIR) + "/" + relative;
}

} // namespace attn::dsl::testing
