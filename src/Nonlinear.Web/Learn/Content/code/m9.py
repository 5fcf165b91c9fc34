import torch
from torch import nn

torch.manual_seed(1)
# The output activation follows the task, and the loss goes with it
# (fused with the activation and computed from the logits).
# Hidden layers: ReLU. The models end in their last linear layer.
binary = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 1))       # sigmoid
classes = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))      # softmax
regression = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 1))   # identity
# A recurrent layer keeps tanh inside: nn.RNN(4, 16, nonlinearity="tanh")

x = torch.randn(8, 4)
yes_no = torch.randint(0, 2, (8, 1)).float()
label = torch.randint(0, 3, (8,))
value = torch.randn(8, 1)
losses = {
    "binary: sigmoid + BCE": nn.BCEWithLogitsLoss()(binary(x), yes_no),
    "multiclass: softmax + cross-entropy": nn.CrossEntropyLoss()(classes(x), label),
    "regression: identity + MSE": nn.MSELoss()(regression(x), value),
}
for name, loss in losses.items():
    print(f"{name}: loss {loss.item():.4f}")

# Probabilities when predicting: sigmoid for one yes/no, softmax across exclusive classes.
with torch.no_grad():
    print("P(yes) =", torch.sigmoid(binary(x[:1])).item())
    print("P(class) =", torch.softmax(classes(x[:1]), dim=1).tolist())
