// The machine's fp32 peak, measured: independent chains of fused multiply-adds in the widest
// vectors the CPU has (AVX-512, else AVX2+FMA, else SSE multiply and add), on 1..N threads at
// once. A benchmark divides its own GFLOP/s by this number, measured in the same run, so that
// "share of peak" means this machine under this load, not a datasheet.
//
// Why so many chains: an FMA has a latency of about 4 cycles and a core issues up to two per
// cycle, so fewer than 8 independent accumulators leave the units idle. 16 accumulators (of 32
// registers with AVX-512, 12 of 16 with AVX2) cover every x86 core of the last decade.
#pragma once

#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace attn::bench {

struct PeakResult {
  std::string isa;    // "avx512", "avx2" or "sse"
  int threads = 1;    // threads that ran chains at the same time
  double gflops = 0;  // best of the repetitions, all threads together
  double seconds = 0; // wall time of that best repetition
};

namespace detail {

// Each function runs `iterations` rounds of FMAs on its accumulators and returns a value that
// depends on all of them, so the compiler can drop none. acc = acc * a + b with a just below 1
// keeps the values normal (no denormal slow path) and bounded.
__attribute__((target("avx512f"))) inline float chains_avx512(int64_t iterations) {
  constexpr int kChains = 16;
  __m512 acc[kChains];
  for (int c = 0; c < kChains; ++c)
    acc[c] = _mm512_set1_ps(1.0f + 0.001f * c);
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-6f);
  for (int64_t i = 0; i < iterations; ++i) {
#pragma GCC unroll 16
    for (int c = 0; c < kChains; ++c)
      acc[c] = _mm512_fmadd_ps(acc[c], a, b);
  }
  __m512 sum = acc[0];
  for (int c = 1; c < kChains; ++c)
    sum = _mm512_add_ps(sum, acc[c]);
  return _mm512_reduce_add_ps(sum);
}

__attribute__((target("avx2,fma"))) inline float chains_avx2(int64_t iterations) {
  constexpr int kChains = 12;
  __m256 acc[kChains];
  for (int c = 0; c < kChains; ++c)
    acc[c] = _mm256_set1_ps(1.0f + 0.001f * c);
  const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-6f);
  for (int64_t i = 0; i < iterations; ++i) {
#pragma GCC unroll 12
    for (int c = 0; c < kChains; ++c)
      acc[c] = _mm256_fmadd_ps(acc[c], a, b);
  }
  __m256 sum = acc[0];
  for (int c = 1; c < kChains; ++c)
    sum = _mm256_add_ps(sum, acc[c]);
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, sum);
  float total = 0;
  for (float v : lanes)
    total += v;
  return total;
}

// Without FMA a multiply and an add are two instructions for the same two flops.
inline float chains_sse(int64_t iterations) {
  constexpr int kChains = 12;
  __m128 acc[kChains];
  for (int c = 0; c < kChains; ++c)
    acc[c] = _mm_set1_ps(1.0f + 0.001f * c);
  const __m128 a = _mm_set1_ps(0.999999f), b = _mm_set1_ps(1e-6f);
  for (int64_t i = 0; i < iterations; ++i) {
#pragma GCC unroll 12
    for (int c = 0; c < kChains; ++c)
      acc[c] = _mm_add_ps(_mm_mul_ps(acc[c], a), b);
  }
  __m128 sum = acc[0];
  for (int c = 1; c < kChains; ++c)
    sum = _mm_add_ps(sum, acc[c]);
  alignas(16) float lanes[4];
  _mm_store_ps(lanes, sum);
  return lanes[0] + lanes[1] + lanes[2] + lanes[3];
}

struct Kernel {
  const char *isa;
  float (*run)(int64_t);
  int flops_per_iteration; // chains × lanes × 2
};

inline Kernel best_kernel() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f"))
    return {"avx512", &chains_avx512, 16 * 16 * 2};
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return {"avx2", &chains_avx2, 12 * 8 * 2};
  return {"sse", &chains_sse, 12 * 4 * 2};
}

} // namespace detail

/// The ISA measure_peak() uses on this CPU.
inline std::string peak_isa() { return detail::best_kernel().isa; }

/// Runs the chains on `threads` threads at once, `repetitions` times, each thread doing
/// `iterations` rounds; returns the best repetition (the least disturbed by other processes).
inline PeakResult measure_peak(int threads, int64_t iterations = 20'000'000, int repetitions = 5) {
  detail::Kernel kernel = detail::best_kernel();
  PeakResult best{kernel.isa, threads, 0.0, 0.0};
  std::atomic<float> sink{0}; // the results stored, so no chain is optimised away
  for (int rep = 0; rep < repetitions; ++rep) {
    std::atomic<int> ready{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&] {
        ready.fetch_add(1);
        while (!go.load(std::memory_order_acquire)) {
        }
        sink.store(kernel.run(iterations), std::memory_order_relaxed);
      });
    while (ready.load() < threads) {
    }
    auto start = std::chrono::steady_clock::now();
    go.store(true, std::memory_order_release);
    for (auto &th : pool)
      th.join();
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    double gflops =
        double(threads) * double(iterations) * kernel.flops_per_iteration / seconds / 1e9;
    if (gflops > best.gflops) {
      best.gflops = gflops;
      best.seconds = seconds;
    }
  }
  return best;
}

} // namespace attn::bench
