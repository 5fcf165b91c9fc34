import torch
from torch import nn

# Four samples; one unit z = w.x + b whose large negative bias makes z < 0 on every one of them.
x = torch.tensor([[1., 2.], [-1., 0.5], [2., -2.], [0., 1.]])
for activation in (nn.ReLU(), nn.LeakyReLU(0.1)):
    unit = nn.Linear(2, 1)
    with torch.no_grad():
        unit.weight.copy_(torch.tensor([[0.5, -0.5]]))
        unit.bias.fill_(-5.)
    a = activation(unit(x))
    a.sum().backward()                # dLoss/da = 1 on each sample: what reaches w and b?
    print(f"{activation}: a = {a.flatten().tolist()}")
    print(f"{activation}: dw = {unit.weight.grad.flatten().tolist()}  db = {unit.bias.grad.item()}")
# ReLU: every gradient is 0, so no optimizer step can ever move w or b: the unit is dead.
# Leaky ReLU: the slope 0.1 for z < 0 lets a gradient through, so the unit can come back.
# PReLU (nn.PReLU) learns that slope as a parameter.
