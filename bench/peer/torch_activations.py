#!/usr/bin/python3
"""PyTorch peer for the activation side-by-side benchmark (bench/Nonlinear.Benchmarks side-by-side).

Prints one JSON object per line to stdout:
  {"kind":"info", "torch":..., "numpy":..., ...}
  {"kind":"copy", "n":N, "threads":T, "copy_seconds":s}
  {"kind":"op", "name":..., "n":N, "rows":R, "cols":C, "elements":E, "threads":T,
   "fwd_seconds":s, "fwdbwd_seconds":s, "copy_seconds":s}
Progress goes to stderr. Method (mirrors the C# side):
  * input torch.randn(E) with torch.manual_seed(0); dy = ones (allocated once, not timed);
  * forward = the out-of-place functional call (F.relu(x), torch.sigmoid(x), ...); identity = x.clone();
  * forward+backward = y = f(xg); y.backward(dy); xg.grad = None   (xg = x.requires_grad_());
  * copy baseline = dst.copy_(src) on preallocated N-float tensors;
  * each sample times `inner` back-to-back calls (inner = max(1, 65536 // N)); the result is the median over
    `reps` samples divided by inner, after a warm-up of >= 0.2 s (and >= 3 calls).
Usage: torch_activations.py [--sizes 4096,1048576,16777216] [--threads 1,2] [--quick] [--ops relu,gelu]
"""
import argparse, json, statistics, sys, time

try:
    import numpy as np
    import torch
    import torch.nn.functional as F
except ImportError as e:  # the C# side prints the install hint
    print(json.dumps({"kind": "error", "message": f"import failed: {e}"}), flush=True)
    sys.exit(3)

ap = argparse.ArgumentParser()
ap.add_argument("--sizes", default="4096,1048576,16777216")
ap.add_argument("--threads", default="1,2")
ap.add_argument("--quick", action="store_true")
ap.add_argument("--ops", default="")
args = ap.parse_args()
sizes = [int(s) for s in args.sizes.split(",") if s]
threads = [int(s) for s in args.threads.split(",") if s]

OPS = [  # (name as in ActivationRegistry spec, function, 2-D row length or None)
    ("identity", lambda t: t.clone(), None),
    ("sigmoid", torch.sigmoid, None),
    ("tanh", torch.tanh, None),
    ("relu", F.relu, None),
    ("leaky_relu", lambda t: F.leaky_relu(t, 0.01), None),
    ("elu", F.elu, None),
    ("selu", F.selu, None),
    ("gelu", F.gelu, None),
    ("gelu:tanh", lambda t: F.gelu(t, approximate="tanh"), None),
    ("silu", F.silu, None),
    ("mish", F.mish, None),
    ("softplus", F.softplus, None),
    ("softsign", F.softsign, None),
    ("hardsigmoid", F.hardsigmoid, None),
    ("hardswish", F.hardswish, None),
    ("relu6", F.relu6, None),
    ("hardtanh", F.hardtanh, None),
    ("log_sigmoid", F.logsigmoid, None),
    ("sin", torch.sin, None),
    ("gaussian", lambda t: torch.exp(-t * t), None),  # no PyTorch function: what a user would write
    # step: torch.heaviside has no backward (autograd raises), so there is nothing to time for forward+backward.
    ("softmax", lambda t: F.softmax(t, dim=-1), 10),
    ("softmax", lambda t: F.softmax(t, dim=-1), 1000),
    ("log_softmax", lambda t: F.log_softmax(t, dim=-1), 10),
    ("log_softmax", lambda t: F.log_softmax(t, dim=-1), 1000),
]
only = set(o for o in args.ops.split(",") if o)


def reps_for(n):
    r = 2000 if n <= 4096 else 50 if n <= 1 << 20 else 8
    return max(3, r // 5) if args.quick else r


def measure(f, n):
    inner = max(1, 65536 // n)
    warm, count, t0 = (0.05 if args.quick else 0.2), 0, time.perf_counter()
    while count < 3 or time.perf_counter() - t0 < warm:
        f(); count += 1
    ts = []
    for _ in range(reps_for(n)):
        t = time.perf_counter()
        for _ in range(inner):
            f()
        ts.append((time.perf_counter() - t) / inner)
    return statistics.median(ts)


def emit(obj):
    print(json.dumps(obj), flush=True)


emit({"kind": "info", "torch": torch.__version__, "numpy": np.__version__, "python": sys.version.split()[0],
      "parallel": torch.__config__.parallel_info().splitlines()[-1].strip() if torch.__config__.parallel_info() else ""})

for T in threads:
    torch.set_num_threads(T)
    for n in sizes:
        torch.manual_seed(0)
        src = torch.randn(n)
        dst = torch.empty_like(src)
        cp = measure(lambda: dst.copy_(src), n)
        emit({"kind": "copy", "n": n, "threads": T, "copy_seconds": cp})
        del dst
        for name, f, cols in OPS:
            if only and name not in only:
                continue
            if cols is None:
                rows, c = 1, n
                x = src
            else:
                rows, c = n // cols, cols
                x = src[: rows * c].view(rows, c)
            y = f(x)  # one call outside timing
            fw = measure(lambda: f(x), n)
            xg = x.detach().clone().requires_grad_(True)
            g = torch.ones_like(y)

            def fb():
                yy = f(xg)
                yy.backward(g)
                xg.grad = None

            fbt = measure(fb, n)
            emit({"kind": "op", "name": name, "n": n, "rows": rows, "cols": c, "elements": rows * c, "threads": T,
                  "fwd_seconds": fw, "fwdbwd_seconds": fbt, "copy_seconds": cp})
            print(f"  torch T={T} N={n} {name} [{rows},{c}] fwd {fw*1e9/(rows*c):.3f} ns/elem fwd+bwd {fbt*1e9/(rows*c):.3f} ns/elem",
                  file=sys.stderr, flush=True)
            del y, xg, g
