using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;

namespace Nonlinear.Web.Tests;

/// <summary>The app on the in-memory test server, with small limits so that refusals are cheap to provoke.</summary>
public sealed class WebAppFactory : WebApplicationFactory<Program>
{
    /// <summary>The database file: a new one unless set (to another app's file, to model a restart).</summary>
    public string Db { get; init; } = TestDatabase.NewPath();

    /// <summary>A client that keeps its cookies in <paramref name="jar"/> (shared across apps to model a restart).</summary>
    public HttpClient ClientWith(System.Net.CookieContainer jar) => CreateDefaultClient(new CookieContainerHandler(jar));

    protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseSetting("Nonlinear:Limits:MaxSessions", "12");
        builder.UseSetting("Nonlinear:Db", Db);
    }
}
