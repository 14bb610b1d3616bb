// Builds real Halide kernels for halide_abi_test.cpp: it checks the runtime against the ABI
// Halide actually generates (buffer layout, types, error reporting, the CUDA runtime), not
// just against our reading of it. Usage: attnrt_halide_abi_generator OUTDIR
#include <Halide.h>

#include <string>

using namespace Halide;

int main(int argc, char **argv) {
  if (argc != 2)
    return 2;
  const std::string dir = std::string(argv[1]) + "/";
  const Target host = get_host_target().with_feature(Target::NoRuntime);
  Var d("d"), s("s"), b("b"), i("i");
  {
    ImageParam x(Float(32), 3, "x"), y(Float(32), 3, "y");
    Func out("Abi_k0_axpy");
    out(d, s, b) = 2.0f * x(d, s, b) + y(d, s, b);
    out.vectorize(d, 8, TailStrategy::GuardWithIf).parallel(b);
    out.compile_to_object(dir + "Abi_k0_axpy.o", {x, y}, "Abi_k0_axpy", host);
  }
  {
    ImageParam ids(Int(64), 2, "ids"), table(Float(32), 2, "table");
    Func out("Abi_k1_gather");
    Expr row = clamp(cast<int>(ids(s, b)), 0, table.dim(1).extent() - 1);
    out(d, s, b) = table(d, row);
    out.compile_to_object(dir + "Abi_k1_gather.o", {ids, table}, "Abi_k1_gather", host);
  }
  {
    ImageParam mask(Bool(), 2, "mask"), x(Float(32), 2, "x");
    Func out("Abi_k2_mask");
    out(d, s) = select(mask(d, s), x(d, s), -1.0f);
    out.compile_to_object(dir + "Abi_k2_mask.o", {mask, x}, "Abi_k2_mask", host);
  }
  {
    ImageParam x(Float(32), 1, "x");
    Func out("Abi_k3_require");
    out(i) = require(x(0) > 0.0f, x(i), "x[0] must be positive");
    out.compile_to_object(dir + "Abi_k3_require.o", {x}, "Abi_k3_require", host);
  }
  {
    ImageParam x(Float(32), 1, "x");
    Func out("Abi_k4_cuda");
    Var io("io"), ii("ii");
    out(i) = 3.0f * x(i);
    out.gpu_tile(i, io, ii, 32, TailStrategy::GuardWithIf);
    out.compile_to_object(dir + "Abi_k4_cuda.o", {x}, "Abi_k4_cuda",
                          host.with_feature(Target::CUDA));
  }
  compile_standalone_runtime(dir + "runtime.o", get_host_target().with_feature(Target::CUDA));
  return 0;
}
