namespace Nonlinear.Activations;

/// <summary>What an activation is, what it does to gradients, where it is used and where it fails.</summary>
/// <param name="Formula">f(x), e.g. "1 / (1 + e^(-x))".</param>
/// <param name="DerivativeFormula">f'(x), e.g. "f(x) (1 - f(x))".</param>
/// <param name="OutputRange">The range of f as text, e.g. "(0, 1)".</param>
/// <param name="OutputMin">Infimum of f (may be -inf).</param>
/// <param name="OutputMax">Supremum of f (may be +inf).</param>
/// <param name="ZeroCentred">Whether outputs are centred on zero (symmetric about the origin or with mean near zero).</param>
/// <param name="Monotonic">Whether f is non-decreasing everywhere.</param>
/// <param name="DerivativeRange">The range of f' as text, e.g. "(0, 0.25]".</param>
/// <param name="DerivativeMax">The largest value f' takes (for row-wise activations, the largest diagonal Jacobian entry).</param>
/// <param name="DerivativePeak">Where f' reaches its maximum, e.g. "at x = 0".</param>
/// <param name="Convention">The value used at kinks and non-finite inputs (PyTorch's choice), e.g. "relu'(0) = 0".</param>
/// <param name="UsedIn">Where practitioners use it.</param>
/// <param name="WhyItWorks">Why it helps a network learn.</param>
/// <param name="Limitations">Its known failure modes.</param>
/// <param name="Family">Its family (drives initialisation and advice).</param>
/// <param name="PyTorch">The equivalent PyTorch call.</param>
public sealed record ActivationInfo(
    string Formula,
    string DerivativeFormula,
    string OutputRange,
    double OutputMin,
    double OutputMax,
    bool ZeroCentred,
    bool Monotonic,
    string DerivativeRange,
    double DerivativeMax,
    string DerivativePeak,
    string Convention,
    string UsedIn,
    string WhyItWorks,
    IReadOnlyList<string> Limitations,
    ActivationFamily Family,
    string PyTorch);
