namespace Nonlinear.Serialization.Onnx;

/// <summary>A constant read from an ONNX initializer or Constant node: its dimensions and its values as floats or integers.</summary>
internal sealed class ImportTensor
{
    public ImportTensor(long[] dims, float[]? floats, long[]? integers)
    {
        Dims = dims;
        Floats = floats;
        Integers = integers;
    }

    public long[] Dims { get; }

    /// <summary>The values of a FLOAT or DOUBLE tensor (doubles narrowed), else null.</summary>
    public float[]? Floats { get; }

    /// <summary>The values of an INT64 or INT32 tensor, else null.</summary>
    public long[]? Integers { get; }

    public int Length => Floats?.Length ?? Integers!.Length;

    public int Rank => Dims.Length;

    public bool IsScalar => Length == 1;

    /// <summary>The value of a one-element tensor as a double.</summary>
    public double Scalar => Floats is { } f ? f[0] : Integers![0];

    public string ShapeText => $"[{string.Join(", ", Dims)}]";
}
