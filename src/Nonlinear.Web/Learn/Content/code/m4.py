import torch
from torch import nn

x = torch.tensor([-2., -1., -0.5, 0., 0.5, 1., 2.], requires_grad=True)
y = torch.relu(x)                     # max(0, x)
y.sum().backward()                    # 0 for x <= 0 (PyTorch's convention at 0 too), 1 for x > 0
for xi, yi, gi in zip(x.tolist(), y.tolist(), x.grad.tolist()):
    print(f"x = {xi}  relu = {yi}  slope = {gi}")

# Sparse: a ReLU layer (He initialisation) on random inputs
# outputs exactly 0 for about half of its units.
torch.manual_seed(1)
layer = nn.Linear(8, 64)
nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
nn.init.zeros_(layer.bias)
with torch.no_grad():
    a = torch.relu(layer(torch.rand(256, 8) * 2 - 1))
print(f"zero outputs: {(a == 0).float().mean().item():.3f}")
