#!/usr/bin/python3
"""PyTorch peer for the training-step benchmark (bench/Nonlinear.Benchmarks train-step).

One training step of a dense network, timed exactly as the C# side times ours:
  opt.zero_grad(); logits = model(x); loss = F.cross_entropy(logits, y); loss.backward(); opt.step()
model = nn.Sequential(Linear, ReLU, ..., Linear) (e.g. 64-256-256-10), float32, batch B; a fixed pool of
POOL = 16 batches (x ~ N(0, 1), y ~ U{0..K-1}, torch.manual_seed(0)) used in turn, all allocated before timing
(a single repeated batch is memorised within a few hundred steps and drives the softmax towards denormals). Optimizers: torch.optim.SGD(lr=0.01,
momentum=0.9) and torch.optim.Adam(lr=0.001). zero_grad() is PyTorch 1.13's default (set_to_none=False: the
gradients are zeroed in place, as ours are).

Prints one JSON object per line to stdout:
  {"kind":"info", "torch":..., "numpy":..., "python":..., "parallel":..., "blas": openblas_get_config()}
  {"kind":"step", "model":"64-256-256-10", "optimizer":"sgd", "threads":T, "batch":B,
   "median_seconds":s, "mean_seconds":s, "min_seconds":s, "steps":n, "loss":l}
  {"kind":"gemm", "model":..., "layer":i, "inputs":I, "units":U, "threads":T, "batch":B,
   "fwd_seconds":s, "dw_seconds":s, "dx_seconds":s}
     (the three products of one Linear layer alone: torch.addmm(b, x, W.t()), torch.mm(dy.t(), x) and
      torch.mm(dy, W), preallocated outputs via out=, median of single calls; for the kernel breakdown)
Threads: torch.set_num_threads(T) and, because Debian's torch does its matrix products in OpenBLAS (pthread
build) whose own thread pool set_num_threads does not reach, openblas_set_num_threads(T) too.
Progress goes to stderr. Timing: warm-up >= `warm` seconds (and >= 20 steps), then `samples` samples of
`inner` back-to-back steps each; the median of the per-step times.
Usage: torch_training.py [--models 64-256-256-10,784-256-128-10] [--threads 1,2] [--batch 128]
                         [--optimizers sgd,adam] [--quick]
"""
import argparse, json, statistics, sys, time

try:
    import numpy as np
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as e:  # the C# side prints the install hint
    print(json.dumps({"kind": "error", "message": f"import failed: {e}"}), flush=True)
    sys.exit(3)

ap = argparse.ArgumentParser()
ap.add_argument("--models", default="64-256-256-10,784-256-128-10")
ap.add_argument("--threads", default="1,2")
ap.add_argument("--batch", type=int, default=128)
ap.add_argument("--optimizers", default="sgd,adam")
ap.add_argument("--quick", action="store_true")
args = ap.parse_args()
models = [m for m in args.models.split(",") if m]
threads = [int(s) for s in args.threads.split(",") if s]
optimizers = [o for o in args.optimizers.split(",") if o]
SAMPLES, INNER, WARM = (40, 10, 0.3) if args.quick else (200, 10, 1.0)
POOL = 16


def median_call(f, reps):
    for _ in range(20):
        f()
    ts = []
    for _ in range(reps):
        t = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)


def emit(obj):
    print(json.dumps(obj), flush=True)


def build(widths):
    layers = []
    for i in range(len(widths) - 1):
        layers.append(nn.Linear(widths[i], widths[i + 1]))
        if i < len(widths) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def make_optimizer(name, params):
    if name == "sgd":
        return torch.optim.SGD(params, lr=0.01, momentum=0.9)
    if name == "adam":
        return torch.optim.Adam(params, lr=0.001)
    raise SystemExit(f"unknown optimizer {name}")


# Debian's torch calls OpenBLAS (the pthread build) for its matrix products, and torch.set_num_threads does not
# reach OpenBLAS's own thread pool: without this, "1 thread" would still run every GEMM on all cores.
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


def blas_threads():
    return _openblas.openblas_get_num_threads() if _openblas is not None else None


emit({"kind": "info", "torch": torch.__version__, "numpy": np.__version__, "python": sys.version.split()[0],
      "parallel": torch.__config__.parallel_info().splitlines()[-1].strip() if torch.__config__.parallel_info() else "",
      "blas": BLAS})

for T in threads:
    set_threads(T)
    for spec in models:
        widths = [int(w) for w in spec.split("-")]
        for opt_name in optimizers:
            torch.manual_seed(0)
            xs = [torch.randn(args.batch, widths[0]) for _ in range(POOL)]
            ys = [torch.randint(0, widths[-1], (args.batch,)) for _ in range(POOL)]
            model = build(widths)
            opt = make_optimizer(opt_name, model.parameters())
            counter = [0]

            def step():
                i = counter[0] = (counter[0] + 1) % POOL
                opt.zero_grad()
                loss = F.cross_entropy(model(xs[i]), ys[i])
                loss.backward()
                opt.step()
                return loss

            count, t0 = 0, time.perf_counter()
            while count < 20 or time.perf_counter() - t0 < WARM:
                step(); count += 1
            ts = []
            for _ in range(SAMPLES):
                t = time.perf_counter()
                for _ in range(INNER):
                    loss = step()
                ts.append((time.perf_counter() - t) / INNER)
            med = statistics.median(ts)
            emit({"kind": "step", "model": spec, "optimizer": opt_name, "threads": T, "batch": args.batch,
                  "median_seconds": med, "mean_seconds": statistics.fmean(ts), "min_seconds": min(ts),
                  "steps": SAMPLES * INNER, "loss": float(loss), "blas_threads": blas_threads()})
            print(f"  torch T={T} {spec} {opt_name} batch {args.batch}: {med*1e3:.3f} ms/step "
                  f"(min {min(ts)*1e3:.3f}), loss {float(loss):.4f}", file=sys.stderr, flush=True)

    # The three products of each Linear layer on their own (what our kernel breakdown times for ours).
    for spec in models:
        widths = [int(w) for w in spec.split("-")]
        torch.manual_seed(0)
        for li in range(len(widths) - 1):
            i_, u_ = widths[li], widths[li + 1]
            x, w, b = torch.randn(args.batch, i_), torch.randn(u_, i_), torch.randn(u_)
            dy = torch.randn(args.batch, u_)
            y, dw, dx = torch.empty(args.batch, u_), torch.empty(u_, i_), torch.empty(args.batch, i_)
            reps = 300 if args.quick else 2000
            fw = median_call(lambda: torch.addmm(b, x, w.t(), out=y), reps)
            dwt = median_call(lambda: torch.mm(dy.t(), x, out=dw), reps)
            dxt = median_call(lambda: torch.mm(dy, w, out=dx), reps)
            emit({"kind": "gemm", "model": spec, "layer": li, "inputs": i_, "units": u_, "threads": T, "batch": args.batch,
                  "fwd_seconds": fw, "dw_seconds": dwt, "dx_seconds": dxt})
