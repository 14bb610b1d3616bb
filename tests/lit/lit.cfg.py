# lit configuration for the compiler's golden tests: attn IR (`.mlir`) run through attn-opt and
# checked with FileCheck or `-verify-diagnostics`, DSL sources (`.attn`) run through attnc (and
# `attnc check --verify` for the diagnostics), and `.test` scripts that feed attnc generated
# input. Tool paths come from lit.site.cfg.py, which the build writes.
import os
import sys

import lit.formats

config.name = "attn"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".attn", ".test"]
config.test_source_root = os.path.dirname(os.path.abspath(__file__))
config.test_exec_root = getattr(config, "attn_lit_exec_root", config.test_source_root)
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py.in", "Inputs"]

# A tool name on a RUN line becomes its path; the look-arounds keep it from matching inside
# other words or paths (`-attn-opt-foo`, `/x/attnc.d`).
for name, path in [("attn-opt", config.attn_opt), ("attnc", config.attnc),
                   ("FileCheck", config.filecheck)]:
    config.substitutions.append((r"(?<![\w/.-])" + name + r"(?![\w/.-])", path))
config.substitutions.append(("%attn_root", config.attn_source_root))
# The Python that runs lit, for the scripts that generate inputs and check exit statuses.
config.substitutions.append(("%python", sys.executable))

# A machine where Halide's CUDA runtime could open the driver (it loads `libcuda.so`) runs CUDA
# kernels; tests of the no-driver error are unsupported there.
import ctypes
try:
    ctypes.CDLL("libcuda.so")
    config.available_features.add("cuda-driver")
except OSError:
    pass
