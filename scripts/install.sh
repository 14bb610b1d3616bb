#!/usr/bin/env bash
# Installs everything attn needs on Debian 12, idempotently:
#   1. the Debian packages of DESIGN.md's dependency table (skipped when all are installed);
#   2. a Python venv outside the repository, ${ATTN_VENV:-$HOME/.cache/attn/venv}, made with
#      Debian's python3, holding scripts/requirements.txt. A stamp file in the venv records a
#      hash of requirements.txt; pip runs only when the stamp is missing or stale, so a second
#      run takes seconds and touches no network.
# Should PyPI's torch fail to install, the venv falls back to Debian's python3-torch (1.13): the
# venv is switched to see the system site-packages and the other requirements are installed
# around it (numpy kept below 2, which Debian's torch was built against).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${ATTN_VENV:-$HOME/.cache/attn/venv}"
requirements="$repo/scripts/requirements.txt"
stamp="$venv/.attn-requirements.sha256"

say() { printf 'install: %s\n' "$*"; }

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
fi

apt_install() {
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
}

# --- 1. Debian packages ---------------------------------------------------------------------
apt_packages=(
  libhalide14-0-dev
  libmlir-14-dev mlir-14-tools llvm-14-dev llvm-14-tools
  libgtest-dev libgmock-dev libbenchmark-dev
  libcli11-dev nlohmann-json3-dev libstb-dev
  pocl-opencl-icd ocl-icd-opencl-dev
  cmake ninja-build g++ python3-venv
  clang-14 libclang-rt-14-dev clang-format-14
)

missing=()
for pkg in "${apt_packages[@]}"; do
  status="$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)"
  if [ "${status:0:2}" != "ii" ]; then
    missing+=("$pkg")
  fi
done

apt_updated=0
if [ "${#missing[@]}" -eq 0 ]; then
  say "Debian packages present"
else
  say "installing Debian packages: ${missing[*]}"
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  apt_updated=1
  apt_install "${apt_packages[@]}"
fi

# --- 2. Python venv -------------------------------------------------------------------------
if [ ! -x "$venv/bin/python" ]; then
  say "creating venv $venv"
  mkdir -p "$(dirname "$venv")"
  /usr/bin/python3 -m venv "$venv"
fi

want="$(sha256sum "$requirements" | cut -d' ' -f1)"
have="$(cat "$stamp" 2>/dev/null || true)"
if [ "$want" = "$have" ]; then
  say "venv up to date ($venv)"
  exit 0
fi

pip=("$venv/bin/python" -m pip --disable-pip-version-check -q)
say "installing Python packages into $venv (the first time downloads several GB)"
"${pip[@]}" install --upgrade pip || say "could not upgrade pip; continuing"
if "${pip[@]}" install -r "$requirements"; then
  printf '%s\n' "$want" >"$stamp"
  say "venv ready"
  exit 0
fi

# --- Fallback: Debian's torch -----------------------------------------------------------------
say "pip could not install the requirements; falling back to Debian's python3-torch"
if [ "$apt_updated" -eq 0 ]; then
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
fi
apt_install python3-torch python3-numpy
sed -i 's/^include-system-site-packages = .*/include-system-site-packages = true/' \
  "$venv/pyvenv.cfg"
without_torch="$(mktemp)"
trap 'rm -f "$without_torch"' EXIT
grep -v -E '^[[:space:]]*torch([^a-zA-Z0-9_-]|$)' "$requirements" >"$without_torch"
printf 'numpy<2\n' >>"$without_torch"
if ! "${pip[@]}" install -r "$without_torch"; then
  say "some optional packages failed; installing the core test requirements only"
  "${pip[@]}" install 'numpy<2' safetensors lit
fi
"$venv/bin/python" -c 'import torch, numpy, safetensors; print("install: torch", torch.__version__)'
printf '%s\n' "$want" >"$stamp"
say "venv ready (Debian torch fallback)"
