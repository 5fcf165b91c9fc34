using System.Runtime.CompilerServices;
using Nonlinear.Tensors;
using Nonlinear.Tensors.Simd;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Nonlinear.Layers.Attention;

/// <summary>
/// Layer normalisation (Ba, Kiros and Hinton 2016) with PyTorch's nn.LayerNorm semantics over the last dimension:
/// y = γ (x − μ) / √(σ² + ε) + β, with μ and the biased variance σ² taken over the D features of each position.
/// </summary>
/// <remarks>
/// <para>Shapes: output = input; per sample [T, D] (a sequence, every position normalised on its own) or [D].
/// Unlike batch normalisation there are no running statistics: training and evaluation compute the same thing,
/// so a sample's output does not depend on the rest of the batch. ε = 1e-5 (PyTorch's default).</para>
/// <para>Parameters γ ("weight" [D], initially 1) and β ("bias" [D], initially 0), not weight-decayed.</para>
/// <para>Backward, per row with x̂ = (x − μ) / √(σ² + ε) and g = γ dy: dγ += Σ_rows dy x̂, dβ += Σ_rows dy,
/// dx = (g − mean(g) − x̂ mean(g x̂)) / √(σ² + ε).</para>
/// <para>Speed: rows in vectors of <see cref="Elementwise.Width"/> bits (two-pass statistics: the mean, then the
/// squared deviations from it, so no cancellation), split over the worker team in row ranges for large inputs; dγ and
/// dβ are summed per range, then the ranges are added in order.</para>
/// <para>Every width gives the same bits where the hardware has an FMA (AVX2, AVX-512, ARM64): a row's sums are
/// kept in 16 partial sums (feature index modulo 16: one 512-bit, two 256-bit or four 128-bit vectors), the last
/// partial block padded so that it adds exactly nothing, and the 16 are added in one fixed order
/// (<see cref="Lanes{T}"/>); the per-feature operations are the same at every width. On x86 without FMA (SSE only)
/// the multiply-adds are a multiply then an add (<see cref="ISimd{TSelf}.MultiplyAddEstimate"/>).</para>
/// </remarks>
/// <example><c>new LayerNorm()</c> (spec token <c>layernorm</c>, once registered).</example>
public sealed class LayerNorm : Layer
{
    /// <summary>ε, added to the variance (PyTorch's default).</summary>
    public const float Epsilon = 1e-5f;

    private Parameter? _gamma;
    private Parameter? _beta;
    /// <summary>Below this many elements the rows stay on one thread (settable for tests).</summary>
    internal static long ParallelElements { get; set; } = 1 << 16;

    /// <summary>Row sums are kept in this many partial sums (one per feature index modulo 16), whatever the width.</summary>
    private const int Block = 16;

    private Tensor? _input, _output;
    private float[][] _partSums = [];
    private RowJob? _job;
    private float[] _mean = [];
    private float[] _invStd = [];
    private int _features;

    /// <inheritdoc/>
    public override string Spec => "layernorm";

    /// <summary>γ [D], the scale ("weight"), once built.</summary>
    public Parameter Gamma => _gamma ?? throw new InvalidOperationException("The layer is not built yet.");

    /// <summary>β [D], the shift ("bias"), once built.</summary>
    public Parameter Beta => _beta ?? throw new InvalidOperationException("The layer is not built yet.");

    /// <inheritdoc/>
    public override IReadOnlyList<Parameter> Parameters => _gamma is null ? [] : [_gamma, _beta!];

    /// <inheritdoc/>
    protected override TensorShape OnBuild(TensorShape inputShape, Initializer initializer, Random random)
    {
        if (inputShape.Rank is < 1 or > 2 || inputShape.Length == 0)
        {
            throw new ArgumentException($"layernorm takes a sequence [T, D] or features [D] per sample; found {inputShape}.");
        }

        _features = inputShape[inputShape.Rank - 1];
        _gamma = new Parameter("weight", new Tensor(_features), decays: false);
        _gamma.Value.Fill(1f);
        _beta = new Parameter("bias", new Tensor(_features), decays: false);
        return inputShape;
    }

    /// <inheritdoc/>
    protected override void OnForward(Tensor input, Tensor output, bool training)
    {
        _input = input;
        _output = output;
        int rows = input.Length / _features;
        if (_mean.Length != rows)
        {
            _mean = new float[rows];
            _invStd = new float[rows];
        }

        Run(rows, backward: false, dy: null, dx: null);
    }

    /// <inheritdoc/>
    protected override void OnBackward(Tensor outputGradient, Tensor? inputGradient)
    {
        var input = _input ?? throw new InvalidOperationException("layernorm: backward called before forward.");
        int d = _features, rows = input.Length / d;
        int parts = Run(rows, backward: true, outputGradient, inputGradient);
        // Each part summed dγ and dβ over its own rows; the parts are added in order (deterministic for a thread count).
        var dGamma = Gamma.Gradient.Span;
        var dBeta = Beta.Gradient.Span;
        for (int part = 0; part < parts; part++)
        {
            var sums = _partSums[part];
            TensorPrimitives.Add(dGamma, sums.AsSpan(0, d), dGamma);
            TensorPrimitives.Add(dBeta, sums.AsSpan(d, d), dBeta);
        }
    }

    /// <summary>Forward or backward over all rows, split over the worker team in row ranges above a size threshold.</summary>
    private int Run(int rows, bool backward, Tensor? dy, Tensor? dx)
    {
        int parts = rows * (long)_features < ParallelElements ? 1 : Math.Min(Engine.MaxThreads, rows);
        if (_partSums.Length < parts)
        {
            Array.Resize(ref _partSums, parts);
        }

        for (int i = 0; i < parts; i++)
        {
            if (_partSums[i] is not { } sums || sums.Length != 2 * _features)
            {
                _partSums[i] = new float[2 * _features];
            }
        }

        _job ??= new RowJob(this);
        (_job.Parts, _job.Rows, _job.Backward, _job.OutputGradient, _job.InputGradient) = (parts, rows, backward, dy, dx);
        WorkerPool.Run(parts, _job);
        _job.OutputGradient = _job.InputGradient = null;
        return parts;
    }

    /// <summary>Rows first … last − 1 of the forward, at <see cref="Elementwise.Width"/>.</summary>
    private void ForwardRows(int first, int last)
    {
        switch (Elementwise.Width)
        {
            case 512:
                ForwardRows<V512>(first, last);
                break;
            case 256:
                ForwardRows<V256>(first, last);
                break;
            default:
                ForwardRows<V128>(first, last);
                break;
        }
    }

    /// <summary>Rows first … last − 1 of the backward, at <see cref="Elementwise.Width"/>.</summary>
    private void BackwardRows(int first, int last, Tensor dyTensor, Tensor? dxTensor, float[] sums)
    {
        switch (Elementwise.Width)
        {
            case 512:
                BackwardRows<V512>(first, last, dyTensor, dxTensor, sums);
                break;
            case 256:
                BackwardRows<V256>(first, last, dyTensor, dxTensor, sums);
                break;
            default:
                BackwardRows<V128>(first, last, dyTensor, dxTensor, sums);
                break;
        }
    }

    /// <summary>Rows first … last − 1 of the forward: statistics in two passes (mean, then squared deviations).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void ForwardRows<T>(int first, int last) where T : struct, ISimd<T>
    {
        int d = _features, n = T.Count;
        float* pad = stackalloc float[Block];
        fixed (float* x = _input!.Span, y = _output!.Span, gamma = Gamma.Value.Span, beta = Beta.Value.Span, means = _mean, invStds = _invStd)
        {
            for (int r = first; r < last; r++)
            {
                float* xr = x + (long)r * d;
                float* yr = y + (long)r * d;
                float mean = Sum<T>(xr, d, pad) / d;
                float squares = SquaredDeviations<T>(xr, mean, d, pad);
                float invStd = (float)(1 / Math.Sqrt((double)squares / d + Epsilon));
                means[r] = mean;
                invStds[r] = invStd;
                var vm = T.Create(mean);
                var vs = T.Create(invStd);
                int j = 0;
                for (; j + n <= d; j += n)
                {
                    var xhat = (T.Load(ref xr[j]) - vm) * vs;
                    T.Store(T.MultiplyAddEstimate(xhat, T.Load(ref gamma[j]), T.Load(ref beta[j])), ref yr[j]);
                }

                for (; j < d; j++)
                {
                    yr[j] = AttentionKernel.MultiplyAddEstimate((xr[j] - mean) * invStd, gamma[j], beta[j]);
                }
            }
        }
    }

    /// <summary>
    /// Rows first … last − 1 of the backward: dγ and dβ summed into this part's <paramref name="sums"/> ([dγ | dβ],
    /// cleared first); dx when <paramref name="dxTensor"/> is given.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void BackwardRows<T>(int first, int last, Tensor dyTensor, Tensor? dxTensor, float[] sums) where T : struct, ISimd<T>
    {
        int d = _features, n = T.Count;
        Array.Clear(sums);
        // Padding for the last partial block: x, dy, γ, dγ, dβ, then the 16 partial sums.
        float* pad = stackalloc float[6 * Block];
        fixed (float* x = _input!.Span, dy = dyTensor.Span, dx = dxTensor is null ? default : dxTensor.Span, gamma = Gamma.Value.Span,
               means = _mean, invStds = _invStd, dGamma = sums)
        {
            float* dBeta = dGamma + d;
            for (int r = first; r < last; r++)
            {
                float* xr = x + (long)r * d;
                float* dyr = dy + (long)r * d;
                float mean = means[r], invStd = invStds[r];
                var vm = T.Create(mean);
                var vs = T.Create(invStd);
                var g = new Lanes<T>();
                var gx = new Lanes<T>();
                int j = 0;
                for (; j + Block <= d; j += Block)
                {
                    BackwardBlock(xr + j, dyr + j, gamma + j, dGamma + j, dBeta + j, vm, vs, ref g, ref gx);
                }

                if (j < d)
                {
                    // The last partial block, padded so that it adds nothing: x = μ (x̂ = 0), dy = γ = 0 (g = 0).
                    int rest = d - j;
                    float* px = pad, pdy = pad + Block, pg = pad + 2 * Block, pdg = pad + 3 * Block, pdb = pad + 4 * Block;
                    for (int k = 0; k < Block; k++)
                    {
                        bool inside = k < rest;
                        px[k] = inside ? xr[j + k] : mean;
                        pdy[k] = inside ? dyr[j + k] : 0f;
                        pg[k] = inside ? gamma[j + k] : 0f;
                        pdg[k] = inside ? dGamma[j + k] : 0f;
                        pdb[k] = inside ? dBeta[j + k] : 0f;
                    }

                    BackwardBlock(px, pdy, pg, pdg, pdb, vm, vs, ref g, ref gx);
                    for (int k = 0; k < rest; k++)
                    {
                        dGamma[j + k] = pdg[k];
                        dBeta[j + k] = pdb[k];
                    }
                }

                if (dx == null)
                {
                    continue;
                }

                float meanG = g.Reduce(pad + 5 * Block) / d, meanGx = gx.Reduce(pad + 5 * Block) / d;
                float* dxr = dx + (long)r * d;
                var vg = T.Create(meanG);
                var vgx = T.Create(meanGx);
                for (j = 0; j + n <= d; j += n)
                {
                    var xhat = (T.Load(ref xr[j]) - vm) * vs;
                    var gj = T.Load(ref gamma[j]) * T.Load(ref dyr[j]);
                    T.Store((gj - vg - (xhat * vgx)) * vs, ref dxr[j]);
                }

                for (; j < d; j++)
                {
                    float xhat = (xr[j] - mean) * invStd;
                    dxr[j] = (gamma[j] * dyr[j] - meanG - xhat * meanGx) * invStd;
                }
            }
        }
    }

    /// <summary>
    /// One block of 16 features of the backward: dγ += dy x̂ and dβ += dy (stored), and the partial sums of
    /// g = γ dy and g x̂ per lane.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void BackwardBlock<T>(float* x, float* dy, float* gamma, float* dGamma, float* dBeta, T vm, T vs, ref Lanes<T> g, ref Lanes<T> gx)
        where T : struct, ISimd<T>
    {
        int n = T.Count;
        BackwardVector(x, dy, gamma, dGamma, dBeta, vm, vs, ref g.A0, ref gx.A0);
        if (n <= 8)
        {
            BackwardVector(x + n, dy + n, gamma + n, dGamma + n, dBeta + n, vm, vs, ref g.A1, ref gx.A1);
        }

        if (n == 4)
        {
            BackwardVector(x + 8, dy + 8, gamma + 8, dGamma + 8, dBeta + 8, vm, vs, ref g.A2, ref gx.A2);
            BackwardVector(x + 12, dy + 12, gamma + 12, dGamma + 12, dBeta + 12, vm, vs, ref g.A3, ref gx.A3);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void BackwardVector<T>(float* x, float* dy, float* gamma, float* dGamma, float* dBeta, T vm, T vs, ref T sumG, ref T sumGx)
        where T : struct, ISimd<T>
    {
        var xhat = (T.Load(ref *x) - vm) * vs;
        var g = T.Load(ref *dy);
        T.Store(T.MultiplyAddEstimate(g, xhat, T.Load(ref *dGamma)), ref *dGamma);
        T.Store(T.Load(ref *dBeta) + g, ref *dBeta);
        g *= T.Load(ref *gamma);
        sumG += g;
        sumGx = T.MultiplyAddEstimate(g, xhat, sumGx);
    }

    /// <summary>Σ x over a row, in the 16 partial sums of <see cref="Lanes{T}"/> (the same order at every width).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe float Sum<T>(float* x, int d, float* pad) where T : struct, ISimd<T>
    {
        int n = T.Count;
        var s = new Lanes<T>();
        int j = 0;
        for (; j + Block <= d; j += Block)
        {
            s.A0 += T.Load(ref x[j]);
            if (n <= 8)
            {
                s.A1 += T.Load(ref x[j + n]);
            }

            if (n == 4)
            {
                s.A2 += T.Load(ref x[j + 8]);
                s.A3 += T.Load(ref x[j + 12]);
            }
        }

        if (j < d)
        {
            // The last partial block, padded with zeros.
            for (int k = 0; k < Block; k++)
            {
                pad[k] = j + k < d ? x[j + k] : 0f;
            }

            s.A0 += T.Load(ref pad[0]);
            if (n <= 8)
            {
                s.A1 += T.Load(ref pad[n]);
            }

            if (n == 4)
            {
                s.A2 += T.Load(ref pad[8]);
                s.A3 += T.Load(ref pad[12]);
            }
        }

        return s.Reduce(pad);
    }

    /// <summary>Σ (x − mean)² over a row, in the 16 partial sums of <see cref="Lanes{T}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe float SquaredDeviations<T>(float* x, float mean, int d, float* pad) where T : struct, ISimd<T>
    {
        int n = T.Count;
        var vm = T.Create(mean);
        var s = new Lanes<T>();
        int j = 0;
        for (; j + Block <= d; j += Block)
        {
            SquaredDeviationsBlock(x + j, vm, ref s);
        }

        if (j < d)
        {
            // The last partial block, padded with the mean (a deviation of exactly 0).
            for (int k = 0; k < Block; k++)
            {
                pad[k] = j + k < d ? x[j + k] : mean;
            }

            SquaredDeviationsBlock(pad, vm, ref s);
        }

        return s.Reduce(pad);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void SquaredDeviationsBlock<T>(float* x, T vm, ref Lanes<T> s) where T : struct, ISimd<T>
    {
        int n = T.Count;
        var c0 = T.Load(ref x[0]) - vm;
        s.A0 = T.MultiplyAddEstimate(c0, c0, s.A0);
        if (n <= 8)
        {
            var c1 = T.Load(ref x[n]) - vm;
            s.A1 = T.MultiplyAddEstimate(c1, c1, s.A1);
        }

        if (n == 4)
        {
            var c2 = T.Load(ref x[8]) - vm;
            var c3 = T.Load(ref x[12]) - vm;
            s.A2 = T.MultiplyAddEstimate(c2, c2, s.A2);
            s.A3 = T.MultiplyAddEstimate(c3, c3, s.A3);
        }
    }

    /// <summary>The reusable parallel job over row ranges (no allocation per call).</summary>
    private sealed class RowJob(LayerNorm layer) : IParallelJob
    {
        public int Parts { get; set; }

        public int Rows { get; set; }

        public bool Backward { get; set; }

        public Tensor? OutputGradient { get; set; }

        public Tensor? InputGradient { get; set; }

        public void Execute(int part)
        {
            int first = (int)((long)Rows * part / Parts), last = (int)((long)Rows * (part + 1) / Parts);
            if (Backward)
            {
                layer.BackwardRows(first, last, OutputGradient!, InputGradient, layer._partSums[part]);
            }
            else
            {
                layer.ForwardRows(first, last);
            }
        }
    }
}
