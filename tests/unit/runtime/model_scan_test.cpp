// Scans in the plan: the runtime's loop over kernels (docs/internals.md "Scans"), run with the
// fake kernels of test_kernels.cpp: a carry that accumulates y onto x, its values stacked. And
// optional inputs, which the same model shows when y gets a default.
#include <gtest/gtest.h>

#include "attn/model.h"
#include "test_kernels.h"
#include "test_util.h"

namespace attn {
namespace {

using namespace testing_util; // NOLINT: test fixtures

// acc = x; for each of 3 steps: acc = acc + y, row t of out1 = acc after step t.
std::string accumulate_manifest(bool reverse) {
  return std::string(R"({
  "format": "attn-manifest", "version": 2, "model": "Accumulate", "source": "acc.attn",
  "target": "x86-64-linux", "device": "cpu", "hyperparameters": {},
  "inputs": [{"name": "x", "dtype": "f32", "shape": ["B", "S", 4]},
             {"name": "y", "dtype": "f32", "shape": ["B", "S", 4]}],
  "outputs": [{"name": "out0", "dtype": "f32", "shape": ["B", "S", 4], "value": "buffer:t0"},
              {"name": "out1", "dtype": "f32", "shape": [3, "B", "S", 4], "value": "buffer:t1"}],
  "weights": [],
  "buffers": [{"name": "t0", "dtype": "f32", "shape": ["B", "S", 4]},
              {"name": "t1", "dtype": "f32", "shape": [3, "B", "S", 4]},
              {"name": "t2", "dtype": "i64", "shape": []},
              {"name": "t3", "dtype": "f32", "shape": ["B", "S", 4]}],
  "kernels": [{"name": "Tiny_k0_add", "op": "attn.add", "loc": "acc.attn:3:5",
               "args": ["buffer:t0", "input:y", "buffer:t3"], "num_outputs": 1}],
  "steps": [{"scan": {"loc": "acc.attn:2:9", "length": 3, "reverse": )") +
         (reverse ? "true" : "false") + R"(, "position": "buffer:t2",
     "carries": [{"value": "buffer:t0", "init": "input:x", "next": "buffer:t3"}],
     "outputs": [{"stacked": "buffer:t1", "step": "buffer:t3"}],
     "steps": [{"kernel": 0}]}}]
})";
}

std::string replaced(std::string s, const std::string &from, const std::string &to) {
  size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return at == std::string::npos ? s : s.replace(at, from.size(), to);
}

void expect_accumulated(bool reverse) {
  StatusOr<Model> m = Model::create(accumulate_manifest(reverse), tiny_library());
  ASSERT_TRUE(m.ok()) << m.status().to_string();
  const int64_t B = 2, S = 3, D = 4, n = B * S * D;
  Tensor x = f32_tensor({B, S, D}, iota(n, 1));
  Tensor y = f32_tensor({B, S, D}, iota(n, -5));
  StatusOr<std::vector<Tensor>> out = m->run({{"x", x}, {"y", y}});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  const Tensor &acc = (*out)[0], &stacked = (*out)[1];
  ASSERT_EQ(stacked.shape(), (std::vector<int64_t>{3, B, S, D}));
  for (int64_t i = 0; i < n; ++i) {
    float xi = x.data<float>()[i], yi = y.data<float>()[i];
    EXPECT_FLOAT_EQ(acc.data<float>()[i], xi + 3 * yi);
    for (int64_t t = 0; t < 3; ++t) {
      // Row t holds the step at position t, which is the (t+1)-th step forwards and the
      // (3-t)-th backwards.
      float steps = reverse ? 3 - t : t + 1;
      EXPECT_FLOAT_EQ(stacked.data<float>()[t * n + i], xi + steps * yi) << "t " << t;
    }
  }
}

TEST(ModelScan, CarriesAndStacksForwards) { expect_accumulated(false); }

TEST(ModelScan, StacksByPositionBackwards) { expect_accumulated(true); }

Status create_error(const std::string &manifest) {
  StatusOr<Model> m = Model::create(manifest, tiny_library());
  EXPECT_FALSE(m.ok());
  return m.ok() ? Status() : m.status();
}

bool mentions(const Status &s, const std::string &text) {
  return s.message().find(text) != std::string::npos;
}

TEST(ModelScan, MalformedScansAreNamed) {
  const std::string good = accumulate_manifest(false);
  Status s = create_error(
      replaced(good, R"("dtype": "i64", "shape": [])", R"("dtype": "f32", "shape": [])"));
  EXPECT_TRUE(
      mentions(s, "scan at acc.attn:2:9: the position buffer:t2 is not a rank-0 i64 buffer"))
      << s.message();
  s = create_error(replaced(good, R"("init": "input:x")", R"("init": "buffer:t1")"));
  EXPECT_TRUE(mentions(s, "carry buffer:t0 is f32[B, S, 4] but buffer:t1 is f32[3, B, S, 4]"))
      << s.message();
  s = create_error(replaced(good, R"("step": "buffer:t3")", R"("step": "buffer:t1")"));
  EXPECT_TRUE(mentions(s, "output buffer:t1 (f32[3, B, S, 4]) cannot stack buffer:t1"))
      << s.message();
  s = create_error(replaced(good, R"("length": 3)", R"("length": "T")"));
  EXPECT_TRUE(mentions(s, "has length 'T', whose symbol 'T' no input binds")) << s.message();
  s = create_error(replaced(good, R"({"kernel": 0})", R"({"kernel": 4})"));
  EXPECT_TRUE(mentions(s, "kernel 4 is not an index into \"kernels\"")) << s.message();
  // The body reads the carry's next value before anything writes it.
  s = create_error(replaced(good, R"("args": ["buffer:t0", "input:y", "buffer:t3"])",
                            R"("args": ["buffer:t3", "input:y", "buffer:t0"])"));
  EXPECT_TRUE(mentions(s, "kernel 'Tiny_k0_add' reads buffer:t3 before anything writes it"))
      << s.message();
}

} // namespace
} // namespace attn

namespace attn {
namespace {

// An optional input (one with a "default"): a run may leave it out, and the runtime fills it in
// the shape the given inputs fix.
TEST(ModelOptionalInput, LeftOutInputIsFilledWithItsDefault) {
  std::string manifest = replaced(
      accumulate_manifest(false), R"({"name": "y", "dtype": "f32", "shape": ["B", "S", 4]})",
      R"({"name": "y", "dtype": "f32", "shape": ["B", "S", 4], "default": 0.25})");
  StatusOr<Model> m = Model::create(manifest, tiny_library());
  ASSERT_TRUE(m.ok()) << m.status().to_string();
  Tensor x = f32_tensor({1, 2, 4}, iota(8, 1));
  StatusOr<std::vector<Tensor>> out = m->run({{"x", x}});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  for (int64_t i = 0; i < 8; ++i)
    EXPECT_FLOAT_EQ((*out)[0].data<float>()[i], x.data<float>()[i] + 3 * 0.25f);
}

TEST(ModelOptionalInput, LeftOutInputNeedsItsSizesFixed) {
  std::string manifest = replaced(
      accumulate_manifest(false), R"({"name": "y", "dtype": "f32", "shape": ["B", "S", 4]})",
      R"({"name": "y", "dtype": "f32", "shape": ["B", "T", 4], "default": 1})");
  StatusOr<Model> m = Model::create(manifest, tiny_library());
  ASSERT_TRUE(m.ok()) << m.status().to_string();
  StatusOr<std::vector<Tensor>> out = m->run({{"x", f32_tensor({1, 2, 4}, iota(8, 1))}});
  ASSERT_FALSE(out.ok());
  EXPECT_TRUE(mentions(out.status(), "input 'y' was left out, but its size T is not fixed by the "
                                     "inputs given; pass it"))
      << out.status().message();
}

} // namespace
} // namespace attn
