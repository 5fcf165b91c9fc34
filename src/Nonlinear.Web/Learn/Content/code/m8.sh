# Each sigmoid on the path of the panel's 2-2-1 network: its value and its slope (the chain rule's factors)
nonlinear eval sigmoid 0.3775 0.3925 1.10590597
# A 2-2-1 sigmoid network learning XOR by backpropagation; --diagnostics shows each layer's gradient norm
nonlinear train --data xor --count 4 --layers 2 --activation sigmoid --epochs 500 --lr 0.1 --seed 3 --diagnostics
