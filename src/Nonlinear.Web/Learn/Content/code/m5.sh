# Leaky ReLU with alpha = 0.1: slope 0.1 for x < 0 instead of 0
nonlinear eval leaky_relu:0.1 -2 -0.5 0 0.5 2
# Too high a learning rate: most ReLU units die (derivative 0 on every sample),
# no Leaky ReLU unit does
nonlinear demo dying-relu --epochs 4 --samples 256
