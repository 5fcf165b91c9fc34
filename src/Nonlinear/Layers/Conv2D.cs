using System.Globalization;
using System.Text;
using Nonlinear.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Nonlinear.Layers;

/// <summary>
/// 2-D convolution (cross-correlation, as in PyTorch's nn.Conv2d) with square kernels:
/// y[n, f, i, j] = b[f] + Σ_c Σ_u Σ_v W[f, c, u, v] · x[n, c, i·s − p + u, j·s − p + v], zero outside the image.
/// </summary>
/// <remarks>
/// Shapes: input [N, C, H, W] (per sample [C, H, W]), weight W [F, C, k, k] (PyTorch's layout), bias b [F],
/// output [N, F, OH, OW] with OH = (H + 2p − k) / s + 1 and OW = (W + 2p − k) / s + 1 (floored).
/// Computed per sample as a matrix product over the unfolded input: cols [C·k·k, OH·OW] (im2col), Y = W · cols.
/// The bias is added in the product's epilogue when the patch is deep enough for that to pay (see
/// <see cref="FusedBiasPatch"/>). Backward: dW^T += cols · dY^T, db += Σ over samples and positions of dY,
/// dx = col2im(W^T · dY) (skipped when nothing needs dx, e.g. for a model's first layer); transposed operands are
/// read in place by the product's packing. On the packed path the backward products take several samples at once:
/// dW over a group's samples packed one after the other along K (<see cref="UseGroupedGradient"/>), dx over a group's
/// dY side by side along N (<see cref="UseGroupedInputGradient"/>). Samples are split over the worker team when the batch is
/// big enough (each thread with its own scratch and gradient partial, summed in a fixed order), otherwise the
/// matrix products split themselves. Steady state allocates nothing. Initialisation: fan_in = C·k·k,
/// fan_out = F·k·k; biases start at zero.
/// </remarks>
/// <example><c>new Conv2D(32, 3)</c>, <c>Conv2D.Same(32, 3)</c>, or the spec tokens <c>conv:32x3</c>,
/// <c>conv:32x3:s2:p1</c>, <c>conv:32x3:same:he</c>.</example>
public sealed unsafe class Conv2D : Layer
{
    /// <summary>Below this many multiply-adds per batch the samples are not split over threads.</summary>
    private const long ParallelWork = 1 << 20;

    private readonly ConvJob _job;
    private Parameter? _weight;
    private Parameter? _bias;
    private Tensor? _input;
    private int _channels, _height, _width, _outH, _outW, _patch, _pixels;
    private float[][] _cols = [];
    private float[][] _partials = [];
    private float[][] _packedB = [];
    private float[][] _groupA = [];
    private float[][] _groupB = [];
    private float[][] _dxY = [];
    private float[][] _dxCols = [];
    private float[][] _dxPacked = [];
    private float[] _packedW = [];
    private float[] _packedWT = [];
    private int[] _gatherTable = [];
    private int _gatherPixels;
    private int _gemmWidth, _strips, _group, _dxGroup;
    private bool _splitPixels, _partialDirect;

    /// <summary>
    /// A convolution with <paramref name="filters"/> output channels, <paramref name="kernelSize"/>² kernels,
    /// the given stride and zero padding; <paramref name="initializer"/> overrides the automatic choice.
    /// </summary>
    public Conv2D(int filters, int kernelSize, int stride = 1, int padding = 0, Initializer initializer = Initializer.Auto)
        : this(filters, kernelSize, stride, padding, initializer, same: false)
    {
    }

    private Conv2D(int filters, int kernelSize, int stride, int padding, Initializer initializer, bool same)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(filters, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(kernelSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        Filters = filters;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        Initializer = initializer;
        SamePadding = same;
        _job = new ConvJob(this);
    }

    /// <summary>
    /// A stride-1 convolution padded by k/2 so that the output keeps the input's height and width ("same"
    /// padding; <paramref name="kernelSize"/> must be odd).
    /// </summary>
    public static Conv2D Same(int filters, int kernelSize, Initializer initializer = Initializer.Auto)
    {
        if (kernelSize % 2 == 0)
        {
            throw new ArgumentException($"'same' padding needs an odd kernel size; found {kernelSize}.", nameof(kernelSize));
        }

        return new Conv2D(filters, kernelSize, 1, kernelSize / 2, initializer, same: true);
    }

    /// <summary>Number of output channels F.</summary>
    public int Filters { get; }

    /// <summary>The kernel's height and width k.</summary>
    public int KernelSize { get; }

    /// <summary>The step s between neighbouring windows, in both directions.</summary>
    public int Stride { get; }

    /// <summary>Zeros added on every side, p.</summary>
    public int Padding { get; }

    /// <summary>Whether the layer was made with 'same' padding (<see cref="Same"/>); then Padding = k/2 and Stride = 1.</summary>
    public bool SamePadding { get; }

    /// <summary>The initializer asked for (Auto: chosen by the model from the activation that follows).</summary>
    public Initializer Initializer { get; }

    /// <summary>W [F, C, k, k], once built.</summary>
    public Parameter Weight => _weight ?? throw new InvalidOperationException("The layer is not built yet.");

    /// <summary>b [F], once built.</summary>
    public Parameter Bias => _bias ?? throw new InvalidOperationException("The layer is not built yet.");

    /// <inheritdoc/>
    public override IReadOnlyList<Parameter> Parameters => _weight is null ? [] : [_weight, _bias!];

    /// <inheritdoc/>
    public override string Spec
    {
        get
        {
            var s = new StringBuilder("conv:");
            s.Append(Filters.ToString(CultureInfo.InvariantCulture)).Append('x').Append(KernelSize.ToString(CultureInfo.InvariantCulture));
            if (SamePadding)
            {
                s.Append(":same");
            }
            else
            {
                if (Stride != 1)
                {
                    s.Append(":s").Append(Stride.ToString(CultureInfo.InvariantCulture));
                }

                if (Padding != 0)
                {
                    s.Append(":p").Append(Padding.ToString(CultureInfo.InvariantCulture));
                }
            }

            if (Initializer != Initializer.Auto)
            {
                s.Append(':').Append(Initializer.ToString().ToLowerInvariant());
            }

            return s.ToString();
        }
    }

    /// <inheritdoc/>
    protected override TensorShape OnBuild(TensorShape inputShape, Initializer initializer, Random random)
    {
        if (inputShape.Rank != 3)
        {
            throw new ArgumentException($"{Spec} takes images [C, H, W] per sample; found per-sample shape {inputShape} (give image data a shape such as [1, 28, 28]).");
        }

        int c = inputShape[0], h = inputShape[1], w = inputShape[2];
        if (h + 2 * Padding < KernelSize || w + 2 * Padding < KernelSize)
        {
            throw new ArgumentException(
                $"the {KernelSize}x{KernelSize} kernel is larger than the {h}x{w} input{(Padding > 0 ? $" padded by {Padding}" : "")} (use a smaller kernel, padding, or less pooling before it).");
        }

        (_channels, _height, _width) = (c, h, w);
        _outH = Im2Col.OutputSize(h, KernelSize, Stride, Padding);
        _outW = Im2Col.OutputSize(w, KernelSize, Stride, Padding);
        _patch = c * KernelSize * KernelSize;
        _pixels = _outH * _outW;
        _weight = new Parameter("weight", new Tensor(Filters, c, KernelSize, KernelSize));
        _bias = new Parameter("bias", new Tensor(Filters), decays: false);
        var init = Initializer == Initializer.Auto ? initializer : Initializer;
        Initialization.Fill(_weight.Value.Span, init == Initializer.Auto ? Initializer.Glorot : init, _patch, Filters * KernelSize * KernelSize, random);
        _cols = [];
        _partials = [];
        _packedB = [];
        _gatherPixels = Im2Col.GatherPixels(_pixels);
        _gatherTable = Im2Col.GatherTable(h, w, KernelSize, Stride, Padding, _outH, _outW, _gatherPixels);
        return new TensorShape(Filters, _outH, _outW);
    }

    /// <inheritdoc/>
    protected override void OnForward(Tensor input, Tensor output, bool training)
    {
        _input = input;
        _gemmWidth = UsePackedProducts ? GemmPacked.Width : 0;
        int parts = Parts(input.BatchSize, forward: true);
        if (_gemmWidth != 0)
        {
            // W [F, C·k·k] packed once for the whole batch.
            var w = Weight.Value.Span;
            EnsurePinned(ref _packedW, GemmPacked.ASize(_gemmWidth, Filters, _patch));
            fixed (float* pw = w, dst = _packedW)
            {
                GemmPacked.PackA(_gemmWidth, pw, _patch, transposed: false, Filters, _patch, GemmPacked.Align(dst));
            }
        }

        _job.Set(input, output, null, null, parts, backward: false);
        WorkerPool.Run(parts, _job);
    }

    /// <inheritdoc/>
    protected override void OnBackward(Tensor outputGradient, Tensor? inputGradient)
    {
        var input = _input ?? throw new InvalidOperationException($"{Spec}: backward called before forward.");
        _gemmWidth = UsePackedProducts ? GemmPacked.Width : 0;
        int parts = Parts(outputGradient.BatchSize, forward: false);
        if (_gemmWidth != 0 && inputGradient is not null)
        {
            // W^T [C·k·k, F] packed once for the whole batch (read in place from W [F, C·k·k]).
            EnsurePinned(ref _packedWT, GemmPacked.ASize(_gemmWidth, _patch, Filters));
            fixed (float* pw = Weight.Value.Span, dst = _packedWT)
            {
                GemmPacked.PackA(_gemmWidth, pw, _patch, transposed: true, _patch, Filters, GemmPacked.Align(dst));
            }
        }

        _job.Set(input, null, outputGradient, inputGradient, parts, backward: true);
        WorkerPool.Run(parts, _job);

        // The partials in part order: the same thread count gives the same sums, bit for bit.
        var dw = Weight.Gradient.Span;
        var db = Bias.Gradient.Span;
        int weights = Filters * _patch;
        for (int p = 0; p < parts; p++)
        {
            var partial = _partials[p].AsSpan();
            if (_partialDirect)
            {
                // The partial holds dW [F, patch].
                TensorPrimitives.Add(dw, partial[..weights], dw);
                TensorPrimitives.Add(db, partial.Slice(weights, Filters), db);
                continue;
            }

            // The partial holds dW^T [patch, F].
            for (int r = 0; r < _patch; r++)
            {
                for (int f = 0; f < Filters; f++)
                {
                    dw[f * _patch + r] += partial[r * Filters + f];
                }
            }

            TensorPrimitives.Add(db, partial.Slice(weights, Filters), db);
        }
    }

    /// <summary>
    /// From this patch depth C·k·k up, the bias is added in the forward product's epilogue rather than by filling the
    /// output with it first. With a shallow patch the product is bound by its stores to the output, and filling first
    /// (one sequential pass that leaves the output in cache) is cheaper than the product's scattered first writes:
    /// measured at batch 128 on 2 threads, conv 1→32 (C·k·k = 9) forward 0.86 ms filled against 1.13 ms fused,
    /// conv 32→64 (C·k·k = 288) 5.14 against 4.93 ms.
    /// </summary>
    /// <remarks>
    /// The weight gradient is always accumulated transposed, dW^T += cols · dY^T, rather than dW += dY · cols^T:
    /// with the packed product reading both in place the transposed form measured faster for conv 1→32 (parameter
    /// backward 1.64 against 2.40 ms; where F &gt; C·k·k the direct form pads C·k·k up to a 32-wide strip) and the same
    /// for conv 32→64; training steps of the reference CNN (conv:32x3,relu,pool:2,conv:64x3,...) at batch 128 22.7
    /// against 23.9 ms (minimum of interleaved runs, 2 threads).
    /// </remarks>
    private const int FusedBiasPatch = 64;

    /// <summary>
    /// Whether the products run on operands packed once per batch (<see cref="GemmPacked"/>, where a native
    /// micro-kernel exists) rather than through <see cref="Gemm.Product(ReadOnlySpan{float}, bool, ReadOnlySpan{float}, bool, Span{float}, int, int, int, bool)"/>
    /// per sample; the benchmark switches it to compare the two in one process.
    /// </summary>
    internal static bool UsePackedProducts { get; set; } = true;

    private bool DirectInput => KernelSize == 1 && Stride == 1 && Padding == 0;

    /// <summary>
    /// Up to this patch depth C·k·k the weight gradient is computed as dot products along the pixels
    /// (<see cref="GemmDot"/>: cols and dY read in place) instead of the blocked GEMM, which pads a shallow patch up
    /// to whole 8-row strips and transposes both operands for every sample (measured for conv 1→32, C·k·k = 9, batch
    /// 128, one thread, loaded machine: see the conv-layers benchmark's "dW dot" / "dW gemm" lines). Settable for
    /// the benchmark and tests.
    /// </summary>
    internal static int DotGradientMaxPatch { get; set; } = 32;

    /// <summary>
    /// Whether the weight gradient on the packed path runs on <see cref="GemmPacked"/> over groups of samples: the
    /// columns of <see cref="GradientGroup"/> samples and their dY^T packed one after the other into one long-K panel
    /// each (K = samples · pixels), then dW^T [C·k·k, F] += cols · dY^T once per group (or dW [F, C·k·k] += dY · cols^T
    /// where that pads less, e.g. on the 128-bit kernel), instead of one general product per sample. The benchmark
    /// switches it to compare the two in one process; off, dW runs per sample through the general product as before.
    /// Values differ from the per-sample product only in the order the samples' terms are summed.
    /// </summary>
    internal static bool UseGroupedGradient { get; set; } = true;

    /// <summary>
    /// Samples per weight-gradient product on the grouped path (<see cref="UseGroupedGradient"/>); 0 (the default)
    /// picks it from <see cref="GroupPanelFloats"/>. Settable for the benchmark and tests (group boundaries).
    /// </summary>
    internal static int GradientGroup { get; set; }

    /// <summary>
    /// The automatic group size keeps a group's two packed panels, (C·k·k + F) · samples · pixels floats, within this
    /// many floats (256 KB, a quarter of a 1 MB per-core L2), and at least one sample. Measured (conv-layers, batch
    /// 128, one thread, thread CPU time, loaded machine) for conv 32→64, whose panels take 170 KB per sample: G = 1, 2,
    /// 4, 8 gave dW,db 5.04, 5.19, 5.39, 5.32 ms with AVX-512 (the per-sample general product 5.04), 8.0, 8.1, 8.2,
    /// 8.4 ms with AVX2, 17.1, 17.0, 17.4, 17.7 ms at DOTNET_EnableAVX=0: the product with K = 121 already runs
    /// at the kernel's speed (215-220 GFLOP/s on one AVX-512 core, the same as with K = 484), so a longer K buys
    /// nothing and bigger panels fall out of cache; this budget gives conv 32→64 groups of one sample.
    /// </summary>
    private const int GroupPanelFloats = 64 * 1024;

    /// <summary>
    /// Whether dx on the packed path multiplies several samples per product: dY of <see cref="InputGradientGroup"/>
    /// samples side by side [F, G·pixels], dcols [C·k·k, G·pixels] = W^T · dY in one product (only the group's last
    /// strip of columns is partial, instead of every sample's: 121 pixels are 3 25/32 strips of 32, 10 1/12 of 12),
    /// then col2im per sample from its columns. Not for 1x1 convolutions (their dx is the product itself, per sample).
    /// The benchmark switches it to compare in one process. The same values as per sample, bit for bit.
    /// </summary>
    internal static bool UseGroupedInputGradient { get; set; } = true;

    /// <summary>Samples per dx product on the grouped path (<see cref="UseGroupedInputGradient"/>); 0 (the default) = 4.</summary>
    internal static int InputGradientGroup { get; set; }

    /// <summary>Whether this layer's dx runs grouped (<see cref="UseGroupedInputGradient"/>, packed path, not 1x1).</summary>
    private bool UseGroupedDx => _gemmWidth != 0 && UseGroupedInputGradient && !DirectInput;

    /// <summary>Whether this layer's weight gradient runs grouped (<see cref="UseGroupedGradient"/>, packed path, not <see cref="GemmDot"/>).</summary>
    private bool UseGrouped => _gemmWidth != 0 && UseGroupedGradient && !UseDotGradient;

    /// <summary>Whether this layer's weight gradient takes <see cref="GemmDot"/> (needs accelerated vectors and enough pixels to fill them).</summary>
    /// <remarks>
    /// Also taken for any patch depth when the products run on the 128-bit GEMM kernel: at DOTNET_EnableAVX=0 (SSE,
    /// no FMA) conv 32→64's dW measured 16.4 (dot) against 18.7 ms (GEMM) at batch 128 on one thread (loaded
    /// machine), while with AVX2 or AVX-512 the GEMM was twice as fast there (5.4 against 11 ms). Not measured on ARM64.
    /// </remarks>
    private bool UseDotGradient
        => System.Numerics.Vector.IsHardwareAccelerated && _pixels >= 4 * System.Numerics.Vector<float>.Count
        && (_patch <= DotGradientMaxPatch || (DotGradientMaxPatch > 0 && _gemmWidth == 128));

    /// <summary>
    /// How the batch is split: over samples (contiguous ranges, one per part) when there are at least as many
    /// samples as threads; otherwise, on the packed path's forward pass (e.g. batch-1 inference), every part takes
    /// all samples but only its own range of the NR-wide pixel strips. Grows the per-part scratch to match.
    /// </summary>
    private int Parts(int batch, bool forward)
    {
        long work = (long)batch * Filters * _patch * _pixels;
        int threads = work < ParallelWork ? 1 : Engine.MaxThreads;
        int parts = Math.Min(threads, batch);
        _splitPixels = false;
        if (_gemmWidth != 0)
        {
            int nr = GemmPacked.Cols(_gemmWidth);
            _strips = (_pixels + nr - 1) / nr;
            if (forward && parts < threads && _strips > 1)
            {
                parts = Math.Min(threads, _strips);
                _splitPixels = true;
            }
        }

        if (_cols.Length < parts)
        {
            var cols = new float[parts][];
            var partials = new float[parts][];
            var packed = new float[parts][];
            for (int p = 0; p < parts; p++)
            {
                // A 1x1, stride-1, unpadded convolution multiplies the input itself: no cols scratch.
                cols[p] = p < _cols.Length ? _cols[p] : DirectInput ? [] : new float[_patch * _pixels];
                partials[p] = p < _partials.Length ? _partials[p] : new float[Filters * _patch + Filters];
                packed[p] = p < _packedB.Length ? _packedB[p] : [];
            }

            (_cols, _partials, _packedB) = (cols, partials, packed);
        }

        if (_gemmWidth != 0)
        {
            // Room for im2col packed [C·k·k, pixels] and for dY packed [F, pixels], at either kernel width.
            long floats = (long)(_strips * GemmPacked.Cols(_gemmWidth)) * Math.Max(_patch, Filters);
            for (int p = 0; p < parts; p++)
            {
                EnsurePinned(ref _packedB[p], floats);
            }
        }

        if (!forward && UseGroupedDx)
        {
            // dx groups: dY side by side [F, G·pixels], its packed copy, and dcols [patch, G·pixels].
            int perPart = (batch + parts - 1) / parts;
            _dxGroup = Math.Min(InputGradientGroup > 0 ? InputGradientGroup : 4, perPart);
            if (_dxY.Length < parts)
            {
                Array.Resize(ref _dxY, parts);
                Array.Resize(ref _dxCols, parts);
                Array.Resize(ref _dxPacked, parts);
            }

            int n = _dxGroup * _pixels;
            for (int p = 0; p < parts; p++)
            {
                _dxY[p] ??= [];
                _dxCols[p] ??= [];
                _dxPacked[p] ??= [];
                EnsurePinned(ref _dxY[p], (long)Filters * n);
                EnsurePinned(ref _dxCols[p], (long)_patch * n);
                EnsurePinned(ref _dxPacked[p], GemmPacked.BSize(_gemmWidth, Filters, n));
            }
        }

        if (!forward)
        {
            // Which form the parts' dW partials hold: dW^T [patch, F] unless the grouped path picks dW [F, patch] below.
            _partialDirect = false;
        }

        if (!forward && UseGrouped)
        {
            // The grouped weight gradient's panels: cols packed as A [C·k·k, G·pixels], dY^T as B [G·pixels, F].
            int perPart = (batch + parts - 1) / parts;
            _group = GradientGroup > 0 ? GradientGroup : (int)Math.Max(1, GroupPanelFloats / ((long)(_patch + Filters) * _pixels));
            _group = Math.Min(_group, perPart);
            if (_groupA.Length < parts)
            {
                Array.Resize(ref _groupA, parts);
                Array.Resize(ref _groupB, parts);
            }

            // dW^T [patch, F] = cols · dY^T, or dW [F, patch] = dY · cols^T where that pads fewer rows and columns up to
            // whole strips (the 128-bit kernel's 4 x 12: conv 32→64's F = 64 is 5⅓ strips of 12, its patch 288 is 24).
            int mr = GemmPacked.Rows(_gemmWidth), nr = GemmPacked.Cols(_gemmWidth);
            long transposedArea = (long)RoundUp(_patch, mr) * RoundUp(Filters, nr), directArea = (long)RoundUp(Filters, mr) * RoundUp(_patch, nr);
            _partialDirect = directArea < transposedArea;
            int k = _group * _pixels;
            for (int p = 0; p < parts; p++)
            {
                _groupA[p] ??= [];
                _groupB[p] ??= [];
                EnsurePinned(ref _groupA[p], GemmPacked.ASize(_gemmWidth, Math.Max(_patch, Filters), k));
                EnsurePinned(ref _groupB[p], GemmPacked.BSize(_gemmWidth, k, Math.Max(_patch, Filters)));
            }
        }

        return parts;
    }

    private static int RoundUp(int x, int to) => (x + to - 1) / to * to;

    /// <summary>
    /// A pinned scratch array of at least <paramref name="floats"/> floats from its 64-byte aligned start
    /// (<see cref="GemmPacked.Align"/>; kept and reused once big enough).
    /// </summary>
    private static void EnsurePinned(ref float[] buffer, long floats)
    {
        floats += GemmPacked.Slack;
        if (buffer.Length < floats)
        {
            buffer = GC.AllocateUninitializedArray<float>((int)floats, pinned: true);
        }
    }

    /// <summary>
    /// The packed forward pass for samples [first, last) and output pixels [q0, q1) (q0 a multiple of NR): im2col
    /// written straight into the packed-B layout, then the product against W packed once per batch, the bias
    /// added in the epilogue while each tile is in registers.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void ForwardPacked(Tensor input, Tensor output, int first, int last, int q0, int q1, float[] packedBuffer)
    {
        int inLength = _channels * _height * _width, outLength = Filters * _pixels;
        fixed (float* pw0 = _packedW, pb0 = packedBuffer, pin = input.Span, pout = output.Span, pbias = Bias.Value.Span)
        {
            float* pw = GemmPacked.Align(pw0), pb = GemmPacked.Align(pb0);
            var epilogue = new GemmEpilogue(pbias, perRow: true, relu: false);
            for (int n = first; n < last; n++)
            {
                SampleProductPacked(pw, pb, pin + (long)n * inLength, q0, q1, pout + (long)n * outLength, epilogue);
            }
        }
    }

    /// <summary>
    /// One sample's output pixels [q0, q1) on the packed path, for training (<see cref="ForwardPacked"/>) and inference
    /// (<see cref="InferPacked"/>) alike: the sample <paramref name="x"/> unfolded straight into the packed-B strips at
    /// <paramref name="pb"/>, then the product against the packed W at <paramref name="pw"/> (both 64-byte aligned by
    /// <see cref="GemmPacked.Align"/>) into <paramref name="target"/> (the sample's [F, pixels] output) with the epilogue.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void SampleProductPacked(float* pw, float* pb, float* x, int q0, int q1, float* target, GemmEpilogue epilogue)
    {
        int width = _gemmWidth, nr = GemmPacked.Cols(width);
        if (DirectInput)
        {
            GemmPacked.PackB(width, x, _pixels, transposed: false, _patch, q0, q1 - q0, pb);
        }
        else if (Im2Col.UseGather)
        {
            fixed (int* table = _gatherTable)
            {
                Im2Col.UnfoldPackedGather(x, _channels, _height * _width, KernelSize * KernelSize, table, _gatherPixels, q0, q1, nr, pb);
            }
        }
        else
        {
            Im2Col.UnfoldPacked(x, _channels, _height, _width, KernelSize, Stride, Padding, _outH, _outW, q0, q1, nr, pb);
        }

        GemmPacked.Run(width, pw, pb, Filters, _patch, q1 - q0, target + q0, _pixels, accumulate: false, epilogue);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void ForwardSamples(Tensor input, Tensor output, int first, int last, float[] colsBuffer)
    {
        int inLength = _channels * _height * _width, outLength = Filters * _pixels;
        var w = Weight.Value.Span;
        var b = Bias.Value.Span;
        for (int n = first; n < last; n++)
        {
            var x = input.Span.Slice(n * inLength, inLength);
            var y = output.Span.Slice(n * outLength, outLength);
            ReadOnlySpan<float> cols = DirectInput ? x : Unfold(x, colsBuffer);
            if (_patch >= FusedBiasPatch)
            {
                Gemm.Product(w, false, cols, false, y, Filters, _patch, _pixels, accumulate: false, b, GemmBias.PerRow, relu: false);
                continue;
            }

            for (int f = 0; f < Filters; f++)
            {
                y.Slice(f * _pixels, _pixels).Fill(b[f]);
            }

            Gemm.MatMulAdd(w, cols, y, Filters, _patch, _pixels);
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void BackwardSamples(Tensor input, Tensor outputGradient, Tensor? inputGradient, int first, int last, float[] colsBuffer, float[] partialBuffer, float[] packedBuffer, int part)
    {
        int weights = Filters * _patch;
        var partial = partialBuffer.AsSpan();
        partial.Clear();
        var dw = partial[..weights];
        var db = partial.Slice(weights, Filters);
        var w = Weight.Value.Span;
        bool dot = UseDotGradient, grouped = UseGrouped, groupedDx = UseGroupedDx && inputGradient is not null;
        int group = grouped ? _group : 1, step = groupedDx ? _dxGroup : group;
        for (int n0 = first; n0 < last; n0 += step)
        {
            int count = Math.Min(step, last - n0);
            for (int i = 0, w0 = 0; i < count; i++)
            {
                // dW in groups of `group` samples inside the step (w0: the first of the current one).
                int wCount = Math.Min(group, count - w0);
                BackwardSample(input, outputGradient, inputGradient, n0 + i, i - w0, wCount, dot, grouped, colsBuffer, dw, db, w, packedBuffer, part, groupedDx ? i : -1, count);
                if (grouped && i - w0 == wCount - 1)
                {
                    RunGradientGroup(dw, wCount, part);
                    w0 = i + 1;
                }
            }

            if (groupedDx)
            {
                InputGradientGroupProduct(inputGradient!, n0, count, part);
            }
        }
    }

    /// <summary>
    /// dx of samples [<paramref name="n0"/>, n0 + <paramref name="count"/>) from their dY gathered side by side by
    /// <see cref="BackwardSample"/>: dcols [patch, count·pixels] = W^T · dY in one product, then col2im of each
    /// sample's columns (rows count·pixels apart) onto its dx.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void InputGradientGroupProduct(Tensor inputGradient, int n0, int count, int part)
    {
        int inLength = _channels * _height * _width, n = count * _pixels;
        fixed (float* pwt0 = _packedWT, py = _dxY[part], pb0 = _dxPacked[part], pc = _dxCols[part], pdx = inputGradient.Span)
        {
            float* pwt = GemmPacked.Align(pwt0), pb = GemmPacked.Align(pb0);
            GemmPacked.PackB(_gemmWidth, py, n, transposed: false, Filters, 0, n, pb);
            GemmPacked.Run(_gemmWidth, pwt, pb, _patch, Filters, n, pc, n, accumulate: false, default);
            for (int i = 0; i < count; i++)
            {
                Im2Col.Fold(pc + (long)i * _pixels, n, _channels, _height, _width, KernelSize, Stride, Padding, _outH, _outW, pdx + (long)(n0 + i) * inLength);
            }
        }
    }

    /// <summary>The grouped weight gradient's product for the <paramref name="count"/> samples packed into the part's panels.</summary>
    private void RunGradientGroup(Span<float> dw, int count, int part)
    {
        // dW^T [patch, F] += cols [patch, count·pixels] · dY^T [count·pixels, F]: one product for the group.
        // (or dW [F, patch] += dY · cols^T: see Parts).
        fixed (float* pa0 = _groupA[part], pb0 = _groupB[part], pdw = dw)
        {
            float* pa = GemmPacked.Align(pa0), pb = GemmPacked.Align(pb0);
            if (_partialDirect)
            {
                GemmPacked.Run(_gemmWidth, pa, pb, Filters, count * _pixels, _patch, pdw, _patch, accumulate: true, default);
            }
            else
            {
                GemmPacked.Run(_gemmWidth, pa, pb, _patch, count * _pixels, Filters, pdw, Filters, accumulate: true, default);
            }
        }
    }

    /// <summary>
    /// Sample <paramref name="n"/> of <see cref="BackwardSamples"/>: its weight-gradient share (grouped: its cols and
    /// dY^T packed as k steps [<paramref name="slot"/>·pixels, +pixels) of the group's panels, <paramref name="count"/>
    /// samples deep; otherwise added to dW^T here), its bias gradient and its dx.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void BackwardSample(Tensor input, Tensor outputGradient, Tensor? inputGradient, int n, int slot, int count, bool dot, bool grouped,
                                float[] colsBuffer, Span<float> dw, Span<float> db, ReadOnlySpan<float> w, float[] packedBuffer, int part, int dxSlot, int dxCount)
    {
        int inLength = _channels * _height * _width, outLength = Filters * _pixels;
        var x = input.Span.Slice(n * inLength, inLength);
        var dy = outputGradient.Span.Slice(n * outLength, outLength);
        ReadOnlySpan<float> cols = DirectInput ? x : Unfold(x, colsBuffer);
        if (grouped)
        {
            int k = count * _pixels, k0 = slot * _pixels;
            fixed (float* pc = cols, pdy = dy, pa0 = _groupA[part], pb0 = _groupB[part])
            {
                float* pa = GemmPacked.Align(pa0), pb = GemmPacked.Align(pb0);
                if (_partialDirect)
                {
                    // A = dY [F, pixels], B = cols^T [pixels, patch].
                    GemmPacked.PackAPanel(_gemmWidth, pdy, _pixels, transposed: false, Filters, _pixels, k0, k, pa);
                    GemmPacked.PackBPanel(_gemmWidth, pc, _pixels, transposed: true, _pixels, _patch, k0, k, pb);
                }
                else
                {
                    // A = cols [patch, pixels], B = dY^T [pixels, F].
                    GemmPacked.PackAPanel(_gemmWidth, pc, _pixels, transposed: false, _patch, _pixels, k0, k, pa);
                    GemmPacked.PackBPanel(_gemmWidth, pdy, _pixels, transposed: true, _pixels, Filters, k0, k, pb);
                }
            }
        }
        else if (dot)
        {
            // dW^T [patch, F] += cols [patch, pixels] · dY [F, pixels]^T: dot products along the pixels, both read in place.
            fixed (float* pc = cols, pdy = dy, pdw = dw)
            {
                GemmDot.AddABt(pc, _pixels, pdy, _pixels, pdw, Filters, _patch, Filters, _pixels);
            }
        }
        else
        {
            Gemm.Product(cols, false, dy, true, dw, _patch, _pixels, Filters, accumulate: true);
        }

        for (int f = 0; f < Filters; f++)
        {
            db[f] += TensorPrimitives.Sum(dy.Slice(f * _pixels, _pixels));
        }

        if (inputGradient is null)
        {
            return;
        }

        if (dxSlot >= 0)
        {
            // Grouped dx: this sample's dY goes into columns [slot·pixels, +pixels) of the group's dY [F, count·pixels].
            int n2 = dxCount * _pixels;
            var group = _dxY[part].AsSpan();
            for (int f = 0; f < Filters; f++)
            {
                dy.Slice(f * _pixels, _pixels).CopyTo(group.Slice(f * n2 + dxSlot * _pixels, _pixels));
            }

            return;
        }

        var dx = inputGradient.Span.Slice(n * inLength, inLength);
        if (_gemmWidth != 0)
        {
            // dcols = W^T dY from W^T packed once per batch and dY packed here (or straight into dx for a 1x1 convolution).
            var target = DirectInput ? dx : colsBuffer.AsSpan(0, _patch * _pixels);
            fixed (float* pwt0 = _packedWT, pb0 = packedBuffer, pdy = dy, pt = target)
            {
                float* pwt = GemmPacked.Align(pwt0), pb = GemmPacked.Align(pb0);
                GemmPacked.PackB(_gemmWidth, pdy, _pixels, transposed: false, Filters, 0, _pixels, pb);
                GemmPacked.Run(_gemmWidth, pwt, pb, _patch, Filters, _pixels, pt, _pixels, accumulate: false, default);
                if (!DirectInput)
                {
                    fixed (float* px = dx)
                    {
                        Im2Col.Fold(pt, _pixels, _channels, _height, _width, KernelSize, Stride, Padding, _outH, _outW, px);
                    }
                }
            }

            return;
        }

        if (DirectInput)
        {
            Gemm.Product(w, true, dy, false, dx, _patch, Filters, _pixels, accumulate: false);
            return;
        }

        // dcols = W^T dY, in the cols scratch (cols is no longer needed), then folded back onto the image.
        var dcols = colsBuffer.AsSpan(0, _patch * _pixels);
        Gemm.Product(w, true, dy, false, dcols, _patch, Filters, _pixels, accumulate: false);
        fixed (float* pc = dcols, px = dx)
        {
            Im2Col.Fold(pc, _pixels, _channels, _height, _width, KernelSize, Stride, Padding, _outH, _outW, px);
        }
    }

    private ReadOnlySpan<float> Unfold(ReadOnlySpan<float> x, float[] colsBuffer)
    {
        fixed (float* px = x, pc = colsBuffer)
        {
            if (Im2Col.UseGather)
            {
                fixed (int* table = _gatherTable)
                {
                    Im2Col.UnfoldGather(px, _channels, _height * _width, KernelSize * KernelSize, table, _gatherPixels, _pixels, pc);
                }

                return colsBuffer.AsSpan(0, _patch * _pixels);
            }

            Im2Col.Unfold(px, _channels, _height, _width, KernelSize, Stride, Padding, _outH, _outW, pc, _pixels);
        }

        return colsBuffer.AsSpan(0, _patch * _pixels);
    }

    // ---- Inference entry (helper cnninfer, issue 13): Infer, InferSample, InferPacked, InferJob. Used by
    // ---- Sequential.Infer only; the training path above does not call into it.

    /// <summary>Applies relu in place on the general (not packed) inference path: the relu activation itself.</summary>
    private static readonly Nonlinear.Activations.Relu InferRelu = new();

    /// <summary>
    /// In <see cref="Infer"/>, batches smaller than the thread count split each sample's pixels over the threads only
    /// from this many multiply-adds per sample (F·C·k²·pixels) up; below, the calling thread does all of it. 0 (the
    /// default) splits whenever the training forward would; <see cref="long.MaxValue"/> never splits. The
    /// benchmark's cnn-layers mode compares the settings in one process.
    /// </summary>
    internal static long InferSplitWork { get; set; }

    private InferJob? _inferJob;
    private Tensor? _inferOutput;
    private Tensor? _inferConv;
    private float[][] _inferSample = [];
    private int[][] _inferArgmax = [];
    private float[] _inferPackedW = [];
    private float[] _inferWeights = [];
    private int _inferPackedWidth;

    /// <summary>
    /// Inference: this layer's evaluation output, then (<paramref name="relu"/>) max(0, x), then (<paramref name="pool"/>
    /// non-null, a built layer whose input shape is this layer's output shape) that max pooling, bit for bit equal to
    /// running the convolution, a relu activation layer and the pooling layer one after the other. The ReLU runs in the
    /// product's epilogue (MAXPS(0, x), as the activation; on the general path the activation itself); with a pooling
    /// layer each sample's output is pooled by the same part right after its product, while it is in cache, and the
    /// whole convolution output is never written (batches smaller than the thread count, which split the pixels of
    /// each sample instead, write it and pool after). Returns a tensor owned by this layer (valid until the next call);
    /// <see cref="Layer.LastOutput"/> and the backward state are not touched.
    /// </summary>
    /// <exception cref="InvalidOperationException">The layer is not built.</exception>
    /// <exception cref="ArgumentException">The input, or the pooling layer's input, does not fit.</exception>
    internal Tensor Infer(Tensor input, bool relu, MaxPool2D? pool)
    {
        CheckInput(input);

        if (pool is not null && (!pool.IsBuilt || pool.InputShape != OutputShape))
        {
            throw new ArgumentException($"The pooling layer must be built for this layer's output shape {OutputShape}.", nameof(pool));
        }

        int batch = input.BatchSize;
        _gemmWidth = UsePackedProducts ? GemmPacked.Width : 0;
        int parts = Parts(batch, forward: true);
        if (_splitPixels && (long)Filters * _patch * _pixels < InferSplitWork)
        {
            // Too little work per sample to pay for handing half of it to another thread.
            (parts, _splitPixels) = (1, false);
        }

        if (_gemmWidth != 0)
        {
            // W packed for inference is kept with a copy of the weights it was packed from, and re-packed unless the
            // weights are the same bytes (a compare reads W once; packing reads it and writes the panels): never stale.
            var w = Weight.Value.Span;
            if (_inferPackedWidth != _gemmWidth || !System.Runtime.InteropServices.MemoryMarshal.AsBytes(w).SequenceEqual(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_inferWeights.AsSpan())))
            {
                EnsurePinned(ref _inferPackedW, GemmPacked.ASize(_gemmWidth, Filters, _patch));
                fixed (float* pw = w, dst = _inferPackedW)
                {
                    GemmPacked.PackA(_gemmWidth, pw, _patch, transposed: false, Filters, _patch, GemmPacked.Align(dst));
                }

                if (_inferWeights.Length != w.Length)
                {
                    _inferWeights = new float[w.Length];
                }

                w.CopyTo(_inferWeights);
                _inferPackedWidth = _gemmWidth;
            }
        }

        var output = Buffer(ref _inferOutput, batch, pool is null ? OutputShape : pool.OutputShape);
        bool perSample = pool is not null && !_splitPixels;
        var conv = pool is null ? output : perSample ? null : Buffer(ref _inferConv, batch, OutputShape);
        int pooled = pool is null ? 0 : pool.OutputShape.Length;
        if (_inferSample.Length < parts)
        {
            Array.Resize(ref _inferSample, parts);
            Array.Resize(ref _inferArgmax, parts);
        }

        for (int p = 0; p < parts; p++)
        {
            if (perSample && (_inferSample[p] is null || _inferSample[p].Length < Filters * _pixels))
            {
                _inferSample[p] = GC.AllocateUninitializedArray<float>(Filters * _pixels, pinned: true);
            }

            long argmax = perSample ? pooled : (long)batch * pooled;
            if (pool is not null && (p == 0 || perSample) && (_inferArgmax[p] is null || _inferArgmax[p].Length < argmax))
            {
                _inferArgmax[p] = GC.AllocateUninitializedArray<int>((int)argmax, pinned: true);
            }
        }

        var job = _inferJob ??= new InferJob(this);
        job.Set(input, conv, output, relu, pool, parts);
        WorkerPool.Run(parts, job);
        if (pool is not null && !perSample)
        {
            fixed (float* pc = conv!.Span, po = output.Span)
            fixed (int* pa = _inferArgmax[0])
            {
                Pooling.MaxForwardPlanes(pc, po, pa, batch * Filters, _outH, _outW, pool.Size, pool.Stride, pool.OutputShape[1], pool.OutputShape[2]);
            }
        }

        return output;
    }

    /// <summary>
    /// Part <paramref name="part"/> of <see cref="Infer"/>: its pixel strips of every sample (into the convolution
    /// output), or its samples, each multiplied into the convolution output or, with pooling, into the part's
    /// one-sample scratch and pooled from there into the output.
    /// </summary>
    private void InferPart(InferJob job, int part)
    {
        var input = job.Input!;
        int batch = input.BatchSize, outLength = Filters * _pixels;
        if (_splitPixels)
        {
            int nr = GemmPacked.Cols(_gemmWidth);
            int s0 = (int)((long)_strips * part / job.Parts), s1 = (int)((long)_strips * (part + 1) / job.Parts);
            int q0 = s0 * nr, q1 = Math.Min(_pixels, s1 * nr);
            fixed (float* pc = job.Conv!.Span)
            {
                for (int n = 0; q0 < q1 && n < batch; n++)
                {
                    InferPacked(input, n, q0, q1, pc + (long)n * outLength, job.Relu, _packedB[part]);
                }
            }

            return;
        }

        int per = (batch + job.Parts - 1) / job.Parts;
        int first = Math.Min(batch, part * per), last = Math.Min(batch, first + per);
        var pool = job.Pool;
        fixed (float* pc = job.Conv is null ? default : job.Conv.Span, scratch = _inferSample[part], po = job.Output!.Span)
        fixed (int* pa = pool is null ? null : _inferArgmax[part])
        {
            int pooled = pool is null ? 0 : pool.OutputShape.Length;
            for (int n = first; n < last; n++)
            {
                float* target = pool is null ? pc + (long)n * outLength : scratch;
                if (_gemmWidth != 0)
                {
                    InferPacked(input, n, 0, _pixels, target, job.Relu, _packedB[part]);
                }
                else
                {
                    InferSample(input, n, target, job.Relu, _cols[part]);
                }

                if (pool is not null)
                {
                    Pooling.MaxForwardPlanes(scratch, po + (long)n * pooled, pa, Filters, _outH, _outW, pool.Size, pool.Stride, pool.OutputShape[1], pool.OutputShape[2]);
                }
            }
        }
    }

    /// <summary>
    /// Sample <paramref name="n"/>, pixels [q0, q1), on the packed path: the same unfold and product as
    /// <see cref="ForwardPacked"/> (W packed by <see cref="Infer"/>), with the ReLU in the epilogue, into <paramref name="target"/> (the sample's
    /// [F, pixels] output).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void InferPacked(Tensor input, int n, int q0, int q1, float* target, bool relu, float[] packedBuffer)
    {
        int inLength = _channels * _height * _width;
        fixed (float* pw0 = _inferPackedW, pb0 = packedBuffer, pin = input.Span, pbias = Bias.Value.Span)
        {
            var epilogue = new GemmEpilogue(pbias, perRow: true, relu);
            SampleProductPacked(GemmPacked.Align(pw0), GemmPacked.Align(pb0), pin + (long)n * inLength, q0, q1, target, epilogue);
        }
    }

    /// <summary>
    /// Sample <paramref name="n"/> on the general path: the same products as <see cref="ForwardSamples"/> into
    /// <paramref name="target"/>, then the relu activation in place.
    /// </summary>
    private void InferSample(Tensor input, int n, float* target, bool relu, float[] colsBuffer)
    {
        int inLength = _channels * _height * _width, outLength = Filters * _pixels;
        var w = Weight.Value.Span;
        var b = Bias.Value.Span;
        var x = input.Span.Slice(n * inLength, inLength);
        var y = new Span<float>(target, outLength);
        ReadOnlySpan<float> cols = DirectInput ? x : Unfold(x, colsBuffer);
        if (_patch >= FusedBiasPatch)
        {
            Gemm.Product(w, false, cols, false, y, Filters, _patch, _pixels, accumulate: false, b, GemmBias.PerRow, relu: false);
        }
        else
        {
            for (int f = 0; f < Filters; f++)
            {
                y.Slice(f * _pixels, _pixels).Fill(b[f]);
            }

            Gemm.MatMulAdd(w, cols, y, Filters, _patch, _pixels);
        }

        if (relu)
        {
            InferRelu.ForwardInPlace(y);
        }
    }

    /// <summary>The reusable job of <see cref="Infer"/>.</summary>
    private sealed class InferJob(Conv2D layer) : IParallelJob
    {
        public Tensor? Input { get; private set; }

        public Tensor? Conv { get; private set; }

        public Tensor? Output { get; private set; }

        public MaxPool2D? Pool { get; private set; }

        public bool Relu { get; private set; }

        public int Parts { get; private set; }

        public void Set(Tensor input, Tensor? conv, Tensor output, bool relu, MaxPool2D? pool, int parts)
            => (Input, Conv, Output, Relu, Pool, Parts) = (input, conv, output, relu, pool, parts);

        public void Execute(int part) => layer.InferPart(this, part);
    }

    // ---- End of the inference entry.

    /// <summary>The layer's one reusable job: contiguous ranges of samples, one per part.</summary>
    private sealed class ConvJob(Conv2D layer) : IParallelJob
    {
        private Tensor? _input, _output, _outputGradient, _inputGradient;
        private int _parts;
        private bool _backward;

        public void Set(Tensor input, Tensor? output, Tensor? outputGradient, Tensor? inputGradient, int parts, bool backward)
        {
            (_input, _output, _outputGradient, _inputGradient, _parts, _backward) = (input, output, outputGradient, inputGradient, parts, backward);
        }

        public void Execute(int part)
        {
            int batch = _input!.BatchSize;
            if (!_backward && layer._splitPixels)
            {
                // Every part: all samples, its own range of whole pixel strips.
                int nr = GemmPacked.Cols(layer._gemmWidth), strips = layer._strips;
                int s0 = (int)((long)strips * part / _parts), s1 = (int)((long)strips * (part + 1) / _parts);
                int q0 = s0 * nr, q1 = Math.Min(layer._pixels, s1 * nr);
                if (q0 < q1)
                {
                    layer.ForwardPacked(_input, _output!, 0, batch, q0, q1, layer._packedB[part]);
                }

                return;
            }

            int per = (batch + _parts - 1) / _parts;
            int first = Math.Min(batch, part * per), last = Math.Min(batch, first + per);
            if (_backward)
            {
                layer.BackwardSamples(_input, _outputGradient!, _inputGradient, first, last, layer._cols[part], layer._partials[part], layer._packedB[part], part);
            }
            else if (layer._gemmWidth != 0)
            {
                layer.ForwardPacked(_input, _output!, first, last, 0, layer._pixels, layer._packedB[part]);
            }
            else
            {
                layer.ForwardSamples(_input, _output!, first, last, layer._cols[part]);
            }
        }
    }
}
