#!/usr/bin/python3
"""PyTorch peer for the sequence benchmark (bench/Nonlinear.Benchmarks sequences).

The same models, data, optimizer and batch as the C# side:
  words-lstm / words-gru / words-rnn: nn.Embedding(27, 32) -> nn.LSTM / nn.GRU / nn.RNN(tanh) (32 -> 128,
      batch_first, one layer) over every step -> nn.Linear(128, 27) at every step
      (ours: embedding:27:32,<cell>:128:seq,dense:27)
  words-transformer: nn.Embedding(27, 64) + learned positions [23, 64] (N(0, 0.02^2)) ->
      nn.TransformerEncoderLayer(64, nhead=4, dim_feedforward=256, dropout=0, activation='gelu',
      batch_first=True, norm_first=True) with a causal mask -> nn.Linear(64, 27) at every step
      (ours: embedding:27:64,positions:learned,transformer:d=64,heads=4,ff=256:causal,dense:27)
  fashion-lstm: Fashion-MNIST images as 28 rows of 28 pixels (/ 255) -> nn.LSTM(28, 128, batch_first) -> the
      last hidden state -> nn.Linear(128, 10)   (ours: lstm:128,dense:10)
  words: the split files written by the C# side (WordList.WriteSplit: train.txt, validation.txt, test.txt, one
      word per line), encoded as CharacterVocabulary does: boundary id 0, a..z = 1..26; inputs = boundary +
      letters, targets = letters + boundary, padded to T = 23 steps with input 0 and target -1.
  loss: F.cross_entropy(logits.reshape(-1, K), targets.reshape(-1), ignore_index=-1) (mean over real steps:
      nats per character); fashion: F.cross_entropy.
  optimizer: torch.optim.Adam(lr=3e-3) (betas 0.9, 0.999, eps 1e-8); batch 128.

Step: opt.zero_grad(); loss = ...; loss.backward(); opt.step() on a fixed pool of 16 batches (the first 16*128
training words in file order, or the first 16*128 training images), used in turn; after a warm-up, each of many
steps is timed alone and the median reported.
Epoch: the whole training set reshuffled (torch.randperm, seed 1), timed from the first batch to the last
optimizer step; after each epoch (untimed) the validation and test loss in nats per character (words) or the test
accuracy (fashion), measured with model.eval() and torch.no_grad() in batches of 1000.

Prints one JSON object per line:
  {"kind":"info", "torch":..., "blas":...}
  {"kind":"step", "case":c, "threads":T, "median_seconds":s, "min_seconds":s, "steps":n, "loss":l}
  {"kind":"epoch", "case":c, "threads":T, "epoch":e, "seconds":s, "batches":b, "train_loss":l,
   "validation_loss":l, "test_loss":l, "test_accuracy":a}   (words: accuracy null; fashion: losses of the test set)
Threads: torch.set_num_threads(T) and openblas_set_num_threads(T) (Debian's torch multiplies in OpenBLAS,
whose pool set_num_threads does not reach).
Usage: torch_sequences.py --split DIR [--fashion DIR] [--cases words-lstm,...] [--threads 2] [--epochs 1]
                          [--batches N] [--steps 100] [--quick]
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
ap.add_argument("--split", required=True, help="directory with train.txt, validation.txt, test.txt")
ap.add_argument("--fashion", default="/usr/share/datasets/fashion-mnist")
ap.add_argument("--cases", default="words-lstm,words-gru,words-rnn,words-transformer,fashion-lstm")
ap.add_argument("--threads", default="2")
ap.add_argument("--epochs", type=int, default=1)
ap.add_argument("--batches", type=int, default=0, help="stop each epoch after this many batches (0: the whole epoch)")
ap.add_argument("--steps", type=int, default=100, help="timed training steps per case")
ap.add_argument("--steps-only", action="store_true", help="time the steps, train no epochs")
ap.add_argument("--quick", action="store_true")
args = ap.parse_args()

STEPS = 23          # WordList.MaxSteps: the longest word (22 letters) + the boundary
SYMBOLS = 27        # CharacterVocabulary.SymbolCount
BATCH = 128
POOL = 16
LR = 3e-3


def emit(obj):
    print(json.dumps(obj), flush=True)


def log(text):
    print(text, file=sys.stderr, flush=True)


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


# ------------------------------------------------------------------ data

def encode(words):
    """CharacterVocabulary.Encode + WordBatch padding: inputs [N, 23] (pad 0), targets [N, 23] (pad -1)."""
    x = np.zeros((len(words), STEPS), np.int64)
    y = np.full((len(words), STEPS), -1, np.int64)
    for i, w in enumerate(words):
        ids = [ord(c) - ord('a') + 1 for c in w]
        if len(ids) + 1 > STEPS or any(not 1 <= k <= 26 for k in ids):
            raise ValueError(f"word {w!r} is not 1-22 letters a-z")
        x[i, 1:len(ids) + 1] = ids
        y[i, :len(ids)] = ids
        y[i, len(ids)] = 0
    return torch.from_numpy(x), torch.from_numpy(y)


def read_words(name):
    with open(f"{args.split}/{name}", encoding="ascii") as f:
        return [line.strip() for line in f if line.strip()]


def load_fashion(split):
    def read(name, offset):
        path = f"{args.fashion}/{name}"
        try:
            raw = gzip.open(path + ".gz").read()
        except FileNotFoundError:
            raw = open(path, "rb").read()
        return np.frombuffer(raw, np.uint8, offset=offset)
    img = read(f"{split}-images-idx3-ubyte", 16)
    lab = read(f"{split}-labels-idx1-ubyte", 8)
    return torch.tensor(img.reshape(-1, 28, 28).astype(np.float32) / 255), torch.tensor(lab.astype(np.int64))


# ------------------------------------------------------------------ models

class WordModel(nn.Module):
    def __init__(self, cell):
        super().__init__()
        self.cell = cell
        if cell == "transformer":
            self.embedding = nn.Embedding(SYMBOLS, 64)
            self.positions = nn.Parameter(torch.randn(STEPS, 64) * 0.02)
            self.block = nn.TransformerEncoderLayer(64, 4, dim_feedforward=256, dropout=0.0, activation="gelu",
                                                    batch_first=True, norm_first=True)
            self.register_buffer("mask", torch.triu(torch.full((STEPS, STEPS), float("-inf")), diagonal=1))
            self.out = nn.Linear(64, SYMBOLS)
        else:
            self.embedding = nn.Embedding(SYMBOLS, 32)
            make = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": lambda i, h, batch_first: nn.RNN(i, h, nonlinearity="tanh", batch_first=batch_first)}[cell]
            self.rnn = make(32, 128, batch_first=True)
            self.out = nn.Linear(128, SYMBOLS)

    def forward(self, x):
        h = self.embedding(x)
        if self.cell == "transformer":
            h = self.block(h + self.positions, src_mask=self.mask)
        else:
            h, _ = self.rnn(h)
        return self.out(h)


class RowsModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(28, 128, batch_first=True)
        self.out = nn.Linear(128, 10)

    def forward(self, x):
        h, _ = self.rnn(x)
        return self.out(h[:, -1])


def word_loss(logits, y, reduction="mean"):
    return F.cross_entropy(logits.reshape(-1, SYMBOLS), y.reshape(-1), ignore_index=-1, reduction=reduction)


# ------------------------------------------------------------------ measurements

def step_time(model, loss_fn, pool):
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    state = {"i": 0, "loss": 0.0}

    def step():
        x, y = pool[state["i"] % len(pool)]
        state["i"] += 1
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    warm = 10 if args.quick else 20
    t0 = time.perf_counter()
    k = 0
    while k < warm or time.perf_counter() - t0 < (0.5 if args.quick else 2.0):
        step(); k += 1
    n = max(5, args.steps // 3 if args.quick else args.steps)
    ts = []
    for _ in range(n):
        t = time.perf_counter()
        loss = step()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts), min(ts), n, loss.item()


def mean_word_loss(model, x, y):
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for i in range(0, x.shape[0], 1000):
            total += word_loss(model(x[i:i + 1000]), y[i:i + 1000], reduction="sum").item()
            count += int((y[i:i + 1000] != -1).sum())
    model.train()
    return total / count


def fashion_eval(model, x, y):
    model.eval()
    correct, total = 0, 0.0
    with torch.no_grad():
        for i in range(0, x.shape[0], 1000):
            logits = model(x[i:i + 1000])
            total += F.cross_entropy(logits, y[i:i + 1000], reduction="sum").item()
            correct += int((logits.argmax(1) == y[i:i + 1000]).sum())
    model.train()
    return total / x.shape[0], correct / x.shape[0]


def train_epochs(case, T, make, loss_fn, xtr, ytr, evaluate):
    torch.manual_seed(1)
    model = make()
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    gen = torch.Generator().manual_seed(1)
    n = xtr.shape[0]
    max_batches = args.batches or 10**9
    for e in range(args.epochs):
        model.train()
        perm = torch.randperm(n, generator=gen)
        b, total = 0, 0.0
        t = time.perf_counter()
        for i in range(0, n, BATCH):
            if b >= max_batches:
                break
            idx = perm[i:i + BATCH]
            opt.zero_grad()
            loss = loss_fn(model(xtr[idx]), ytr[idx])
            loss.backward()
            opt.step()
            total += loss.item()
            b += 1
        s = time.perf_counter() - t
        record = {"kind": "epoch", "case": case, "threads": T, "epoch": e + 1, "seconds": s, "batches": b,
                  "train_loss": total / b}
        record.update(evaluate(model))
        emit(record)
        log(f"  torch T={T} {case} epoch {e + 1}: {s:.1f}s for {b} batches, train loss {total / b:.4f}, "
            + ", ".join(f"{k} {v:.4f}" for k, v in record.items() if k.endswith(("_loss", "_accuracy")) and v is not None and k != "train_loss"))


emit({"kind": "info", "torch": torch.__version__, "blas": BLAS})
cases = [c for c in args.cases.split(",") if c]
words = None
if any(c.startswith("words-") for c in cases):
    words = {name: encode(read_words(f"{name}.txt")) for name in ("train", "validation", "test")}
fashion = None
if "fashion-lstm" in cases:
    fashion = (load_fashion("train"), load_fashion("t10k"))

for T in [int(t) for t in args.threads.split(",") if t]:
    set_threads(T)
    for case in cases:
        if case.startswith("words-"):
            cell = case[len("words-"):]
            make = lambda cell=cell: WordModel(cell)
            xtr, ytr = words["train"]
            loss_fn = word_loss

            def evaluate(model):
                return {"validation_loss": mean_word_loss(model, *words["validation"]),
                        "test_loss": mean_word_loss(model, *words["test"]), "test_accuracy": None}
        elif case == "fashion-lstm":
            make = RowsModel
            (xtr, ytr), (xte, yte) = fashion
            loss_fn = F.cross_entropy

            def evaluate(model):
                loss, acc = fashion_eval(model, xte, yte)
                return {"validation_loss": None, "test_loss": loss, "test_accuracy": acc}
        else:
            emit({"kind": "error", "message": f"unknown case {case!r}"})
            sys.exit(2)

        torch.manual_seed(1)
        pool = [(xtr[i * BATCH:(i + 1) * BATCH], ytr[i * BATCH:(i + 1) * BATCH]) for i in range(POOL)]
        med, low, n, loss = step_time(make(), loss_fn, pool)
        emit({"kind": "step", "case": case, "threads": T, "median_seconds": med, "min_seconds": low, "steps": n, "loss": loss})
        log(f"  torch T={T} {case} step: {med * 1e3:.2f} ms median (min {low * 1e3:.2f}) over {n} steps, loss {loss:.4f}")
        if not args.steps_only and args.epochs > 0:
            train_epochs(case, T, make, loss_fn, xtr, ytr, evaluate)
