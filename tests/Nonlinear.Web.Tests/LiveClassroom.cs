using Microsoft.AspNetCore.Builder;

namespace Nonlinear.Web.Tests;

/// <summary>A classroom-mode server on Kestrel at a free loopback port, with known codes and its own database.</summary>
internal sealed class LiveClassroom : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LiveClassroom(WebApplication app, string address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>The server's address, e.g. http://127.0.0.1:41234.</summary>
    public string Address { get; }

    public static async Task<LiveClassroom> StartAsync(string joinCode, string instructorCode)
    {
        var app = WebServer.Build([], o =>
        {
            o.Port = 0;
            o.Db = TestDatabase.NewPath();
            o.Classroom = true;
            o.JoinCode = joinCode;
            o.InstructorCode = instructorCode;
        });
        await app.StartAsync();
        return new LiveClassroom(app, WebServer.Address(app).Replace("[::1]", "127.0.0.1", StringComparison.Ordinal));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
