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

        layer.CheckInput(input);

        _view = input.Reshape(input.BatchSize, layer.OutputShape[0]);
        _source = input;
        return _view;
    }
}
