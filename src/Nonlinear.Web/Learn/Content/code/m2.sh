# The sigmoid and its slope: f(x) in (0, 1), f'(x) = f(x)(1 - f(x)), at most 0.25 (at x = 0)
nonlinear eval sigmoid -6 -2 0 2 6
# Everything the catalog knows about it, with a plot of f and f'
nonlinear explain sigmoid
