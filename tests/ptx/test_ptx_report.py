#!/usr/bin/env python3
"""Checks ptx_report.py's occupancy arithmetic and its parsing of attnc's --stmt output, without
ptxas. Exit status 0 pass, 1 fail."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ptx_report  # noqa: E402

failures = []


def expect(what, got, want):
    if got != want:
        failures.append(f"{what}: got {got!r}, want {want!r}")


# Occupancy on sm_80. 255 registers per thread: 8160 per warp, allocated as 8192, so 8 warps of
# the 64K registers fit: one 256-thread block, 12.5%.
occ = ptx_report.occupancy(255, 256, 0)
expect("255 regs, 256 threads", (occ["blocks_per_sm"], occ["occupancy"], occ["limited_by"]),
       (1, 0.125, "registers"))
# 32 registers: 1024 per warp, 64 warps fit; the 2048-thread limit binds at the same point.
occ = ptx_report.occupancy(32, 256, 0)
expect("32 regs, 256 threads", (occ["blocks_per_sm"], occ["occupancy"]), (8, 1.0))
# 33 registers round up to 1280 per warp: 51 warps, 6 blocks of 8 warps, 75%.
occ = ptx_report.occupancy(33, 256, 0)
expect("33 regs, 256 threads", (occ["blocks_per_sm"], occ["occupancy"], occ["limited_by"]),
       (6, 0.75, "registers"))
# 64 one-warp blocks would fit the warps, but only 32 blocks run on an SM: 50%.
occ = ptx_report.occupancy(16, 32, 0)
expect("16 regs, 32 threads", (occ["blocks_per_sm"], occ["occupancy"], occ["limited_by"]),
       (32, 0.5, "blocks"))
# 48 KB of shared memory plus the 1 KB reserve: 3 blocks in 164 KB.
occ = ptx_report.occupancy(16, 128, 48 * 1024)
expect("48 KB shared, 128 threads", (occ["blocks_per_sm"], occ["limited_by"]), (3, "shared"))
# Launch arguments: constants, constant expressions (staged tiles' shared bytes), symbols.
expect("as_int constant", ptx_report.as_int("(uint32)16"), 16)
expect("as_int expression", ptx_report.as_int("0 + (768*4)"), 3072)
expect("as_int symbolic", ptx_report.as_int("t352*4"), None)
# 100 threads are 4 warps (the last one partial).
occ = ptx_report.occupancy(16, 100, 0)
expect("100 threads", occ["blocks_per_sm"], 16)

# sm_86: 48 warps per SM. 256 threads at 32 registers: 6 blocks, all 48 warps; at 255 registers
# one block of 8 warps, 1/6.
occ = ptx_report.occupancy(32, 256, 0, ptx_report.SM86)
expect("sm_86 32 regs", (occ["blocks_per_sm"], occ["occupancy"]), (6, 1.0))
occ = ptx_report.occupancy(255, 256, 0, ptx_report.SM86)
expect("sm_86 255 regs", (occ["blocks_per_sm"], round(occ["occupancy"], 4)), (1, round(1 / 6, 4)))
# 48 KB of shared memory: 2 blocks in 100 KB.
occ = ptx_report.occupancy(16, 128, 48 * 1024, ptx_report.SM86)
expect("sm_86 48 KB shared", (occ["blocks_per_sm"], occ["limited_by"]), (2, "shared"))

# Parsing: the kernel header, the NUL-terminated PTX and the launch's block, thread and shared
# arguments (constants and symbolic expressions with nested parentheses).
stmt = ("// kernel M_k3_matmul (attn.add at m.attn:1:2)\n"
        "module name=M_k3_matmul, target=x86-64-linux-cuda\n"
        "buffer cuda_gpu_source_kernels = {\n" + ptx_report.BANNER + "\n//\n.version 7.0\n"
        ".target sm_80\n.visible .entry _kernel_a(\n)\n{\n\tret;\n}\n\0\n}\n"
        " let r = halide_cuda_run(cuda[0], \"_kernel_a\", (x.extent.1 + 15)/16, max(y, 1), 1, "
        "16, 16, 1, 0, (void *)make_struct((int64)8))\n"
        " let s = halide_cuda_run(cuda[0], \"_kernel_b\", 1, 1, 1, 64, t3, 1, (uint32)512, 0)\n"
        "// kernel M_k4_pointwise (attn.relu at m.attn:3:4)\nmodule name=M_k4_pointwise\n")
modules = ptx_report.split_modules(stmt)
expect("modules", len(modules), 1)  # the second kernel has no PTX
kernel, op, ptx, launches = modules[0]
expect("kernel", (kernel, op), ("M_k3_matmul", "attn.add"))
expect("ptx ends at the NUL", ptx.rstrip().endswith("}"), True)
expect("ptx starts at the banner", ptx.startswith(ptx_report.BANNER), True)
expect("launch a threads", launches["_kernel_a"]["threads"], [16, 16, 1])
expect("launch a blocks", launches["_kernel_a"]["blocks"], ["(x.extent.1 + 15)/16", "max(y, 1)", "1"])
expect("launch a shared", launches["_kernel_a"]["dynamic_shared"], 0)
expect("launch b threads", launches["_kernel_b"]["threads"], [64, None, 1])
expect("launch b shared", launches["_kernel_b"]["dynamic_shared"], 512)
expect("family", ptx_report.family("SentenceEncoder_k10_matmul"), "matmul")
expect("family attention", ptx_report.family("M_k2_attention"), "attention")

for f in failures:
    print(f"test_ptx_report: FAIL {f}")
print(f"test_ptx_report: {'FAIL' if failures else 'PASS'}")
sys.exit(1 if failures else 0)
