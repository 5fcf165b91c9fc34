using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Nonlinear.Web.Tests;

/// <summary>
/// The app on the in-memory test server with tiny limits (configuration "Nonlinear:Limits:*", as an operator would
/// set them), so every cap is cheap to reach; other settings replace these by name.
/// </summary>
public sealed class LimitedWebAppFactory : WebApplicationFactory<Program>
{
    public const int MaxSessions = 3;
    public const int MaxHiddenLayers = 3;
    public const int MaxNeurons = 5;
    public const int MaxJsonBytes = 8 * 1024;

    private readonly Dictionary<string, string> _limits = new(StringComparer.Ordinal)
    {
        ["MaxSessions"] = MaxSessions.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["MaxHiddenLayers"] = MaxHiddenLayers.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["MaxNeurons"] = MaxNeurons.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["MaxJsonBytes"] = MaxJsonBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public LimitedWebAppFactory()
    {
    }

    /// <summary>The tiny limits, with <paramref name="limits"/> (name, value) on top, e.g. ("SessionIdleTimeout", "00:00:00.5").</summary>
    public static LimitedWebAppFactory With(params (string Name, string Value)[] limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var factory = new LimitedWebAppFactory();
        foreach (var (name, value) in limits)
        {
            factory._limits[name] = value;
        }

        return factory;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        foreach (var (name, value) in _limits)
        {
            builder.UseSetting("Nonlinear:Limits:" + name, value);
        }
    }
}
