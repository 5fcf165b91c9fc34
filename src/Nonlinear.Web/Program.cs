namespace Nonlinear.Web;

/// <summary>
/// The web app's entry point: <c>dotnet run --project src/Nonlinear.Web -- --port 8080</c>; the CLI's
/// <c>nonlinear serve</c> starts the same host through <see cref="WebServer"/>.
/// </summary>
public sealed class Program
{
    private Program()
    {
    }

    /// <summary>Builds the host from the command line and configuration, and serves until stopped.</summary>
    public static async Task<int> Main(string[] args)
    {
        var app = WebServer.Build(args);
        await app.RunAsync().ConfigureAwait(false);
        return 0;
    }
}
