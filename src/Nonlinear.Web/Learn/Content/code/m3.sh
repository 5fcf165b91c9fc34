# Tanh and its slope: f(x) in (-1, 1), zero-centred, f'(x) = 1 - f(x)^2, at most 1 (at x = 0)
nonlinear eval tanh -3 -1 0 1 3
# Everything the catalog knows about it, with a plot of f and f'
nonlinear explain tanh
