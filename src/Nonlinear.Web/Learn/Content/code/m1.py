import torch
from torch import nn

torch.manual_seed(1)
# Two linear layers and no activation between them: 2 inputs -> 3 -> 2 outputs.
first, second = nn.Linear(2, 3), nn.Linear(3, 2)
model = nn.Sequential(first, second)

# The one layer they equal: W' = W2 W1 and b' = W2 b1 + b2.
with torch.no_grad():
    w = second.weight @ first.weight
    b = second.weight @ first.bias + second.bias
    single = nn.Linear(2, 2)
    single.weight.copy_(w)
    single.bias.copy_(b)

    x = torch.randn(1000, 2) * 10
    print("W' =", w)
    print("b' =", b)
    print("largest |network(x) - (W'x + b')| =", (model(x) - single(x)).abs().max().item())
