using Nonlinear.Tensors.Simd;
using Xunit;

namespace Nonlinear.Tests.Activations;

/// <summary>
/// Tests that change process-wide kernel settings (vector width, thread count) run in this collection, which
/// xunit runs alone, so that no other test sees a setting change halfway through.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class KernelSettings
{
    public const string Name = "Kernel settings";

    /// <summary>
    /// The vector widths this machine can test: 512 where accelerated, 256 and 128 always (emulated in software
    /// where the hardware lacks them, e.g. 256 under DOTNET_EnableAVX=0). The default width comes first.
    /// </summary>
    public static IEnumerable<int> Widths
        => new[] { 512, 256, 128 }.Where(w => w != 512 || System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated)
            .OrderBy(w => w == Elementwise.DefaultWidth ? 0 : 1);

    /// <summary>Runs <paramref name="action"/> with kernels on vectors of <paramref name="width"/> bits.</summary>
    public static T WithWidth<T>(int width, Func<T> action)
    {
        int before = Elementwise.Width;
        try
        {
            Elementwise.Width = width;
            return action();
        }
        finally
        {
            Elementwise.Width = before;
        }
    }
}
