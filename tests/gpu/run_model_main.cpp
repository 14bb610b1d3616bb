// Runs one model compiled ahead of time by attn_add_model(), for any target, on weights and
// .npy inputs, and writes its outputs as .npy: the generated header gives the manifest and the
// kernel table, attn::Model executes them.
//
//   run_model W.safetensors NAME=FILE.npy ... --out DIR
//
// writes DIR/out<i>.npy for each output, in the manifest's order. Built once per generated
// library, with ATTN_MODEL_HEADER (the header's file name) and ATTN_MODEL_CLASS (the class in
// it) defined. It links the generated library and the runtime only, never libHalide: PoCL
// carries its own LLVM, which crashes next to libHalide's, so OpenCL kernels run on PoCL only
// from a program like this one.
//
// Exit status: 0 on success; 1 on any failure, reported on stderr with its kind (a missing GPU
// or driver is a "device error"); 2 on bad usage.
#include ATTN_MODEL_HEADER

#include "attn/npy.h"

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace {

struct Args {
  std::string weights;
  std::vector<std::pair<std::string, std::string>> inputs; // name, .npy path
  std::string out_dir;
};

bool parse_args(int argc, char **argv, Args *args) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--out" && i + 1 < argc) {
      args->out_dir = argv[++i];
    } else if (args->weights.empty() && arg.find('=') == std::string::npos) {
      args->weights = arg;
    } else if (size_t eq = arg.find('='); eq != std::string::npos && eq > 0) {
      args->inputs.emplace_back(arg.substr(0, eq), arg.substr(eq + 1));
    } else {
      std::fprintf(stderr, "error: unexpected argument '%s'\n", arg.c_str());
      return false;
    }
  }
  return !args->weights.empty() && !args->out_dir.empty();
}

int fail(const attn::Status &status) {
  std::fprintf(stderr, "error: %s\n", status.to_string().c_str());
  return 1;
}

} // namespace

int main(int argc, char **argv) {
  Args args;
  if (!parse_args(argc, argv, &args)) {
    std::fprintf(stderr, "usage: %s W.safetensors NAME=FILE.npy ... --out DIR\n", argv[0]);
    return 2;
  }
  auto model = attn::Model::create(ATTN_MODEL_CLASS::manifest_json, ATTN_MODEL_CLASS::kernels());
  if (!model.ok())
    return fail(model.status());
  auto weights = attn::Weights::open(args.weights);
  if (!weights.ok())
    return fail(weights.status());
  if (attn::Status bound = model->bind_weights(*weights); !bound.ok())
    return fail(bound);

  std::vector<std::pair<std::string, attn::Tensor>> inputs;
  for (const auto &[name, path] : args.inputs) {
    attn::DType wanted = attn::DType::F32;
    for (const attn::TensorSpec &spec : model->inputs())
      if (spec.name == name)
        wanted = spec.dtype;
    auto tensor = attn::read_npy_for(path, wanted);
    if (!tensor.ok())
      return fail(tensor.status());
    inputs.emplace_back(name, std::move(*tensor));
  }
  std::printf("%s: %zu kernels, device %s, target %s\n", model->model_name().c_str(),
              model->num_kernels(), model->device().c_str(), model->target().c_str());
  std::fflush(stdout);
  auto outputs = model->run(inputs);
  if (!outputs.ok())
    return fail(outputs.status());

  for (size_t i = 0; i < outputs->size(); ++i) {
    const attn::Tensor &y = (*outputs)[i];
    std::string path = args.out_dir + "/out" + std::to_string(i) + ".npy";
    if (attn::Status written = attn::write_npy_widening_bf16(path, y); !written.ok())
      return fail(written);
    std::printf("wrote %s: %s\n", path.c_str(), y.type_string().c_str());
  }
  return 0;
}
