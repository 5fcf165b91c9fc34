# The lesson's 2-2-1 network: each sigmoid's value and slope at z1 = 0.4,
# z2 = 0.5 and z_out = 0.0956 (the chain rule's factors)
nonlinear eval sigmoid 0.4 0.5 0.0956
# A 2-2-1 sigmoid network learning XOR by backpropagation;
# --diagnostics shows each layer's gradient norm
nonlinear train --data xor --count 4 --layers 2 --activation sigmoid --epochs 500 --lr 0.1 --seed 3 --diagnostics
