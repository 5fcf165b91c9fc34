using System.Globalization;
using Nonlinear.Tensors;

namespace Nonlinear.Data;

/// <summary>
/// Random, label-preserving changes to a training batch of images [N, C, H, W], applied in place by the trainer
/// to each batch before the forward pass (never at evaluation): a horizontal flip with probability 1/2 and a
/// shift by up to <see cref="MaxShift"/> pixels in each direction, the uncovered border repeating the nearest
/// edge pixel (after normalisation, zero is not the background).
/// </summary>
/// <remarks>
/// Deterministic: the choices for a sample depend only on <see cref="Seed"/>, the epoch, the batch and the
/// sample's position in it (SplitMix64), so a seeded run is reproducible. Allocates nothing per batch after the
/// first (one scratch image). Flips suit Fashion-MNIST (a mirrored shoe is still a shoe) but not digits or text.
/// </remarks>
/// <example><c>trainer.Augmentation = new ImageAugmentation(flip: true, maxShift: 2, seed: 1);</c></example>
public sealed class ImageAugmentation
{
    private float[] _scratch = [];

    /// <summary>An augmentation with the given flip and shift; at least one must be on.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxShift"/> is negative or above 8.</exception>
    /// <exception cref="ArgumentException">Neither flip nor shift is on.</exception>
    public ImageAugmentation(bool flip, int maxShift, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxShift);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxShift, 8);
        if (!flip && maxShift == 0)
        {
            throw new ArgumentException("An augmentation needs a flip or a shift.");
        }

        Flip = flip;
        MaxShift = maxShift;
        Seed = seed;
    }

    /// <summary>Whether images are mirrored left-right with probability 1/2.</summary>
    public bool Flip { get; }

    /// <summary>The largest shift, in pixels, along each axis (uniform in [-MaxShift, MaxShift]).</summary>
    public int MaxShift { get; }

    /// <summary>The seed of the random choices.</summary>
    public int Seed { get; }

    /// <summary>
    /// Parses the CLI form: a comma-separated list of <c>flip</c> and <c>shift</c> or <c>shift:&lt;pixels&gt;</c>
    /// (default 2 pixels), e.g. "flip,shift:2"; "none" gives null.
    /// </summary>
    /// <exception cref="FormatException">A token is not flip, shift, shift:N or none.</exception>
    public static ImageAugmentation? Parse(string text, int seed)
    {
        ArgumentNullException.ThrowIfNull(text);
        bool flip = false;
        int shift = 0;
        foreach (var raw in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var token = raw.ToLowerInvariant();
            if (token == "none")
            {
                continue;
            }

            if (token == "flip")
            {
                flip = true;
            }
            else if (token == "shift")
            {
                shift = 2;
            }
            else if (token.StartsWith("shift:", StringComparison.Ordinal) && int.TryParse(token.AsSpan(6), NumberStyles.None, CultureInfo.InvariantCulture, out int pixels) && pixels is >= 1 and <= 8)
            {
                shift = pixels;
            }
            else
            {
                throw new FormatException($"Unknown augmentation '{raw}': expected flip, shift, shift:<1-8 pixels> or none (e.g. flip,shift:2).");
            }
        }

        return flip || shift > 0 ? new ImageAugmentation(flip, shift, seed) : null;
    }

    /// <summary>Augments every image of <paramref name="batch"/> [N, C, H, W] in place.</summary>
    /// <exception cref="ArgumentException">The batch is not rank 4.</exception>
    public void Apply(Tensor batch, int epoch, int batchIndex)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Rank != 4)
        {
            throw new ArgumentException($"Image augmentation needs a batch of images [N, C, H, W]; found {batch.Shape}.", nameof(batch));
        }

        int n = batch.Shape[0], c = batch.Shape[1], h = batch.Shape[2], w = batch.Shape[3];
        int plane = h * w;
        if (_scratch.Length < plane)
        {
            _scratch = new float[plane];
        }

        var data = batch.Span;
        for (int i = 0; i < n; i++)
        {
            ulong state = ((ulong)(uint)Seed << 32) ^ ((ulong)(uint)epoch * 0x9E3779B97F4A7C15UL) ^ ((ulong)(uint)batchIndex << 20) ^ (uint)i;
            ulong r = Next(ref state);
            bool mirror = Flip && (r & 1) == 1;
            int span = (2 * MaxShift) + 1;
            int dy = MaxShift == 0 ? 0 : (int)((r >> 8) % (ulong)span) - MaxShift;
            int dx = MaxShift == 0 ? 0 : (int)((r >> 24) % (ulong)span) - MaxShift;
            if (!mirror && dx == 0 && dy == 0)
            {
                continue;
            }

            for (int ch = 0; ch < c; ch++)
            {
                var image = data.Slice(((i * c) + ch) * plane, plane);
                image.CopyTo(_scratch);
                for (int y = 0; y < h; y++)
                {
                    int sy = Math.Clamp(y - dy, 0, h - 1);
                    for (int x = 0; x < w; x++)
                    {
                        int sx = Math.Clamp(x - dx, 0, w - 1);
                        image[(y * w) + x] = _scratch[(sy * w) + (mirror ? w - 1 - sx : sx)];
                    }
                }
            }
        }
    }

    /// <summary>The CLI form, e.g. "flip,shift:2".</summary>
    public override string ToString()
        => string.Join(",", new[] { Flip ? "flip" : null, MaxShift > 0 ? $"shift:{MaxShift.ToString(CultureInfo.InvariantCulture)}" : null }.Where(s => s is not null));

    private static ulong Next(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
