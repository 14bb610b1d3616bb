"""Runs a command and checks how it ends: `expect_exit.py STATUS SECONDS COMMAND...`.

Succeeds when the command exits with exactly STATUS within SECONDS (so a crash, an abort, a hang
or the internal-error status 2 all fail). The command's standard error is copied to standard
output for FileCheck, each line cut to 300 bytes: a diagnostic echoes its source line, which
may be megabytes long or not text at all.
"""
import subprocess
import sys

status, seconds, command = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3:]
try:
    run = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         timeout=seconds)
except subprocess.TimeoutExpired:
    print(f"expect_exit: no exit within {seconds:g} s")
    sys.exit(1)
for line in run.stderr.splitlines():
    sys.stdout.buffer.write(line[:300] + b"\n")
sys.stdout.flush()
if run.returncode != status:
    print(f"expect_exit: exit status {run.returncode}, expected {status}")
    sys.exit(1)
