// Prints this machine's fp32 peak GFLOP/s on 1 and 2 threads (or the thread counts given),
// measured with independent FMA chains in the widest vectors the CPU has (fma_peak.h).
//
//   fma_peak [THREADS...]
//
// One line per thread count: `isa=avx512 threads=2 gflops=... seconds=...`.
#include "fma_peak.h"

#include <cstdio>
#include <cstdlib>

int main(int argc, char **argv) {
  std::vector<int> counts;
  for (int i = 1; i < argc; ++i) {
    int n = std::atoi(argv[i]);
    if (n < 1) {
      std::fprintf(stderr, "usage: %s [THREADS...] (positive thread counts)\n", argv[0]);
      return 1;
    }
    counts.push_back(n);
  }
  if (counts.empty())
    counts = {1, 2};
  for (int threads : counts) {
    attn::bench::PeakResult r = attn::bench::measure_peak(threads);
    std::printf("isa=%s threads=%d gflops=%.1f seconds=%.3f\n", r.isa.c_str(), r.threads, r.gflops,
                r.seconds);
  }
  return 0;
}
