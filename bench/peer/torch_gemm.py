#!/usr/bin/python3
"""PyTorch peer for the matrix-multiply benchmark (bench/Nonlinear.Benchmarks gemm).

For each shape M x K x N (C[M, N] = A[M, K] B[K, N], float32, contiguous, values ~ U(-1, 1)) and thread count T:
torch.mm(a, b, out=c) timed exactly as the C# side times ours: warm-up, then `samples` samples of `inner`
back-to-back calls each (inner chosen so that a sample lasts ~20 ms); the median per-call time.
Threads: torch.set_num_threads(T) and, because Debian's torch does its matrix products in OpenBLAS (pthread
build) whose own thread pool set_num_threads does not reach, openblas_set_num_threads(T) too (as
torch_training.py does).

Prints one JSON object per line to stdout:
  {"kind":"info", "torch":..., "blas": openblas_get_config(), ...}
  {"kind":"gemm", "m":M, "k":K, "n":N, "threads":T, "median_seconds":s, "min_seconds":s, "calls":n}
Usage: torch_gemm.py --shapes 128x128x128,128x784x256 [--threads 1,2] [--quick]
"""
import argparse, json, statistics, sys, time

try:
    import torch
except ImportError as e:  # the C# side prints the install hint
    print(json.dumps({"kind": "error", "message": f"import failed: {e}"}), flush=True)
    sys.exit(3)

ap = argparse.ArgumentParser()
ap.add_argument("--shapes", required=True)
ap.add_argument("--threads", default="1,2")
ap.add_argument("--quick", action="store_true")
args = ap.parse_args()
shapes = [tuple(int(x) for x in s.split("x")) for s in args.shapes.split(",") if s]
threads = [int(s) for s in args.threads.split(",") if s]
SAMPLES, SAMPLE_SECONDS = (7, 0.01) if args.quick else (15, 0.02)

try:
    import ctypes
    _openblas = ctypes.CDLL("libopenblas.so.0")
    _openblas.openblas_get_config.restype = ctypes.c_char_p
    BLAS = _openblas.openblas_get_config().decode()
except (OSError, AttributeError):
    _openblas, BLAS = None, "not OpenBLAS (libopenblas.so.0 not loadable)"


def set_threads(t):
    torch.set_num_threads(t)
    if _openblas is not None:
        _openblas.openblas_set_num_threads(t)


def emit(obj):
    print(json.dumps(obj), flush=True)


emit({"kind": "info", "torch": torch.__version__, "python": sys.version.split()[0], "blas": BLAS})
torch.manual_seed(0)
for T in threads:
    set_threads(T)
    for (m, k, n) in shapes:
        a = torch.rand(m, k) * 2 - 1
        b = torch.rand(k, n) * 2 - 1
        c = torch.empty(m, n)
        f = lambda: torch.mm(a, b, out=c)
        # Warm-up and calibration: calls per sample so that a sample lasts SAMPLE_SECONDS.
        f()
        t = time.perf_counter()
        calls = 0
        while time.perf_counter() - t < 0.4 or calls < 3:
            f()
            calls += 1
        per_call = (time.perf_counter() - t) / calls
        inner = max(1, int(SAMPLE_SECONDS / per_call))
        ts = []
        for _ in range(SAMPLES):
            t = time.perf_counter()
            for _ in range(inner):
                f()
            ts.append((time.perf_counter() - t) / inner)
        emit({"kind": "gemm", "m": m, "k": k, "n": n, "threads": T, "median_seconds": statistics.median(ts),
              "min_seconds": min(ts), "calls": inner * SAMPLES})
        print(f"torch T={T} {m}x{k}x{n}: {2 * m * k * n / statistics.median(ts) / 1e9:.1f} GFLOP/s", file=sys.stderr, flush=True)
