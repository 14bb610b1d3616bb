// Google Benchmark of every zoo model compiled ahead of time by attn_add_model()
// (bench/zoo/CMakeLists.txt, hyperparameters in models.json), run through the generated classes
// as a user's program runs them: one benchmark per model and exported case.
//
//   zoo_bench --data DIR [--model NAME] [--threads N] [--benchmark_* flags]
//
// DIR is what bench/zoo/run.py exports: DIR/<Model>/<case>/case.json with the weights, the
// inputs and PyTorch's outputs (tests/reference/export_case.py). Each case runs once before it
// is timed and its outputs are compared with PyTorch's (max |diff| / max |expected| at most
// 1e-3, over the positions kept<i>.npy marks where it exists), so a wrong model reports an
// error, not a time. --model loads and runs that model's cases only (the others are not even
// loaded); --threads sets HL_NUM_THREADS, the size of Halide's thread pool.
#include "zoo_headers.inc"

#include "attn/npy.h"

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

using Inputs = std::vector<std::pair<std::string, attn::Tensor>>;

// Largest |out - expected| / largest |expected| over the kept positions (all when `kept` is
// empty); "" when within `rtol`, else a description of the mismatch.
std::string compare(const attn::Tensor &out, const attn::Tensor &expected, const attn::Tensor *kept,
                    double rtol) {
  if (out.shape() != expected.shape() || out.dtype() != expected.dtype())
    return "output " + out.type_string() + " where PyTorch gives " + expected.type_string();
  if (out.dtype() != attn::DType::F32)
    return std::memcmp(out.raw_data(), expected.raw_data(), out.nbytes()) == 0
               ? ""
               : "output differs from PyTorch's";
  const float *o = out.data<float>(), *e = expected.data<float>();
  const uint8_t *k = kept ? kept->data<uint8_t>() : nullptr;
  double diff = 0, scale = 0;
  for (int64_t i = 0; i < out.numel(); ++i) {
    if (k && !k[i])
      continue;
    diff = std::max(diff, std::fabs(double(o[i]) - e[i]));
    scale = std::max(scale, std::fabs(double(e[i])));
  }
  if (diff <= rtol * scale)
    return "";
  char text[128];
  std::snprintf(text, sizeof text, "max |diff| %.3g exceeds %.0e of max |expected| %.3g", diff,
                rtol, scale);
  return text;
}

// Loads one exported case: its inputs by name, and whether the model's outputs match PyTorch's.
template <typename M>
std::string check_case(M &model, const fs::path &dir, const nlohmann::json &c, Inputs *inputs) {
  for (const auto &in : c.at("inputs")) {
    auto t = attn::read_npy((dir / in.at("file").get<std::string>()).string());
    if (!t.ok())
      return t.status().message();
    inputs->emplace_back(in.at("name").get<std::string>(), std::move(*t));
  }
  auto out = model.model().run(*inputs);
  if (!out.ok())
    return out.status().message();
  const auto &expected = c.at("expected");
  if (out->size() != expected.size())
    return "the model returns " + std::to_string(out->size()) + " outputs, PyTorch " +
           std::to_string(expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    auto e = attn::read_npy((dir / expected[i].at("file").get<std::string>()).string());
    if (!e.ok())
      return e.status().message();
    std::optional<attn::Tensor> kept;
    if (expected[i].contains("kept")) {
      auto k = attn::read_npy((dir / expected[i].at("kept").get<std::string>()).string());
      if (!k.ok())
        return k.status().message();
      kept = std::move(*k);
    }
    std::string error = compare((*out)[i], *e, kept ? &*kept : nullptr, 1e-3);
    if (!error.empty())
      return "output " + std::to_string(i) + ": " + error;
  }
  return "";
}

// Registers <name>/<case> for every exported case of the model under `data`.
template <typename M> void register_model(const std::string &name, const fs::path &data) {
  fs::path root = data / name;
  if (!fs::is_directory(root))
    return;
  std::vector<fs::path> cases;
  for (const auto &entry : fs::directory_iterator(root))
    if (fs::exists(entry.path() / "case.json"))
      cases.push_back(entry.path());
  std::sort(cases.begin(), cases.end());
  for (const fs::path &dir : cases) {
    std::string error;
    std::shared_ptr<M> model;
    auto inputs = std::make_shared<Inputs>();
    std::ifstream file(dir / "case.json");
    nlohmann::json c = nlohmann::json::parse(file, nullptr, /*allow_exceptions=*/false);
    auto loaded = M::load((dir / "weights.safetensors").string());
    if (c.is_discarded())
      error = "cannot parse " + (dir / "case.json").string();
    else if (!loaded.ok())
      error = loaded.status().message();
    else {
      model = std::make_shared<M>(std::move(*loaded));
      error = check_case(*model, dir, c, inputs.get());
    }
    std::string label = name + "/" + dir.filename().string();
    benchmark::RegisterBenchmark(label.c_str(),
                                 [model, inputs, error](benchmark::State &state) {
                                   if (!error.empty()) {
                                     state.SkipWithError(error.c_str());
                                     return;
                                   }
                                   for (auto _ : state) {
                                     auto out = model->model().run(*inputs);
                                     if (!out.ok()) {
                                       state.SkipWithError(out.status().message().c_str());
                                       break;
                                     }
                                     benchmark::DoNotOptimize(out);
                                   }
                                 })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
}

} // namespace

int main(int argc, char **argv) {
  // Our own flags first; the rest goes to Google Benchmark.
  std::string data, only;
  std::vector<char *> rest = {argv[0]};
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--data") && i + 1 < argc)
      data = argv[++i];
    else if (!std::strcmp(argv[i], "--model") && i + 1 < argc)
      only = argv[++i];
    else if (!std::strcmp(argv[i], "--threads") && i + 1 < argc)
      setenv("HL_NUM_THREADS", argv[++i], 1);
    else
      rest.push_back(argv[i]);
  }
  if (data.empty() || !fs::is_directory(data)) {
    std::fprintf(stderr,
                 "usage: %s --data DIR [--model NAME] [--threads N] [--benchmark_* flags]\n"
                 "DIR holds the cases bench/zoo/run.py exports\n",
                 argv[0]);
    return 1;
  }
#define ATTN_ZOO_MODEL(Class)                                                                      \
  if (only.empty() || only == #Class)                                                              \
    register_model<Class>(#Class, data);
#include "zoo_models.inc"
#undef ATTN_ZOO_MODEL
  int count = static_cast<int>(rest.size());
  benchmark::Initialize(&count, rest.data());
  if (benchmark::ReportUnrecognizedArguments(count, rest.data()))
    return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
