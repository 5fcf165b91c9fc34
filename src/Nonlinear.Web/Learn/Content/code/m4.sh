# ReLU: max(0, x); slope 0 for x <= 0, 1 for x > 0
nonlinear eval relu -2 -0.5 0 0.5 2
# Two hidden ReLU layers learn the circles in a few epochs
nonlinear train --data circles --layers 8,8 --activation relu --epochs 30
