import torch

logits = torch.tensor([1000., 999.])

# The textbook formula: e^1000 is infinity in float32, and infinity / infinity is NaN.
naive = torch.exp(logits) / torch.exp(logits).sum()
print("naive   =", naive.tolist())

# Subtract the largest logit first: the same probabilities, and every exponent is <= 0.
shifted = logits - logits.max()
print("shifted =", shifted.tolist())
print("by hand =", (torch.exp(shifted) / torch.exp(shifted).sum()).tolist())

# torch.softmax does the subtraction itself.
print("library =", torch.softmax(logits, dim=0).tolist())

# Temperature T: softmax(z / T). Small T sharpens towards the largest logit, large T flattens.
scores = torch.tensor([2., 1., 0.1])
for t in (0.5, 1., 2., 10.):
    print(f"T = {t}:", torch.softmax(scores / t, dim=0).tolist())
