# Two linear layers (2 -> 2 -> 1, random weights), no activation:
# the single affine map they equal, checked on 1000 inputs
nonlinear collapse --spec dense:2,dense:1 --inputs 2
# XOR's four points: the linear model stays at 2 of 4; one hidden non-linearity learns all four
nonlinear demo xor --epochs 200
