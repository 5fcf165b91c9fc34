namespace Nonlinear.Tests.Optimizers;

/// <summary>
/// PyTorch's update rules (torch/optim/sgd.py, adam.py, adamw.py: the single-tensor loops) written out in
/// float64, one parameter at a time, as the reference for the float32 optimizers.
/// </summary>
internal sealed class ReferenceOptimizer(string kind, double lr, double momentum = 0, bool nesterov = false, double weightDecay = 0, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
{
    private readonly Dictionary<double[], State> _states = new(ReferenceEqualityComparer.Instance);

    public void Step(double[] p, double[] grad, bool decays)
    {
        if (!_states.TryGetValue(p, out var s))
        {
            s = new State(p.Length);
            _states.Add(p, s);
        }

        s.Step++;
        double wd = decays ? weightDecay : 0;
        for (int i = 0; i < p.Length; i++)
        {
            double g = grad[i];
            switch (kind)
            {
                case "sgd":
                    g += wd * p[i];
                    if (momentum != 0)
                    {
                        s.M[i] = s.Step == 1 ? g : (momentum * s.M[i]) + g;
                        g = nesterov ? g + (momentum * s.M[i]) : s.M[i];
                    }

                    p[i] -= lr * g;
                    break;
                case "adam" or "adamw":
                    if (kind == "adamw")
                    {
                        p[i] *= 1 - (lr * wd);
                    }
                    else
                    {
                        g += wd * p[i];
                    }

                    s.M[i] = (beta1 * s.M[i]) + ((1 - beta1) * g);
                    s.V[i] = (beta2 * s.V[i]) + ((1 - beta2) * g * g);
                    double mHat = s.M[i] / (1 - Math.Pow(beta1, s.Step));
                    double vHat = s.V[i] / (1 - Math.Pow(beta2, s.Step));
                    p[i] -= lr * mHat / (Math.Sqrt(vHat) + eps);
                    break;
                default:
                    throw new ArgumentException(kind);
            }
        }
    }

    private sealed class State(int length)
    {
        public double[] M { get; } = new double[length];

        public double[] V { get; } = new double[length];

        public int Step { get; set; }
    }
}
