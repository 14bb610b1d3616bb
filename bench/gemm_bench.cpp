// Times the matrix product attnc generates (bench/gemm.attn, linked through attn_add_model())
// on M = N = K = SIZE and prints its GFLOP/s next to this machine's fp32 peak measured in the
// same run (fma_peak.h), on the same number of threads.
//
//   gemm_bench [--size 1024] [--threads 2] [--iterations 20]
//
// The Halide runtime's thread pool takes HL_NUM_THREADS = --threads (set before the first
// run). The timed call is the generated model's whole forward, as a user runs it: the runtime's
// checks, the output's allocation, packing the right operand and the product. A few entries of
// the result are checked against a double-precision dot product, so a broken kernel cannot
// report a good time. Last line, for scripts:
//   attn_gflops=... attn_median_ms=... peak_gflops=... share=... threads=... size=...
#include "fma_peak.h"
#include "gemm.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>

namespace {

struct Options {
  int size = 1024;
  int threads = 2;
  int iterations = 20;
};

bool parse(int argc, char **argv, Options *o) {
  for (int i = 1; i + 1 < argc; i += 2) {
    int value = std::atoi(argv[i + 1]);
    if (value < 1)
      return false;
    if (!std::strcmp(argv[i], "--size"))
      o->size = value;
    else if (!std::strcmp(argv[i], "--threads"))
      o->threads = value;
    else if (!std::strcmp(argv[i], "--iterations"))
      o->iterations = value;
    else
      return false;
  }
  return argc % 2 == 1;
}

attn::Tensor random_matrix(int64_t rows, int64_t cols, std::mt19937 &gen) {
  attn::Tensor t = attn::Tensor::empty(attn::DType::F32, {rows, cols});
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  float *p = t.data<float>();
  for (int64_t i = 0; i < rows * cols; ++i)
    p[i] = dist(gen);
  return t;
}

// Largest relative error of a few entries of c = a × b against a double-precision sum.
double spot_check(const attn::Tensor &a, const attn::Tensor &b, const attn::Tensor &c, int n) {
  const float *pa = a.data<float>(), *pb = b.data<float>(), *pc = c.data<float>();
  double worst = 0;
  for (int s = 0; s < 16; ++s) {
    int i = (s * 977) % n, j = (s * 619 + 13) % n;
    double ref = 0, scale = 0;
    for (int k = 0; k < n; ++k) {
      ref += double(pa[int64_t(i) * n + k]) * pb[int64_t(k) * n + j];
      scale += std::fabs(double(pa[int64_t(i) * n + k]) * pb[int64_t(k) * n + j]);
    }
    worst = std::max(worst, std::fabs(pc[int64_t(i) * n + j] - ref) / std::max(scale, 1e-30));
  }
  return worst;
}

} // namespace

int main(int argc, char **argv) {
  Options o;
  if (!parse(argc, argv, &o)) {
    std::fprintf(stderr, "usage: %s [--size N] [--threads T] [--iterations I]\n", argv[0]);
    return 1;
  }
  setenv("HL_NUM_THREADS", std::to_string(o.threads).c_str(), 1);

  auto model = attn::Model::create(Gemm::manifest_json, Gemm::kernels());
  if (!model.ok()) {
    std::fprintf(stderr, "error: %s\n", model.status().message().c_str());
    return 2;
  }
  std::mt19937 gen(1);
  attn::Tensor a = random_matrix(o.size, o.size, gen), b = random_matrix(o.size, o.size, gen);
  auto run = [&] { return model->run({{"a", a}, {"b", b}}); };
  auto first = run(); // also starts Halide's thread pool
  if (!first.ok()) {
    std::fprintf(stderr, "error: %s\n", first.status().message().c_str());
    return 2;
  }
  double error = spot_check(a, b, (*first)[0], o.size);
  if (error > 1e-5) {
    std::fprintf(stderr, "error: the product is wrong (relative error %g)\n", error);
    return 2;
  }

  std::vector<double> ms;
  for (int i = 0; i < o.iterations; ++i) {
    auto start = std::chrono::steady_clock::now();
    auto out = run();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
    if (!out.ok())
      return 2;
  }
  std::sort(ms.begin(), ms.end());
  double flops = 2.0 * o.size * o.size * double(o.size);
  double best_gflops = flops / (ms.front() * 1e6), median_ms = ms[ms.size() / 2];

  attn::bench::PeakResult peak = attn::bench::measure_peak(o.threads);
  std::printf("peak (%s FMA chains, %d threads): %.1f GFLOP/s\n", peak.isa.c_str(), o.threads,
              peak.gflops);
  std::printf("attn %dx%dx%d: best %.3f ms (%.1f GFLOP/s), median %.3f ms (%.1f GFLOP/s), "
              "%.0f%% of peak at best\n",
              o.size, o.size, o.size, ms.front(), best_gflops, median_ms, flops / (median_ms * 1e6),
              100.0 * best_gflops / peak.gflops);
  std::printf("attn_gflops=%.2f attn_median_ms=%.4f attn_best_ms=%.4f peak_gflops=%.2f "
              "share=%.4f threads=%d size=%d\n",
              best_gflops, median_ms, ms.front(), peak.gflops, best_gflops / peak.gflops, o.threads,
              o.size);
  return 0;
}
