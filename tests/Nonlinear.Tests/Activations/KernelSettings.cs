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

    /// <summary>The vector widths this machine can test: 256 always (emulated if need be), 512 where accelerated.</summary>
    public static IEnumerable<int> Widths => System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? [512, 256] : [256];

    /// <summary>Runs <paramref name="action"/> with kernels on vectors of <paramref name="width"/> bits.</summary>
    public static T WithWidth<T>(int width, Func<T> action)
    {
        bool before = Elementwise.UseVector512;
        try
        {
            Elementwise.UseVector512 = width == 512;
            return action();
        }
        finally
        {
            Elementwise.UseVector512 = before;
        }
    }
}
