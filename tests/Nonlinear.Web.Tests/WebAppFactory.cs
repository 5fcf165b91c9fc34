using Microsoft.AspNetCore.Mvc.Testing;

namespace Nonlinear.Web.Tests;

/// <summary>The app on the in-memory test server, with small limits so that refusals are cheap to provoke.</summary>
public sealed class WebAppFactory : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseSetting("Nonlinear:Limits:MaxSessions", "12");
        builder.UseSetting("Nonlinear:Db", TestDatabase.NewPath());
    }
}
