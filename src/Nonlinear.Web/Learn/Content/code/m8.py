import torch
from torch import nn

# h = sigmoid(W1 x + b1), y = sigmoid(w2 . h + b2), L = (y - t)^2.
hidden, last = nn.Linear(2, 2), nn.Linear(2, 1)
with torch.no_grad():
    hidden.weight.copy_(torch.tensor([[0.15, 0.20], [0.25, 0.30]]))
    hidden.bias.copy_(torch.tensor([0.35, 0.35]))
    last.weight.copy_(torch.tensor([[0.40, 0.45]]))
    last.bias.copy_(torch.tensor([0.60]))
model = nn.Sequential(hidden, nn.Sigmoid(), last, nn.Sigmoid())
x, t = torch.tensor([[0.05, 0.10]]), torch.tensor([[0.01]])

# By hand: the forward pass, then the chain rule for the weight from x1 to hidden unit 1.
with torch.no_grad():
    h = torch.sigmoid(hidden(x))[0]
    y = torch.sigmoid(last(h))[0]
    dLdy = 2 * (y - t[0, 0])
    dydz = y * (1 - y)
    dzdh1 = last.weight[0, 0]
    dh1dz1 = h[0] * (1 - h[0])
    dz1dw = x[0, 0]
    print("by hand: dL/dW1[0,0] =", (dLdy * dydz * dzdh1 * dh1dz1 * dz1dw).item())

# Autograd: the same chain rule, done by the engine.
nn.functional.mse_loss(model(x), t).backward()
print("engine: dL/dW1[0,0] =", hidden.weight.grad[0, 0].item())
