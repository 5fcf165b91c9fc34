using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace Nonlinear.Web.Tests;

/// <summary>
/// The app on the in-memory test server with tiny limits (configuration "Nonlinear:Limits:*", as an operator would
/// set them), so every cap is cheap to reach; other settings replace these by name. It records every error the app
/// logs: a failure after a response has started (a WebSocket's) reaches no client, only the log.
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

    /// <summary>Every error the app has logged, with its exception.</summary>
    public ConcurrentQueue<string> Errors { get; } = new();

    /// <summary>Fails when the app has logged an error (an exception no answer showed).</summary>
    public void AssertNoErrorsLogged() => Xunit.Assert.True(Errors.IsEmpty, "The app logged errors:\n" + string.Join("\n", Errors.Take(3)));

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

        builder.UseSetting("Nonlinear:Db", TestDatabase.NewPath());
        builder.ConfigureLogging(logging => logging.AddProvider(new ErrorRecorder(Errors)));
    }

    private sealed class ErrorRecorder(ConcurrentQueue<string> errors) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                errors.Enqueue($"{formatter(state, exception)} {exception}");
            }
        }

        public void Dispose()
        {
        }
    }
}
