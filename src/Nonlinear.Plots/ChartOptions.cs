namespace Nonlinear.Plots;

/// <summary>Size, format and title shared by every chart.</summary>
/// <example><c>new ChartOptions { Width = 640, Height = 400, Title = "Loss" }</c></example>
public sealed record ChartOptions
{
    /// <summary>The smallest width or height accepted, in pixels: below it the axes and legend no longer fit.</summary>
    public const int MinSide = 64;

    /// <summary>The largest width or height accepted, in pixels (a 8192 × 8192 PNG is already 256 MB in memory).</summary>
    public const int MaxSide = 8192;

    /// <summary>Options with every default: 800 × 500 pixels, format from the file name, the chart's own title.</summary>
    public static ChartOptions Default { get; } = new();

    /// <summary>Width in pixels; 800 unless set.</summary>
    public int Width { get; init; } = 800;

    /// <summary>Height in pixels; 500 unless set.</summary>
    public int Height { get; init; } = 500;

    /// <summary>The image format; null takes it from the file name's extension (.png or .svg).</summary>
    public ChartFormat? Format { get; init; }

    /// <summary>The title above the chart; null uses the chart's default title, an empty string shows none.</summary>
    public string? Title { get; init; }

    /// <summary>Throws when the size is out of range or the format is not a defined value.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Width or height outside [<see cref="MinSide"/>, <see cref="MaxSide"/>], or an undefined format.</exception>
    internal void Validate()
    {
        if (Width is < MinSide or > MaxSide)
        {
            throw new ArgumentOutOfRangeException(nameof(Width), Width, $"The width must be between {MinSide} and {MaxSide} pixels; got {Width}.");
        }

        if (Height is < MinSide or > MaxSide)
        {
            throw new ArgumentOutOfRangeException(nameof(Height), Height, $"The height must be between {MinSide} and {MaxSide} pixels; got {Height}.");
        }

        if (Format is { } format && !Enum.IsDefined(format))
        {
            throw new ArgumentOutOfRangeException(nameof(Format), format, "Unknown chart format.");
        }
    }
}
