using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;

namespace Nonlinear.Web.Tests;

/// <summary>The app in classroom mode on the in-memory test server, with known codes and its own (or a given) database file.</summary>
public sealed class ClassroomAppFactory : WebApplicationFactory<Program>
{
    /// <summary>The join code the tests use.</summary>
    public const string JoinCode = "JOIN42";

    /// <summary>The instructor code the tests use.</summary>
    public const string InstructorCode = "TEACH-1234-XYZ";

    /// <summary>The database file: a new one unless set (to another app's file, to model a restart).</summary>
    public string Db { get; init; } = TestDatabase.NewPath();

    /// <summary>A client that keeps its cookies in <paramref name="jar"/> (shared across apps to model a restart).</summary>
    public HttpClient ClientWith(System.Net.CookieContainer jar) => CreateDefaultClient(new CookieContainerHandler(jar));

    /// <summary>A client that does not keep cookies (to read Set-Cookie as sent).</summary>
    public HttpClient CookielessClient() => CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });

    protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseSetting("Nonlinear:Db", Db);
        builder.UseSetting("Nonlinear:Classroom", "true");
        builder.UseSetting("Nonlinear:JoinCode", JoinCode);
        builder.UseSetting("Nonlinear:InstructorCode", InstructorCode);
    }
}
