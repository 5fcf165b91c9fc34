using Nonlinear.Serialization;
using Nonlinear.Tensors;

namespace Nonlinear.Tests.Serialization.PyTorch;

/// <summary>One exported model and a batch to run through it in both libraries.</summary>
/// <param name="Name">The case's name (its folder, and the name in failure messages).</param>
/// <param name="Group">mlp, cnn, activation or sequence: the test that checks it.</param>
/// <param name="Saved">The model, as loaded back from its .nlm file (what the CLI exports).</param>
/// <param name="Input">The raw (unnormalised) batch; token ids as floats for an embedding model.</param>
public sealed record PyTorchCase(string Name, string Group, SavedModel Saved, Tensor Input)
{
    /// <summary>Whether the input holds token ids (an embedding first).</summary>
    public bool Tokens => Saved.Model.Layers[0] is Nonlinear.Layers.Embedding;
}
