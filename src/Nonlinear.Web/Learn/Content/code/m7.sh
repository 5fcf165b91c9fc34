# The weight-gradient norm of each layer (10 hidden layers of 64 units) after
# one backward pass: sigmoid's first layer gets a tiny fraction of the last
# one's (vanishing); tanh, relu and leaky_relu keep their size
nonlinear demo vanishing --depth 10
