using Nonlinear.Layers;
using Nonlinear.Tensors;
using Nonlinear.Tests.Layers.Attention;
using Xunit;

namespace Nonlinear.Tests.Layers;

/// <summary>Steady-state allocation of a dense layer on sequences (serial collection, as CnnAllocationTests).</summary>
[Collection(Nonlinear.Tests.Activations.KernelSettings.Name)]
public sealed class DenseSequenceAllocationTests
{
    [Fact]
    public void Dense_on_sequences_forward_backward_and_backward_parameters_allocate_nothing_per_batch()
    {
        // Word-model sizes: 32 words × 23 steps = 736 rows of 128 features to 27 classes.
        var layer = new Dense(27);
        layer.Build(new TensorShape(23, 128), Initializer.Glorot, new Random(1));
        var x = Float64GradientCheck.RandomTensor(2, 1.0, 32, 23, 128);
        var dy = Float64GradientCheck.RandomTensor(3, 1.0, 32, 23, 27);

        void Step()
        {
            layer.Forward(x, training: true);
            layer.Backward(dy);
            layer.Forward(x, training: true);
            layer.BackwardParameters(dy);
        }

        for (int i = 0; i < 5; i++)
        {
            Step();   // warm-up: buffers sized, GEMM jobs cached, methods tiered up
        }

        // The calling thread and the whole process (GEMM workers) are measured. A one-off allocation (the tiered
        // JIT, or the test runner's own threads for the process count) can land in one try; an allocation per call
        // would be at least 40 × 24 bytes in every try. The best of three tries is the layer's share.
        long thread = long.MaxValue, process = long.MaxValue;
        for (int attempt = 0; attempt < 3; attempt++)
        {
            long threadStart = GC.GetAllocatedBytesForCurrentThread();
            long processStart = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < 20; i++)
            {
                Step();
            }

            thread = Math.Min(thread, GC.GetAllocatedBytesForCurrentThread() - threadStart);
            process = Math.Min(process, GC.GetTotalAllocatedBytes(precise: true) - processStart);
        }

        Assert.True(thread == 0, $"{thread} bytes allocated on the calling thread in 20 steps");
        Assert.True(process < 512, $"{process} bytes allocated in the process in 20 steps");
    }
}
