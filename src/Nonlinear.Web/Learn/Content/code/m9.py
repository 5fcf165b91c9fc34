import torch
from torch import nn

# The output layer follows the task; the loss goes with it (fused with the activation, computed from logits).
binary = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 1))       # sigmoid: nn.BCEWithLogitsLoss
classes = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))      # softmax: nn.CrossEntropyLoss
regression = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 1))   # identity: nn.MSELoss
# A recurrent layer keeps tanh inside: nn.RNN(4, 16, nonlinearity="tanh")

x = torch.randn(8, 4)
losses = {
    "binary: sigmoid + BCE": nn.BCEWithLogitsLoss()(binary(x), torch.randint(0, 2, (8, 1)).float()),
    "multiclass: softmax + cross-entropy": nn.CrossEntropyLoss()(classes(x), torch.randint(0, 3, (8,))),
    "regression: identity + MSE": nn.MSELoss()(regression(x), torch.randn(8, 1)),
}
for name, loss in losses.items():
    print(f"{name}: loss {loss.item():.4f}")

# Probabilities when predicting: sigmoid for one yes/no, softmax across exclusive classes.
with torch.no_grad():
    print("P(yes) =", torch.sigmoid(binary(x[:1])).item())
    print("P(class) =", torch.softmax(classes(x[:1]), dim=1).tolist())
