using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Hosting;
using Nonlinear.Web.Classroom;
using Nonlinear.Web.Discuss;
using Nonlinear.Web.Endpoints;
using Nonlinear.Web.Learn;
using Nonlinear.Web.Learn.Exercises;
using Nonlinear.Web.Learn.Widgets;
using Nonlinear.Web.Learners;
using Nonlinear.Web.ModelFiles;
using Nonlinear.Web.Security;
using Nonlinear.Web.Sessions;
using Nonlinear.Web.Storage;
using Nonlinear.Web.Uploads;

namespace Nonlinear.Web;

/// <summary>
/// Builds the web app: Kestrel on the loopback address (or, in classroom mode, any), the API, the live streams and the
/// embedded page, behind the security headers, the forgery guard and (in a classroom) the session gate.
/// </summary>
public static class WebServer
{
    /// <summary>
    /// The app, configured from <paramref name="args"/> and configuration (section "Nonlinear": Host, Port,
    /// Limits); <paramref name="configure"/> may change the options after that (the CLI's flags).
    /// </summary>
    /// <exception cref="ArgumentException">An option is unusable, e.g. a non-loopback host (the message says why).</exception>
    public static WebApplication Build(string[] args, Action<ServeOptions>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        var options = new ServeOptions();
        builder.Configuration.GetSection("Nonlinear").Bind(options);
        configure?.Invoke(options);
        options.Validate();
        var codes = ClassroomCodes.From(options);

        builder.Logging.SetMinimumLevel(LogLevel.Warning);

        // A failed start (port in use) is reported by the caller in one line; the host would also log a stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
        builder.Services.AddSingleton(options);
        var database = OpenDatabase(options);
        builder.Services.AddSingleton(database);
        builder.Services.AddSingleton(new CsrfKey(database));
        builder.Services.AddSingleton<IdentityStore>();
        builder.Services.AddSingleton<CodeGuesses>();
        builder.Services.AddSingleton<ClassProgress>();
        if (codes is not null)
        {
            builder.Services.AddSingleton(codes);
        }

        builder.Services.AddSingleton(Course.Load());
        builder.Services.AddSingleton(CourseContent.Load(Course.Load()));
        builder.Services.AddSingleton<ProgressStore>();
        builder.Services.AddExercises();
        builder.Services.AddSingleton(TrainingCheckGate.ForThisMachine());
        builder.Services.AddSingleton<IExerciseKind, MakeItLearnKind>();
        builder.Services.AddSingleton<IExerciseKind, FixNetworkKind>();
        builder.Services.AddSingleton(options.Limits);
        builder.Services.AddSingleton<SessionRegistry>();
        builder.Services.AddSingleton<UploadStore>();
        builder.Services.AddSingleton<ModelStore>();
        builder.Services.AddHostedService<SessionSweeper>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = Math.Max(options.Limits.MaxUploadBytes, options.Limits.MaxModelBytes) + 64 * 1024;
            kestrel.AddServerHeader = false;
            if (IPAddress.TryParse(options.Host.Trim('[', ']'), out var ip))
            {
                kestrel.Listen(ip, options.Port);
            }
            else
            {
                kestrel.ListenLocalhost(options.Port);
            }
        });

        var app = builder.Build();
        app.UseSecurityHeaders();
        app.UseProblemResponses();
        app.UseCsrfGuard();
        app.UseClassroomGate();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(20) });
        app.MapEmbeddedFiles();
        app.MapPlayground();
        app.MapUploads();
        app.MapModels();
        app.MapCatalog();
        app.MapPreviews();
        app.MapImages();
        app.MapIdentity();
        app.MapClassroom();
        app.MapCourse();
        app.MapDiscuss();
        app.MapExercises();
        app.MapProgress();
        app.MapLearnWidgets();
        return app;
    }

    private static LearnDatabase OpenDatabase(ServeOptions options)
    {
        try
        {
            return LearnDatabase.Open(options.Db ?? LearnDatabase.DefaultPath());
        }
        catch (LearnDatabaseException e)
        {
            // The CLI reports an unusable option in one line and exits 2; the file was left as it was.
            throw new ArgumentException(e.Message, e);
        }
    }

    /// <summary>The address the started app listens on, e.g. "http://127.0.0.1:8080".</summary>
    public static string Address(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        return addresses?.FirstOrDefault() ?? app.Urls.FirstOrDefault() ?? "";
    }
}
