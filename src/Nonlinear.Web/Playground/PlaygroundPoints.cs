namespace Nonlinear.Web.Playground;

/// <summary>2-D points with their labels, in TF Playground's coordinates (both axes in [-6, 6]).</summary>
/// <param name="X">First coordinate of each point.</param>
/// <param name="Y">Second coordinate of each point.</param>
/// <param name="Label">Class index (0, 1, ...) for classification; the target in [-1, 1] for regression.</param>
public sealed record PlaygroundPoints(float[] X, float[] Y, float[] Label)
{
    /// <summary>Number of points.</summary>
    public int Count => X.Length;

    /// <summary>The points at <paramref name="indices"/>, in that order.</summary>
    public PlaygroundPoints Take(ReadOnlySpan<int> indices)
    {
        var x = new float[indices.Length];
        var y = new float[indices.Length];
        var label = new float[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            x[i] = X[indices[i]];
            y[i] = Y[indices[i]];
            label[i] = Label[indices[i]];
        }

        return new PlaygroundPoints(x, y, label);
    }
}
