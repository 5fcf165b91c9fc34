#!/usr/bin/env bash
# The test command: installs what a fresh Debian machine lacks, then runs every test, then the library and CLI tests
# again at two narrower instruction-set levels (DOTNET_EnableAVX512=0: AVX2 is the widest, .NET 10 ignores the older
# DOTNET_EnableAVX512F; DOTNET_EnableAVX=0:
# 128-bit vectors only, the stand-in for ARM64 NEON and WebAssembly), so that every SIMD path is tested.
#   ./test.sh                  all tests
#   ./test.sh --filter X       any extra arguments go to dotnet test
# System packages, each checked by a file it installs:
#  - dataset-fashion-mnist (~30 MB): the full Fashion-MNIST for the FullData tests (the subset in data/ serves the rest).
#  - wamerican (~1 MB): Debian's English word list /usr/share/dict/words, for the word-list FullData test.
#  - fonts-dejavu-core: DejaVu Sans, the font every Nonlinear.Plots chart names; without a font file Skia draws no text.
#  - chromium: Debian's browser, which the web app's browser tests drive with Playwright (no browser download).
#  - python3-torch (PyTorch 1.13 for /usr/bin/python3) and libopenblas0-pthread (makes it fast): the PyTorch export
#    tests import the generated modules and compare their outputs with ours (they fail, not skip, without them).
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v dotnet >/dev/null 2>&1; then
  echo "error: the .NET 10 SDK (dotnet) is not on PATH; install it first" >&2
  exit 2
fi

PACKAGES=()
[ -f /usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz ] || PACKAGES+=(dataset-fashion-mnist)
[ -f /usr/share/dict/american-english ] || PACKAGES+=(wamerican)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || PACKAGES+=(fonts-dejavu-core)
[ -x /usr/lib/chromium/chromium ] || PACKAGES+=(chromium)
[ -f /usr/lib/python3/dist-packages/torch/__init__.py ] || PACKAGES+=(python3-torch)
compgen -G "/usr/lib/*/openblas-pthread/libopenblas.so.0" >/dev/null || PACKAGES+=(libopenblas0-pthread)
if [ ${#PACKAGES[@]} -gt 0 ]; then
  echo "installing: ${PACKAGES[*]}"
  SUDO=""
  if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get install -y -q "${PACKAGES[@]}" || { $SUDO apt-get update -q && $SUDO apt-get install -y -q "${PACKAGES[@]}"; }
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet test Nonlinear.slnx -c Release "$@"
for level in DOTNET_EnableAVX512=0 DOTNET_EnableAVX=0; do
  echo "== library and CLI tests again with $level"
  env "$level" dotnet test tests/Nonlinear.Tests -c Release --no-build "$@"
done
