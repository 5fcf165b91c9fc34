import torch

x = torch.tensor([-3., -2., -1., -0.5, 0., 0.5, 1., 2., 3.], requires_grad=True)
y = torch.tanh(x)                     # in (-1, 1)
y.sum().backward()                    # tanh'(x) = 1 - tanh(x)^2

with torch.no_grad():
    stretched = 2 * torch.sigmoid(2 * x) - 1   # tanh(x) = 2 sigmoid(2x) - 1
    for xi, yi, gi, si in zip(x.tolist(), y.tolist(), x.grad.tolist(), stretched.tolist()):
        print(f"x = {xi:4}  tanh = {yi:.6f}  slope = {gi:.6f}  2s(2x)-1 = {si:.6f}")
    print("largest slope =", x.grad.max().item(), "at x =", x[x.grad.argmax()].item())
    # Zero-centred: over inputs symmetric around 0, tanh averages 0 and the sigmoid 0.5.
    print(f"mean output: tanh = {y.mean().item():.6f}  "
          f"sigmoid = {torch.sigmoid(x).mean().item():.6f}")
