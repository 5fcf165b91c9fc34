using Nonlinear.Layers;
using Nonlinear.Models;
using Nonlinear.Tensors;
using Nonlinear.Tests.Layers.Attention;
using Xunit;

namespace Nonlinear.Tests.Layers;

/// <summary>
/// Steady-state allocation of the sequence layers: dense per step, positions, pooling (serial collection: it
/// changes Engine.MaxThreads).
/// </summary>
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

        // One thread, so that all the work is on the calling thread and its count is exact: a process-wide count
        // also sees whatever earlier tests left running (measured: a few kB per try after the other suites). The
        // GEMM's worker threads are checked allocation-free by GemmTests.Steady_state_products_allocate_nothing.
        int before = Engine.MaxThreads;
        try
        {
            Engine.MaxThreads = 1;
            for (int i = 0; i < 5; i++)
            {
                Step();   // warm-up: buffers sized, GEMM buffers grown, methods tiered up
            }

            // A one-off allocation (the tiered JIT) can land in one try; one per call would show in every try.
            long best = long.MaxValue;
            for (int attempt = 0; attempt < 3 && best != 0; attempt++)
            {
                long start = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 50; i++)
                {
                    Step();
                }

                best = Math.Min(best, GC.GetAllocatedBytesForCurrentThread() - start);
            }

            Assert.True(best == 0, $"{best} bytes allocated in 50 steps");
        }
        finally
        {
            Engine.MaxThreads = before;
        }
    }

    [Theory]
    [InlineData("dense:16,positions:learned,positions:sinusoidal,seqpool:mean,dense:10")]
    [InlineData("dense:16,positions:learned,seqpool:last,dense:10")]
    public void Positions_and_pooling_in_a_model_allocate_nothing_per_batch(string spec)
    {
        var model = Sequential.Parse(spec);
        model.Build(new TensorShape(28, 28), seed: 1);
        var x = Float64GradientCheck.RandomTensor(2, 1.0, 16, 28, 28);
        var dy = Float64GradientCheck.RandomTensor(3, 1.0, 16, 10);
        int before = Engine.MaxThreads;
        try
        {
            Engine.MaxThreads = 1;   // as above: all the work on the calling thread
            for (int i = 0; i < 5; i++)
            {
                model.Forward(x, training: true);
                model.Backward(dy);
            }

            long best = long.MaxValue;
            for (int attempt = 0; attempt < 3 && best != 0; attempt++)
            {
                long start = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 20; i++)
                {
                    model.Forward(x, training: true);
                    model.Backward(dy);
                }

                best = Math.Min(best, GC.GetAllocatedBytesForCurrentThread() - start);
            }

            Assert.True(best == 0, $"{best} bytes allocated in 20 steps of {spec}");
        }
        finally
        {
            Engine.MaxThreads = before;
        }
    }
}
