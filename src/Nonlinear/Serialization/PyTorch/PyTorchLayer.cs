namespace Nonlinear.Serialization.PyTorch;

/// <summary>One Nonlinear layer as a PyTorch module.</summary>
/// <param name="Code">The module expression, e.g. <c>nn.Linear(784, 128)</c>.</param>
/// <param name="Helpers">The helper classes (<see cref="PyTorchHelpers"/>) the expression uses.</param>
/// <param name="Rename">Maps one of the layer's parameter or state names to the module's state-dict name (relative to the module).</param>
internal sealed record PyTorchLayer(string Code, IReadOnlyList<string> Helpers, Func<string, string> Rename)
{
    /// <summary>A module without helpers whose state-dict names are ours.</summary>
    public static PyTorchLayer Plain(string code) => new(code, [], name => name);
}
