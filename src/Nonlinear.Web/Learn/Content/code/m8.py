import torch
from torch import nn

# The lesson's network: a = sigmoid(W x + b), y_hat = sigmoid(v . a + c), L = (y_hat - y)^2.
hidden, last = nn.Linear(2, 2), nn.Linear(2, 1)
with torch.no_grad():
    hidden.weight.copy_(torch.tensor([[0.5, -0.4], [0.3, 0.8]]))
    hidden.bias.copy_(torch.tensor([0.1, -0.2]))
    last.weight.copy_(torch.tensor([[0.7, -0.6]]))
    last.bias.copy_(torch.tensor([0.05]))
model = nn.Sequential(hidden, nn.Sigmoid(), last, nn.Sigmoid())
x, y = torch.tensor([[1., 0.5]]), torch.tensor([[1.]])

# By hand: the forward pass, then the chain rule for w11 (into hidden unit 1 from input 1).
with torch.no_grad():
    a = torch.sigmoid(hidden(x))[0]
    y_hat = torch.sigmoid(last(a))[0]
    factors = [2 * (y_hat - y[0, 0]),        # dL/dy_hat
               y_hat * (1 - y_hat),          # f'(z_out)
               last.weight[0, 0],            # dz_out/da1
               a[0] * (1 - a[0]),            # g'(z1)
               x[0, 0]]                      # dz1/dw11
    print("factors =", [round(f.item(), 4) for f in factors])
    print("by hand: dL/dw11 =", torch.stack(factors).prod().item())

# Autograd: the same chain rule, done by the engine.
nn.functional.mse_loss(model(x), y).backward()
print("engine:  dL/dw11 =", hidden.weight.grad[0, 0].item())
