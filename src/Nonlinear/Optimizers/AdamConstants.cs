namespace Nonlinear.Optimizers;

/// <summary>One Adam step's float32 constants, as the scalar loop and <see cref="OptimizerKernels.Adam"/> both use them.</summary>
/// <param name="Beta1">b1, the first moment's decay.</param>
/// <param name="Beta2">b2, the second moment's decay.</param>
/// <param name="OneMinusBeta1">1 - b1, rounded from double.</param>
/// <param name="OneMinusBeta2">1 - b2, rounded from double.</param>
/// <param name="WeightDecay">The L2 coefficient added to the gradient (0 for decoupled decay).</param>
/// <param name="GradientScale">The gradient's factor (1 unless clipping).</param>
/// <param name="StepSize">lr / (1 - b1^t).</param>
/// <param name="Correction2">sqrt(1 - b2^t).</param>
/// <param name="Epsilon">The denominator's epsilon.</param>
internal readonly record struct AdamConstants(
    float Beta1,
    float Beta2,
    float OneMinusBeta1,
    float OneMinusBeta2,
    float WeightDecay,
    float GradientScale,
    float StepSize,
    float Correction2,
    float Epsilon);
