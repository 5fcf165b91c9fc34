using Nonlinear.Tensors;

namespace Nonlinear.Layers;

/// <summary>
/// Batch normalisation (Ioffe and Szegedy 2015) with PyTorch's BatchNorm1d/BatchNorm2d semantics:
/// y = γ (x − μ) / √(σ² + ε) + β per channel, with ε = 1e-5.
/// </summary>
/// <remarks>
/// <para>Shapes: output = input. Channels are the first per-sample dimension: features of [N, F] (BatchNorm1d),
/// channels of [N, C, H, W] (BatchNorm2d) or of [N, C, L]; statistics are taken over the batch and every
/// remaining position, M = N · (elements per channel per sample) values per channel.</para>
/// <para>Training: μ and σ² are the batch mean and biased variance; the running statistics are updated as
/// running = 0.9 · running + 0.1 · batch, with the unbiased variance σ² · M / (M − 1) (momentum 0.1). Evaluation
/// uses the running statistics instead. Parameters γ ("weight", initially 1) and β ("bias", initially 0), not
/// weight-decayed; state "running_mean" (initially 0) and "running_var" (initially 1), saved with the model.</para>
/// <para>Backward after a training forward, with x̂ = (x − μ) / √(σ² + ε):
/// dγ += Σ dy · x̂, dβ += Σ dy, dx = γ / √(σ² + ε) · (dy − mean(dy) − x̂ · mean(dy · x̂)); after an evaluation
/// forward the statistics are constants and dx = γ / √(σ² + ε) · dy. Sums are taken in float within a row (one
/// channel of one sample, see <see cref="BatchNormKernels"/>) and in double across rows; the batch variance is
/// computed around each row's own mean (not as Σx² − (Σx)²/M), so inputs with a large mean keep their precision.</para>
/// <para>Cost: a training forward reads x once for the statistics and once more (from cache, channel by channel) for
/// y; a backward reads x and dy for the sums and again for dx. Channels are split over the worker team.</para>
/// </remarks>
/// <example><c>new BatchNorm()</c> or the spec token <c>batchnorm</c> (alias <c>bn</c>).</example>
public sealed class BatchNorm : Layer
{
    /// <summary>ε, added to the variance (PyTorch's default).</summary>
    public const float Epsilon = 1e-5f;

    /// <summary>The weight of the newest batch in the running statistics (PyTorch's default).</summary>
    public const double Momentum = 0.1;

    private Parameter? _gamma;
    private Parameter? _beta;
    private StateTensor? _runningMean;
    private StateTensor? _runningVar;
    private Tensor? _input;
    private float[] _mean = [];

    /// <summary>μ − (float)μ: the batch mean is kept as two floats, so that x − μ is exact to float precision.</summary>
    private float[] _meanLow = [];
    private float[] _invStd = [];
    private bool _batchStatistics;
    private int _channels, _inner;
    private ChannelJob? _job;

    /// <inheritdoc/>
    public override string Spec => "batchnorm";

    /// <summary>γ [C], the scale ("weight"), once built.</summary>
    public Parameter Gamma => _gamma ?? throw new InvalidOperationException("The layer is not built yet.");

    /// <summary>β [C], the shift ("bias"), once built.</summary>
    public Parameter Beta => _beta ?? throw new InvalidOperationException("The layer is not built yet.");

    /// <summary>The running mean [C] used in evaluation, once built.</summary>
    public Tensor RunningMean => (_runningMean ?? throw new InvalidOperationException("The layer is not built yet.")).Value;

    /// <summary>The running (unbiased) variance [C] used in evaluation, once built.</summary>
    public Tensor RunningVariance => (_runningVar ?? throw new InvalidOperationException("The layer is not built yet.")).Value;

    /// <inheritdoc/>
    public override IReadOnlyList<Parameter> Parameters => _gamma is null ? [] : [_gamma, _beta!];

    /// <inheritdoc/>
    public override IReadOnlyList<StateTensor> State => _runningMean is null ? [] : [_runningMean, _runningVar!];

    /// <inheritdoc/>
    protected override TensorShape OnBuild(TensorShape inputShape, Initializer initializer, Random random)
    {
        if (inputShape.Rank == 0 || inputShape.Length == 0)
        {
            throw new ArgumentException($"batchnorm needs features [F] or channels [C, ...] per sample; found {inputShape}.");
        }

        _channels = inputShape[0];
        _inner = inputShape.Length / _channels;
        _gamma = new Parameter("weight", new Tensor(_channels), decays: false);
        _gamma.Value.Fill(1f);
        _beta = new Parameter("bias", new Tensor(_channels), decays: false);
        _runningMean = new StateTensor("running_mean", new Tensor(_channels));
        _runningVar = new StateTensor("running_var", new Tensor(_channels));
        _runningVar.Value.Fill(1f);
        _mean = new float[_channels];
        _meanLow = new float[_channels];
        _invStd = new float[_channels];
        return inputShape;
    }

    /// <inheritdoc/>
    protected override void OnForward(Tensor input, Tensor output, bool training)
    {
        _input = input;
        _batchStatistics = training;
        int n = input.BatchSize;
        if (training && (long)n * _inner < 2)
        {
            throw new ArgumentException($"batchnorm in training needs more than one value per channel; the batch has {n} sample(s) of {InputShape} (use batches of at least 2).");
        }

        Run(input, output, null, forward: true);
    }

    /// <inheritdoc/>
    protected override void OnBackward(Tensor outputGradient, Tensor? inputGradient)
    {
        var input = _input ?? throw new InvalidOperationException("batchnorm: backward called before forward.");
        Run(input, outputGradient, inputGradient, forward: false);
    }

    /// <summary>Below this many elements per batch the channels are not split over threads.</summary>
    internal static int ParallelElements { get; set; } = 1 << 16;

    /// <summary>
    /// Channels are independent (each has its own statistics, parameters and gradients), so they are split over the
    /// worker team in contiguous ranges: every value is computed by the same code in the same order as on one
    /// thread, bit for bit. Measured on [128, 32, 26, 26], 2 threads on a machine already loaded by another
    /// process (so the second thread got little time): backward 2.95 → 2.65 ms, forward unchanged at 1.24 ms; the
    /// training step of conv:32x3,batchnorm,relu,pool:2,conv:64x3,batchnorm,... 27.9 → 27.1 ms (minimum, interleaved).
    /// </summary>
    private void Run(Tensor input, Tensor other, Tensor? inputGradient, bool forward)
    {
        int parts = input.Length < ParallelElements ? 1 : Math.Min(Engine.MaxThreads, _channels);
        _job ??= new ChannelJob(this);
        _job.Set(input, other, inputGradient, forward, parts);
        WorkerPool.Run(parts, _job);
    }

    /// <summary>
    /// Forward over channels [first, last), one channel at a time (its N rows, 400 KB for [128, 64, 28, 28], stay in
    /// L2 between the statistics and the output loop): statistics (training) or running statistics, then
    /// y = (x − μ) · (γ / √(σ² + ε)) + β. Subtracting μ first, as a pair of floats (see <see cref="_meanLow"/>), keeps
    /// the precision of inputs with a large mean.
    /// </summary>
    private void ForwardChannels(Tensor input, Tensor output, int first, int last)
    {
        bool training = _batchStatistics;
        int n = input.BatchSize;
        var x = input.Span;
        var y = output.Span;
        var gamma = Gamma.Value.Span;
        var beta = Beta.Value.Span;
        var runningMean = RunningMean.Span;
        var runningVar = RunningVariance.Span;
        for (int c = first; c < last; c++)
        {
            if (training)
            {
                var (count, mean, variance) = Statistics(x, n, c);
                _mean[c] = (float)mean;
                _meanLow[c] = (float)(mean - _mean[c]);
                _invStd[c] = (float)(1 / Math.Sqrt(variance + Epsilon));
                runningMean[c] = (float)((1 - Momentum) * runningMean[c] + Momentum * mean);
                runningVar[c] = (float)((1 - Momentum) * runningVar[c] + Momentum * variance * count / (count - 1));
            }
            else
            {
                _mean[c] = runningMean[c];
                _meanLow[c] = 0;
                _invStd[c] = (float)(1 / Math.Sqrt(runningVar[c] + (double)Epsilon));
            }

            // μ = high + low (two floats): x − high is exact for x near μ, and −low · scale goes into the shift.
            float scale = gamma[c] * _invStd[c], mu = _mean[c];
            float shift = (float)(beta[c] - (double)_meanLow[c] * scale);
            for (int s = 0; s < n; s++)
            {
                BatchNormKernels.Normalise(Row(x, s, c), Row(y, s, c), mu, scale, shift);
            }
        }
    }

    /// <summary>
    /// The batch mean and biased variance of channel <paramref name="c"/> over its N · inner values, in double. Rows
    /// of at least <see cref="BatchNormKernels.ShortRow"/> values: each row's mean and M2 (vectorised), merged with
    /// Chan's formula. Shorter rows (BatchNorm1d's one value per sample and feature): Σ (x − p) and Σ (x − p)² in
    /// double around the channel's first value p.
    /// </summary>
    private (long Count, double Mean, double Variance) Statistics(Span<float> x, int n, int c)
    {
        if (_inner >= BatchNormKernels.ShortRow)
        {
            long count = 0;
            double mean = 0, m2 = 0;
            for (int s = 0; s < n; s++)
            {
                BatchNormKernels.RowMoments(Row(x, s, c), out double rowMean, out double rowM2);
                BatchNormKernels.Merge(ref count, ref mean, ref m2, _inner, rowMean, rowM2);
            }

            return (count, mean, m2 / count);
        }

        long total = (long)n * _inner;
        double pivot = x[c * _inner], sum = 0, squares = 0;
        for (int s = 0; s < n; s++)
        {
            foreach (float v in Row(x, s, c))
            {
                double d = v - pivot;
                sum += d;
                squares += d * d;
            }
        }

        return (total, pivot + sum / total, Math.Max(0, squares - sum * sum / total) / total);
    }

    /// <summary>
    /// Backward over channels [first, last): one loop over the channel's rows for Σ dy and Σ dy (x − μ) (which give dγ,
    /// dβ and the two batch-statistics terms), then, unless <paramref name="inputGradient"/> is null, one loop for
    /// dx = a dy + b (x − μ) + d.
    /// </summary>
    private void BackwardChannels(Tensor input, Tensor outputGradient, Tensor? inputGradient, int first, int last)
    {
        int n = outputGradient.BatchSize;
        var x = input.Span;
        var dy = outputGradient.Span;
        var gamma = Gamma.Value.Span;
        var dGamma = Gamma.Gradient.Span;
        var dBeta = Beta.Gradient.Span;
        double count = (double)n * _inner;
        for (int c = first; c < last; c++)
        {
            float mean = _mean[c], low = _meanLow[c], invStd = _invStd[c];
            double sumDy = 0, sumDyCentred = 0;
            for (int s = 0; s < n; s++)
            {
                BatchNormKernels.GradientSums(Row(dy, s, c), Row(x, s, c), mean, out double rowDy, out double rowCentred);
                sumDy += rowDy;
                sumDyCentred += rowCentred;
            }

            // Σ dy · x̂ = invStd · Σ dy (x − μ), with x − μ = (x − high) − low.
            sumDyCentred -= low * sumDy;
            dGamma[c] += (float)(sumDyCentred * invStd);
            dBeta[c] += (float)sumDy;
            if (inputGradient is null)
            {
                continue;
            }

            var dx = inputGradient.Span;
            double a = (double)gamma[c] * invStd;
            double b = 0, d = 0;
            if (_batchStatistics)
            {
                // dx = a (dy − mean(dy) − x̂ mean(dy x̂)) = a dy + b (x − μ) + d.
                b = -a * invStd * invStd * sumDyCentred / count;
                d = (-a * sumDy / count) - (b * low);
            }

            for (int s = 0; s < n; s++)
            {
                BatchNormKernels.InputGradient(Row(dy, s, c), Row(x, s, c), Row(dx, s, c), (float)a, (float)b, mean, (float)d);
            }
        }
    }

    /// <summary>The layer's one reusable job: contiguous ranges of channels, one per part.</summary>
    private sealed class ChannelJob(BatchNorm layer) : IParallelJob
    {
        private Tensor? _input, _other, _inputGradient;
        private bool _forward;
        private int _parts;

        /// <summary>Forward: other = output. Backward: other = output gradient.</summary>
        public void Set(Tensor input, Tensor other, Tensor? inputGradient, bool forward, int parts)
        {
            (_input, _other, _inputGradient, _forward, _parts) = (input, other, inputGradient, forward, parts);
        }

        public void Execute(int part)
        {
            int channels = layer._channels;
            int first = (int)((long)channels * part / _parts), last = (int)((long)channels * (part + 1) / _parts);
            if (_forward)
            {
                layer.ForwardChannels(_input!, _other!, first, last);
            }
            else
            {
                layer.BackwardChannels(_input!, _other!, _inputGradient, first, last);
            }
        }
    }

    private Span<float> Row(Span<float> data, int sample, int channel) => data.Slice((sample * _channels + channel) * _inner, _inner);
}
