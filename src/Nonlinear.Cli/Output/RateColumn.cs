using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Nonlinear.Cli.Output;

/// <summary>A progress column showing the samples per second a task stores under <see cref="Key"/> in its state.</summary>
internal sealed class RateColumn : ProgressColumn
{
    public const string Key = "samples/s";

    public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
    {
        double rate = task.State.Get<double>(Key);
        return new Text(rate > 0 ? $"{rate.ToString("N0", CultureInfo.InvariantCulture)}/s" : "", new Style(Color.Grey));
    }
}
