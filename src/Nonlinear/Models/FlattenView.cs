using Nonlinear.Layers;
using Nonlinear.Tensors;

namespace Nonlinear.Models;

/// <summary>
/// What a flatten layer computes in <see cref="Sequential.Infer"/>: its input seen as [N, features], a view that
/// shares the input's storage instead of <see cref="Flatten"/>'s copy. The view is kept and reused while the input
/// is the same tensor (a previous layer's reused output buffer, or a caller's reused batch), so steady-state
/// inference allocates nothing.
/// </summary>
internal sealed class FlattenView
{
    private Tensor? _source;
    private Tensor? _view;

    /// <summary>The input of <paramref name="layer"/> viewed as [N, features].</summary>
    /// <exception cref="ArgumentException">The input does not have the layer's per-sample shape.</exception>
    /// <exception cref="InvalidOperationException">The layer is not built.</exception>
    public Tensor Of(Flatten layer, Tensor input)
    {
        if (ReferenceEquals(input, _source))
        {
            return _view!;
        }

        if (!layer.IsBuilt)
        {
            throw new InvalidOperationException($"Layer '{layer.Spec}' is not built: call Build (or build the model) before forward or backward.");
        }

        var expected = layer.InputShape;
        bool ok = input.Rank == expected.Rank + 1;
        for (int i = 0; ok && i < expected.Rank; i++)
        {
            ok = input.Shape[i + 1] == expected[i];
        }

        if (!ok)
        {
            throw new ArgumentException($"The input has shape {input.Shape}; expected [N, {string.Join(", ", expected)}].", nameof(input));
        }

        _view = input.Reshape(input.BatchSize, layer.OutputShape[0]);
        _source = input;
        return _view;
    }
}
