using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;
using Xunit;

namespace Nonlinear.Web.Tests;

/// <summary>
/// The real app on Kestrel at a free loopback port, and Debian's chromium driven by Playwright (no browser
/// download: `apt-get install chromium`, which test.sh does).
/// </summary>
public sealed class LiveServer : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/lib/chromium/chromium";

    private WebApplication? _app;
    private IPlaywright? _playwright;

    public string Address { get; private set; } = "";

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"Chromium is missing at {ChromiumPath}: run ./test.sh (it installs it) or `apt-get install chromium`.");
        }

        _app = WebServer.Build([], o =>
        {
            o.Port = 0;
            o.Db = TestDatabase.NewPath();
            o.Limits.MaxSessions = 16;
        });
        await _app.StartAsync();
        Address = WebServer.Address(_app).Replace("[::1]", "127.0.0.1", StringComparison.Ordinal);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    /// <summary>A fresh page (its own context) at <paramref name="path"/> of the app, with console errors collected.</summary>
    public async Task<(IPage Page, List<string> Errors)> OpenAsync(string path = "/", int width = 1400, int height = 1000)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, m) =>
        {
            if (m.Type == "error")
            {
                // With the resource's address, so a test can tell which file failed.
                errors.Add(string.IsNullOrEmpty(m.Location) ? m.Text : $"{m.Text} ({m.Location})");
            }
        };
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync(Address + path);
        return (page, errors);
    }

    /// <summary>
    /// The console errors a test should fail on: all but a 404 of an optional module (playground/inside.js,
    /// playground/upload.js, images/images.js: each part of the app is built separately and the page skips a missing
    /// one) and a 400 from <paramref name="refusedPath"/>, which the test provoked (the browser logs every 4xx answer).
    /// </summary>
    public static IReadOnlyList<string> Unexpected(IEnumerable<string> errors, string? refusedPath = null)
    {
        ArgumentNullException.ThrowIfNull(errors);
        string[] optional = ["/playground/inside.js", "/playground/upload.js", "/images/images.js"];
        return
        [
            .. errors.Where(e =>
                !(e.Contains(" 404 ", StringComparison.Ordinal) && optional.Any(m => e.Contains(m, StringComparison.Ordinal)))
                && !(refusedPath is not null && e.Contains(" 400 ", StringComparison.Ordinal) && e.Contains(refusedPath, StringComparison.Ordinal))),
        ];
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<LiveServer>
{
    public const string Name = "browser";
}
