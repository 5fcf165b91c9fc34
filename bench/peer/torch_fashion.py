#!/usr/bin/python3
"""PyTorch peer for the Fashion-MNIST benchmark (bench/Nonlinear.Benchmarks fashion-mnist).

The same models, data, optimizer and batch as the C# side, as in ../shared/peer/pytorch_peer.py:
  mlp: Linear(784,256) ReLU Linear(256,128) ReLU Linear(128,10)
  cnn: Unflatten(1,28,28) Conv2d(1,32,3) ReLU MaxPool2d(2) Conv2d(32,64,3) ReLU MaxPool2d(2) Flatten
       Linear(1600,128) ReLU Linear(128,10)                                    (225,034 parameters)
  data: the Fashion-MNIST IDX files (pixels / 255, no other normalisation), batch 128, reshuffled each epoch
  optimizer: torch.optim.SGD(lr=0.05, momentum=0.9); loss F.cross_entropy
An epoch is timed from the first batch to the last optimizer step (no evaluation inside); after each epoch the
test accuracy on all 10,000 test images is measured (untimed). Inference (model.eval(), torch.no_grad()):
batch-1 latency = median of single-image forwards; batch-1000 = median time of a 1000-image forward.

Prints one JSON object per line:
  {"kind":"info", "torch":..., "blas":...}
  {"kind":"epoch", "model":"mlp", "threads":T, "epoch":e, "seconds":s, "batches":b, "samples":n, "test_accuracy":a}
  {"kind":"inference", "model":"mlp", "threads":T, "batch1_seconds":s, "batch1000_seconds":s}
  {"kind":"onnx", "model":"mlp", "threads":T, "path":p, "input_shape":[1, ...]}   (with --onnx-dir only)
With --onnx-dir DIR, each trained model is also exported by torch.onnx.export (opset 17, input "input" with a
symbolic batch, output "output": the logits) to DIR/<model>-t<T>.onnx, for the C# side to run in ONNX Runtime.
The CNN is exported from its first convolution on (torch 1.13 cannot export nn.Unflatten): input [N, 1, 28, 28].
Threads: torch.set_num_threads(T) and openblas_set_num_threads(T) (Debian's torch multiplies in OpenBLAS,
whose pool set_num_threads does not reach).
Usage: torch_fashion.py --data DIR [--models mlp,cnn] [--threads 2] [--epochs 2] [--model-epochs cnn-bn=1,...] [--batches N]
                        [--quick] [--onnx-dir DIR]
--model-epochs overrides --epochs for the models it names (PyTorch's cnn-bn epochs take about 2 minutes each).
"""
import argparse, gzip, json, statistics, sys, time

try:
    import numpy as np
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as e:
    print(json.dumps({"kind": "error", "message": f"import failed: {e}"}), flush=True)
    sys.exit(3)

ap = argparse.ArgumentParser()
ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
ap.add_argument("--models", default="mlp,cnn")
ap.add_argument("--threads", default="2")
ap.add_argument("--epochs", type=int, default=2)
ap.add_argument("--model-epochs", default="",
                help="model=epochs entries overriding --epochs for those models, e.g. cnn-bn=1,cnn-bn-nobn=1")
ap.add_argument("--batches", type=int, default=0, help="stop each epoch after this many batches (0: the whole epoch)")
ap.add_argument("--quick", action="store_true")
ap.add_argument("--onnx-dir", default="", help="also export each trained model to DIR/<model>-t<T>.onnx")
args = ap.parse_args()
try:
    model_epochs = {m: int(e) for m, e in (entry.split("=") for entry in args.model_epochs.split(",") if entry)}
except ValueError:
    ap.error("--model-epochs takes model=epochs entries, e.g. cnn-bn=1,cnn-bn-nobn=1")
if any(e < 1 for e in model_epochs.values()):
    ap.error("--model-epochs: every model needs at least 1 epoch")


def emit(obj):
    print(json.dumps(obj), flush=True)


try:
    import ctypes
    _openblas = ctypes.CDLL("libopenblas.so.0")
    _openblas.openblas_get_config.restype = ctypes.c_char_p
    BLAS = _openblas.openblas_get_config().decode()
except (OSError, AttributeError):
    _openblas, BLAS = None, "not OpenBLAS"


def set_threads(t):
    torch.set_num_threads(t)
    if _openblas is not None:
        _openblas.openblas_set_num_threads(t)


def load(split):
    def read(name, offset):
        path = f"{args.data}/{name}"
        try:
            raw = gzip.open(path + ".gz").read()
        except FileNotFoundError:
            raw = open(path, "rb").read()
        return np.frombuffer(raw, np.uint8, offset=offset)
    img = read(f"{split}-images-idx3-ubyte", 16)
    lab = read(f"{split}-labels-idx1-ubyte", 8)
    return torch.tensor(img.reshape(-1, 784).astype(np.float32) / 255), torch.tensor(lab.astype(np.int64))


def build(kind):
    if kind == "mlp":
        return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    if kind in ("cnn-bn", "cnn-bn-nobn"):
        bn = (lambda c: [nn.BatchNorm2d(c)]) if kind == "cnn-bn" else (lambda c: [])
        return nn.Sequential(nn.Unflatten(1, (1, 28, 28)), nn.Conv2d(1, 64, 3, padding=1), *bn(64), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Conv2d(64, 64, 3, padding=1), *bn(64), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                             nn.Dropout(0.25), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))
    return nn.Sequential(nn.Unflatten(1, (1, 28, 28)), nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(1600, 128), nn.ReLU(), nn.Linear(128, 10))


def export_onnx(model, kind, T):
    """Writes the trained model as ONNX (logits out) and reports its path; nn.Unflatten is left out (not exportable)."""
    import os
    path = os.path.join(args.onnx_dir, f"{kind}-t{T}.onnx")
    body, shape = (model[1:], [1, 1, 28, 28]) if isinstance(model[0], nn.Unflatten) else (model, [1, 784])
    torch.onnx.export(body, torch.zeros(shape), path, input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "N"}, "output": {0: "N"}}, opset_version=17)
    emit({"kind": "onnx", "model": kind, "threads": T, "path": path, "input_shape": shape})


def median_time(f, reps):
    for _ in range(min(20, reps)):
        f()
    ts = []
    for _ in range(reps):
        t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
    return statistics.median(ts)


emit({"kind": "info", "torch": torch.__version__, "blas": BLAS})
xtr, ytr = load("train")
xte, yte = load("t10k")
n, bs = xtr.shape[0], 128
max_batches = args.batches or (100 if args.quick else 10**9)
for T in [int(t) for t in args.threads.split(",") if t]:
    set_threads(T)
    for kind in [m for m in args.models.split(",") if m]:
        torch.manual_seed(1)
        model = build(kind)
        opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        for e in range(model_epochs.get(kind, args.epochs)):
            model.train()
            perm = torch.randperm(n)
            b = 0
            t = time.perf_counter()
            for i in range(0, n, bs):
                if b >= max_batches:
                    break
                idx = perm[i:i + bs]
                loss = F.cross_entropy(model(xtr[idx]), ytr[idx])
                opt.zero_grad(); loss.backward(); opt.step()
                b += 1
            s = time.perf_counter() - t
            model.eval()
            with torch.no_grad():
                acc = (model(xte).argmax(1) == yte).float().mean().item()
            emit({"kind": "epoch", "model": kind, "threads": T, "epoch": e + 1, "seconds": s, "batches": b,
                  "samples": min(n, b * bs), "test_accuracy": acc})
            print(f"  torch T={T} {kind} epoch {e + 1}: {s:.2f}s for {b} batches, test acc {acc:.4f}", file=sys.stderr, flush=True)
        model.eval()
        with torch.no_grad():
            one, k = xte[:1], xte[:1000]
            lat = median_time(lambda: model(one), 200 if args.quick else 2000)
            thr = median_time(lambda: model(k), 10 if args.quick else 50)
        emit({"kind": "inference", "model": kind, "threads": T, "batch1_seconds": lat, "batch1000_seconds": thr})
        print(f"  torch T={T} {kind} inference: batch-1 {lat * 1e6:.1f} us, batch-1000 {thr * 1e3:.2f} ms", file=sys.stderr, flush=True)
        if args.onnx_dir:
            export_onnx(model, kind, T)
