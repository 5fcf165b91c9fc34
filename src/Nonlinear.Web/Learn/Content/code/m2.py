import torch

x = torch.tensor([-6., -4., -2., -1., 0., 1., 2., 4., 6.], requires_grad=True)
y = torch.sigmoid(x)                  # 1 / (1 + e^-x), always in (0, 1)
y.sum().backward()                    # x.grad = dy/dx for each input

for xi, yi, gi in zip(x.tolist(), y.tolist(), x.grad.tolist()):
    print(f"x = {xi:4}  sigmoid = {yi:.6f}  slope = {gi:.6f}  s(1-s) = {yi * (1 - yi):.6f}")
print("largest slope =", x.grad.max().item(), "at x =", x[x.grad.argmax()].item())
