# The weight-gradient norm of each layer of a 10-hidden-layer network after one backward pass:
# sigmoid's first layer gets about a millionth of the last one's, relu's keeps its size
nonlinear demo vanishing --depth 10 --width 32 --samples 128
