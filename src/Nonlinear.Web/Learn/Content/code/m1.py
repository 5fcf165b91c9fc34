import torch
from torch import nn

# The lesson's example: 2 inputs -> 2 hidden units -> 1 output, no activation between.
first, second = nn.Linear(2, 2), nn.Linear(2, 1)
with torch.no_grad():
    first.weight.copy_(torch.tensor([[1., 2.], [0., 1.]]))
    first.bias.copy_(torch.tensor([1., -1.]))
    second.weight.copy_(torch.tensor([[3., -1.]]))
    second.bias.copy_(torch.tensor([0.5]))
model = nn.Sequential(first, second)

with torch.no_grad():
    # The one layer they equal: W' = W2 W1 and b' = W2 b1 + b2.
    single = nn.Linear(2, 1)
    single.weight.copy_(second.weight @ first.weight)
    single.bias.copy_(second.weight @ first.bias + second.bias)
    print("W' =", single.weight.tolist(), " b' =", single.bias.tolist())

    x = torch.tensor([[1., 1.], [0.5, -2.], [-3., 4.], [10., 0.25]])
    print("network  =", model(x).flatten().tolist())
    print("W'x + b' =", single(x).flatten().tolist())
