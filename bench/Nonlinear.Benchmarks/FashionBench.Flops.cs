using Nonlinear.Layers;
using Nonlinear.Models;

namespace Nonlinear.Benchmarks;

/// <summary>
/// The arithmetic a Fashion-MNIST model does, counted from its layers, to turn epoch and inference times into
/// GFLOP/s and a share of the machine's FMA peak (issue 13: the CNN epoch at ≥ 55 % of the peak).
/// </summary>
internal static partial class FashionBench
{
    /// <summary>
    /// Multiply-adds of one sample through a model's products: <c>Forward</c>, every dense and convolution product of
    /// the forward pass; <c>FirstLayer</c>, those of the first such layer, whose input gradient nothing needs.
    /// </summary>
    /// <remarks>
    /// A dense layer does InputShape.Length × Units multiply-adds per sample (one row per sample, or one per
    /// sequence step); a convolution OutputShape.Length × channels × k × k (every output pixel of every filter is a
    /// dot product over a k × k patch of all input channels), padding included. Nothing else is counted: bias,
    /// ReLU, pooling, batch norm, dropout, the loss and the optimizer are cheap next to the products but not free.
    /// </remarks>
    internal readonly record struct Work(long Forward, long FirstLayer)
    {
        /// <summary>Floating-point operations of one training sample: forward, dW and dX products (2 per multiply-add), without the first layer's dX.</summary>
        public double TrainFlops => 2.0 * ((3 * Forward) - FirstLayer);

        /// <summary>Floating-point operations of one sample's evaluation forward pass.</summary>
        public double InferFlops => 2.0 * Forward;
    }

    /// <summary>Counts <paramref name="model"/>'s multiply-adds per sample (the model must be built).</summary>
    internal static Work CountWork(Sequential model)
    {
        long forward = 0, first = -1;
        foreach (var layer in model.Layers)
        {
            long macs = layer switch
            {
                Dense d => d.InputShape.Length * (long)d.Units,
                Conv2D c => c.OutputShape.Length * (long)c.InputShape[0] * c.KernelSize * c.KernelSize,
                _ => 0,
            };
            if (macs > 0 && first < 0)
            {
                first = macs;
            }

            forward += macs;
        }

        return new Work(forward, Math.Max(first, 0));
    }

    /// <summary>What <see cref="Work"/> counts, for the report.</summary>
    private const string WorkMeaning =
        "FLOP counts the dense and convolution products only, 2 per multiply-add: a training image does the forward product, "
        + "the weight gradient (dW) and the input gradient (dX) of every such layer except the first layer's dX (nothing needs it); "
        + "an inference image does the forward product. Bias, ReLU, pooling, batch norm, dropout, the loss and the optimizer are not counted. "
        + "GFLOP/s = the epoch's FLOP / its time; % of peak = against the FMA peak this run measured first "
        + "(a register-only loop of independent FMA chains at the widest vector width the process runs, on as many threads as the row).";
}
