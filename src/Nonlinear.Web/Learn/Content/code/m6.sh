# Softmax of large logits: finite, because the library subtracts the maximum first
nonlinear eval softmax 1000 999
# The naive exp/sum gives NaN from logits of 89 on; the stable form never does
nonlinear demo softmax-overflow
