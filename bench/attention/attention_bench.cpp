// The attention core attnc generates (bench/attention/attention.attn: softmax(q kᵀ / sqrt(D)) v,
// causal or not, for head dims D = 64 and 128), timed in Google Benchmark over a grid of S and D
// with B·H = 8 (B = 1, H = 8), each as GFLOP/s and as a share of this machine's fp32 FMA peak
// measured in the same process (bench/fma_peak.h).
//
//   attention_bench [--threads 2] [--seqs 128,256,...] [--dims 64,128] [--check-only]
//                   [--memory] [--benchmark_* flags]
//
// Before anything is timed, every shape's output is checked against a double-precision
// reference on a few rows of the first and last head (largest |diff| at most 2e-5), so a broken
// kernel reports an error, not a time. --check-only stops after the checks. --memory measures,
// instead of time, the extra memory of one call on each shape: the process's peak resident set
// during the call (reset through /proc/self/clear_refs) minus its resident set before, minus the
// output's bytes (blocks over 64 KiB are mapped and unmapped each time, so an earlier call's
// freed memory cannot hide a later call's). Lines "memory causal=.. s=.. d=.. extra_mib=..".
//
// FLOPs: 4·B·H·S²·D for the two products (softmax not counted); causal counts only the scores
// it needs, 4·B·H·D·S(S+1)/2, so its GFLOP/s is useful work, comparable with the full case.
#include "bench_causal128.h"
#include "bench_causal64.h"
#include "bench_full128.h"
#include "bench_full64.h"
#include "fma_peak.h"

#include <benchmark/benchmark.h>
#include <malloc.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

constexpr int64_t kHeads = 8;

struct Options {
  int threads = 2;
  std::vector<int64_t> seqs = {128, 256, 512, 1024, 2048, 4096, 8192};
  std::vector<int64_t> dims = {64, 128};
  bool check_only = false;
  bool memory = false;
};

std::vector<int64_t> parse_list(const char *text) {
  std::vector<int64_t> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    long long v = std::atoll(item.c_str());
    if (v < 1)
      return {};
    out.push_back(v);
  }
  return out;
}

// Takes this program's flags out of argv, leaving Google Benchmark's.
bool parse(int *argc, char **argv, Options *o) {
  int kept = 1;
  for (int i = 1; i < *argc; ++i) {
    std::string a = argv[i];
    bool has_value = i + 1 < *argc;
    if (a == "--threads" && has_value) {
      o->threads = std::atoi(argv[++i]);
      if (o->threads < 1)
        return false;
    } else if (a == "--seqs" && has_value) {
      o->seqs = parse_list(argv[++i]);
      if (o->seqs.empty())
        return false;
    } else if (a == "--dims" && has_value) {
      o->dims = parse_list(argv[++i]);
      if (o->dims.empty())
        return false;
    } else if (a == "--check-only") {
      o->check_only = true;
    } else if (a == "--memory") {
      o->memory = true;
    } else if (a.rfind("--benchmark_", 0) == 0) {
      argv[kept++] = argv[i];
    } else {
      return false;
    }
  }
  *argc = kept;
  return true;
}

struct Case {
  bool causal;
  int64_t s, d;
  attn::Tensor q, k, v;
};

attn::Tensor random_tensor(int64_t s, int64_t d, std::mt19937 &gen) {
  attn::Tensor t = attn::Tensor::empty(attn::DType::F32, {1, kHeads, s, d});
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  float *p = t.data<float>();
  for (int64_t i = 0; i < t.numel(); ++i)
    p[i] = dist(gen);
  return t;
}

// The four kernels of attention.attn, by mask and head dim.
class Runner {
public:
  Runner() {
    add<Full64>(false, 64);
    add<Full128>(false, 128);
    add<Causal64>(true, 64);
    add<Causal128>(true, 128);
  }

  std::string error() const {
    for (const Entry &e : models_)
      if (!e.model.ok())
        return e.model.status().message();
    return "";
  }

  bool has(int64_t d) const {
    for (const Entry &e : models_)
      if (e.d == d)
        return true;
    return false;
  }

  attn::StatusOr<std::vector<attn::Tensor>> run(const Case &c) {
    for (Entry &e : models_)
      if (e.causal == c.causal && e.d == c.d)
        return e.model->run({{"q", c.q}, {"k", c.k}, {"v", c.v}});
    return attn::Status::invalid_input("no kernel for D = " + std::to_string(c.d));
  }

private:
  struct Entry {
    bool causal;
    int64_t d;
    attn::StatusOr<attn::Model> model;
  };
  template <typename M> void add(bool causal, int64_t d) {
    models_.push_back({causal, d, attn::Model::create(M::manifest_json, M::kernels())});
  }
  std::vector<Entry> models_;
};

// Largest |out - reference| over a few rows of the first and last head.
double check(const Case &c, const attn::Tensor &out) {
  const float *q = c.q.data<float>(), *k = c.k.data<float>(), *v = c.v.data<float>();
  const float *o = out.data<float>();
  const int64_t s = c.s, d = c.d;
  double worst = 0;
  for (int64_t h : {int64_t(0), kHeads - 1}) {
    for (int64_t i : {int64_t(0), s / 2, s - 1}) {
      const int64_t base = h * s * d, keys = c.causal ? i + 1 : s;
      std::vector<double> score(keys), acc(d, 0.0);
      double top = -INFINITY, total = 0;
      for (int64_t j = 0; j < keys; ++j) {
        double dot = 0;
        for (int64_t x = 0; x < d; ++x)
          dot += double(q[base + i * d + x]) * k[base + j * d + x];
        score[j] = dot / std::sqrt(double(d));
        top = std::max(top, score[j]);
      }
      for (int64_t j = 0; j < keys; ++j) {
        double e = std::exp(score[j] - top);
        total += e;
        for (int64_t x = 0; x < d; ++x)
          acc[x] += e * v[base + j * d + x];
      }
      for (int64_t x = 0; x < d; ++x)
        worst = std::max(worst, std::fabs(acc[x] / total - o[base + i * d + x]));
    }
  }
  return worst;
}

double flops(const Case &c) {
  double pairs = c.causal ? double(c.s) * double(c.s + 1) / 2 : double(c.s) * double(c.s);
  return 4.0 * kHeads * pairs * double(c.d);
}

// Resident set (VmRSS) or its peak (VmHWM) of this process, in bytes.
int64_t status_kib(const char *field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field, 0) == 0)
      return std::atoll(line.c_str() + std::strlen(field));
  return -1;
}

bool reset_peak() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  return bool(out);
}

int measure_memory(Runner &runner, std::vector<Case> &cases) {
  for (Case &c : cases) {
    if (!reset_peak()) {
      std::fprintf(stderr, "error: cannot reset the peak resident set (/proc/self/clear_refs)\n");
      return 2;
    }
    int64_t before = status_kib("VmRSS:");
    auto out = runner.run(c);
    int64_t peak = status_kib("VmHWM:");
    if (!out.ok() || before < 0 || peak < 0)
      return 2;
    double extra = double(peak - before) * 1024.0 - double((*out)[0].nbytes());
    std::printf("memory causal=%d s=%lld d=%lld extra_mib=%.2f\n", c.causal ? 1 : 0,
                static_cast<long long>(c.s), static_cast<long long>(c.d),
                std::max(0.0, extra) / (1024.0 * 1024.0));
  }
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  Options o;
  if (!parse(&argc, argv, &o)) {
    std::fprintf(stderr,
                 "usage: %s [--threads T] [--seqs S,S,..] [--dims D,D,..] [--check-only] "
                 "[--memory] [--benchmark_* flags]\n",
                 argv[0]);
    return 1;
  }
  setenv("HL_NUM_THREADS", std::to_string(o.threads).c_str(), 1);
  // Memory: every block over 64 KiB mapped on allocation and unmapped when freed (a fixed
  // threshold, where glibc's would grow), so no call finds its scratch already resident.
  if (o.memory)
    mallopt(M_MMAP_THRESHOLD, 64 * 1024);
  benchmark::Initialize(&argc, argv);

  Runner runner;
  if (!runner.error().empty()) {
    std::fprintf(stderr, "error: %s\n", runner.error().c_str());
    return 2;
  }
  for (int64_t d : o.dims)
    if (!runner.has(d)) {
      std::fprintf(stderr, "error: --dims: no kernel for D = %lld (attention.attn has 64, 128)\n",
                   static_cast<long long>(d));
      return 1;
    }
  std::mt19937 gen(1);
  std::vector<Case> cases;
  for (int64_t d : o.dims)
    for (int64_t s : o.seqs)
      for (bool causal : {false, true})
        cases.push_back({causal, s, d, random_tensor(s, d, gen), random_tensor(s, d, gen),
                         random_tensor(s, d, gen)});

  // Every shape once, checked (this also starts Halide's thread pool before any measurement).
  for (const Case &c : cases) {
    auto out = runner.run(c);
    if (!out.ok()) {
      std::fprintf(stderr, "error: %s\n", out.status().message().c_str());
      return 2;
    }
    double error = check(c, (*out)[0]);
    if (!(error <= 2e-5)) {
      std::fprintf(stderr, "error: causal=%d S=%lld D=%lld is wrong (largest |diff| %g)\n",
                   c.causal, static_cast<long long>(c.s), static_cast<long long>(c.d), error);
      return 2;
    }
  }
  if (o.check_only) {
    std::printf("checked %zu shapes against the reference\n", cases.size());
    return 0;
  }
  if (o.memory)
    return measure_memory(runner, cases);

  attn::bench::PeakResult peak = attn::bench::measure_peak(o.threads);
  std::printf("peak (%s FMA chains, %d threads): %.1f GFLOP/s\n", peak.isa.c_str(), o.threads,
              peak.gflops);
  for (Case &c : cases) {
    std::string name = std::string(c.causal ? "causal" : "full") + "/S=" + std::to_string(c.s) +
                       "/D=" + std::to_string(c.d);
    const double work = flops(c), peak_flops = peak.gflops * 1e9;
    benchmark::RegisterBenchmark(
        name.c_str(),
        [&runner, &c, work, peak_flops](benchmark::State &state) {
          for (auto _ : state) {
            auto out = runner.run(c);
            if (!out.ok()) {
              state.SkipWithError(out.status().message().c_str());
              break;
            }
          }
          state.counters["FLOPS"] =
              benchmark::Counter(work, benchmark::Counter::kIsIterationInvariantRate);
          state.counters["peak_share"] =
              benchmark::Counter(work / peak_flops, benchmark::Counter::kIsIterationInvariantRate);
        })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
  benchmark::AddCustomContext("peak_gflops", std::to_string(peak.gflops));
  benchmark::AddCustomContext("threads", std::to_string(o.threads));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
