namespace Nonlinear.Tensors.Simd;

/// <summary>An elementwise y = f(x), written once for every vector width.</summary>
internal interface IUnaryOperator
{
    T Invoke<T>(T x) where T : struct, ISimd<T>;
}

/// <summary>An elementwise y = f(a, b), e.g. dL/dx from (x, dL/dy).</summary>
internal interface IBinaryOperator
{
    T Invoke<T>(T a, T b) where T : struct, ISimd<T>;
}

/// <summary>An elementwise y = f(a, b, c), e.g. a row-wise kernel's epilogue with a per-row value broadcast in c.</summary>
internal interface ITernaryOperator
{
    T Invoke<T>(T a, T b, T c) where T : struct, ISimd<T>;
}
