namespace Nonlinear.Activations;

/// <summary>Coarse families, used to pick an initialisation and by the advisor.</summary>
public enum ActivationFamily
{
    /// <summary>No non-linearity (identity): a stack of such layers collapses into one affine map.</summary>
    Linear,

    /// <summary>
    /// Bounded activations whose derivative vanishes in flat tails: the S-curves (sigmoid, tanh, softsign, hard
    /// variants) and the Gaussian bump. Glorot/Xavier initialisation; the diagnostics count saturated units.
    /// </summary>
    Saturating,

    /// <summary>ReLU and its relatives (Leaky ReLU, ELU, GELU, SiLU, Mish, softplus, ...): He initialisation.</summary>
    Rectifier,

    /// <summary>Self-normalising (SELU): LeCun initialisation.</summary>
    SelfNormalising,

    /// <summary>Row-wise probability outputs (softmax, log-softmax): output layers only.</summary>
    Probability,

    /// <summary>
    /// Periodic (sin): neither saturating nor rectifying. He initialisation, the variance of SIREN's hidden layers
    /// (2/fan_in), which keeps the pre-activations spread over part of a period through depth.
    /// </summary>
    Periodic,

    /// <summary>
    /// Piecewise constant (step): the derivative is 0 wherever it exists, so gradient descent cannot train the
    /// layers before it. Glorot initialisation; the advisor flags it ("no-gradient").
    /// </summary>
    Threshold,
}
