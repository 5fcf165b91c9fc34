namespace Nonlinear.Activations;

/// <summary>Coarse families, used to pick an initialisation and by the advisor.</summary>
public enum ActivationFamily
{
    /// <summary>No non-linearity (identity): a stack of such layers collapses into one affine map.</summary>
    Linear,

    /// <summary>Bounded, saturating S-curves (sigmoid, tanh, softsign, hard variants): Glorot/Xavier initialisation.</summary>
    Saturating,

    /// <summary>ReLU and its relatives (Leaky ReLU, ELU, GELU, SiLU, Mish, softplus, ...): He initialisation.</summary>
    Rectifier,

    /// <summary>Self-normalising (SELU): LeCun initialisation.</summary>
    SelfNormalising,

    /// <summary>Row-wise probability outputs (softmax, log-softmax): output layers only.</summary>
    Probability,
}
