import torch
from torch import nn

# Backprop multiplies one activation derivative per layer; the sigmoid's is at most 0.25.
print("0.25^10 =", 0.25 ** 10)

# Ten hidden layers of 64 units, one batch of 256 samples, one backward
# pass: the size (L2 norm) of each layer's weight gradient.
torch.manual_seed(1)
x = torch.randn(256, 64)
y = (x @ torch.randn(64, 1) > 0).float()
def he(w):
    return nn.init.kaiming_uniform_(w, nonlinearity="relu")


for name, activation, init in (("sigmoid", nn.Sigmoid, nn.init.xavier_uniform_),
                               ("relu", nn.ReLU, he)):
    layers = []
    for _ in range(10):
        dense = nn.Linear(64, 64)
        init(dense.weight)                 # Glorot before sigmoid, He before relu
        nn.init.zeros_(dense.bias)
        layers += [dense, activation()]
    model = nn.Sequential(*layers, nn.Linear(64, 1))
    nn.functional.binary_cross_entropy_with_logits(model(x), y).backward()
    norms = [m.weight.grad.norm().item() for m in model if isinstance(m, nn.Linear)]
    print(f"{name}: norms =", " ".join(f"{n:.3g}" for n in norms))
    print(f"{name}: first/last = {norms[0] / norms[-1]:.3g}")
