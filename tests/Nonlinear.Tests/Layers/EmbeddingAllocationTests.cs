using Nonlinear.Data.Sequences;
using Nonlinear.Layers;
using Nonlinear.Losses;
using Nonlinear.Tensors;
using Xunit;

namespace Nonlinear.Tests.Layers;

/// <summary>Steady-state allocation of an embedding and the sequence loss (serial collection, as CnnAllocationTests).</summary>
[Collection(Nonlinear.Tests.Activations.KernelSettings.Name)]
public sealed class EmbeddingAllocationTests
{
    [Fact]
    public void Embedding_forward_backward_and_the_sequence_loss_allocate_nothing_per_batch()
    {
        var batch = new WordBatch(["cat", "a", "horse", "zebra"], steps: 8);
        var embedding = new Embedding(CharacterVocabulary.SymbolCount, CharacterVocabulary.SymbolCount);
        embedding.Build(new TensorShape(batch.Steps), Initializer.Auto, new Random(1));
        var loss = new SequenceCrossEntropy();
        var gradient = new Tensor(batch.Count, batch.Steps, CharacterVocabulary.SymbolCount);

        void Step()
        {
            // The embedding's output read as logits over the 27 symbols: enough to run both in a loop.
            var logits = embedding.Forward(batch.Inputs, training: true);
            loss.Compute(logits, batch.Targets, gradient);
            embedding.BackwardParameters(gradient);
        }

        Step();
        Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            Step();
        }

        long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(bytes == 0, $"{bytes} bytes allocated in 100 steps");
    }
}
