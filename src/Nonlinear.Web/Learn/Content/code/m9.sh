# A sigmoid per class (bce_logits) for three exclusive classes:
# the advisor says use softmax with cross_entropy
nonlinear advise dense:16,relu,dense:3 --task multiclass --loss bce_logits
# Softmax in a hidden layer
nonlinear advise dense:16,softmax,dense:3 --task multiclass
# Hidden ReLU, three outputs, softmax with cross-entropy: nothing to say
nonlinear advise dense:16,relu,dense:3 --task multiclass
# Regression: identity output with mean squared error
nonlinear advise dense:16,relu,dense:1 --task regression
