"""`check_files.py ATTNC DIR...`: runs `ATTNC check` on every .attn file of each DIR, in name
order, and prints `<file>: exit <status>` for each, then its standard error. Exits 1 when a
check does not exit 0 (or does not end within 60 s)."""
import glob
import os
import subprocess
import sys

attnc, folders = sys.argv[1], sys.argv[2:]
failed = False
for folder in folders:
    for path in sorted(glob.glob(os.path.join(folder, "*.attn"))):
        try:
            run = subprocess.run([attnc, "check", path], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, timeout=60, text=True)
            status = run.returncode
        except subprocess.TimeoutExpired:
            status, run = "timeout", None
        print(f"{os.path.basename(path)}: exit {status}")
        if run is not None:
            sys.stdout.write(run.stderr)
        failed |= status != 0
sys.exit(1 if failed else 0)
