using Nonlinear.Serialization;

namespace Nonlinear.Web.ModelFiles;

/// <summary>
/// A model file opened in the Model tab, as the model store keeps it: the loaded model, and (once asked for) its
/// evaluation on the Fashion-MNIST test images, computed once and kept.
/// </summary>
/// <param name="Id">An unguessable id.</param>
/// <param name="Name">The file name the page gave, for messages.</param>
/// <param name="Format">"nlm" or "onnx": how the file was read.</param>
/// <param name="Saved">The model with its weights and metadata.</param>
/// <param name="Bytes">The file's size.</param>
internal sealed record ModelUpload(string Id, string Name, string Format, SavedModel Saved, long Bytes)
{
    /// <summary>When it was stored (<see cref="Environment.TickCount64"/>).</summary>
    public long Created { get; } = Environment.TickCount64;

    /// <summary>When it was last stored or used, for least-recently-used eviction.</summary>
    public long LastUsed { get; set; } = Environment.TickCount64;

    /// <summary>
    /// One computation at a time on this model: a forward pass writes into the layers' buffers and a backward pass
    /// into the gradients, so two requests must not run it together.
    /// </summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>The evaluation answer once computed (under <see cref="Gate"/>), or null.</summary>
    public object? Evaluation { get; set; }
}
