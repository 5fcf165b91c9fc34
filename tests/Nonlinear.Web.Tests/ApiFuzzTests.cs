using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Nonlinear.Web.Tests;

/// <summary>
/// Seeded fuzzing of every route the app maps (found through its endpoint data source, so routes added later are
/// fuzzed too): random and malformed bodies, wrong types, huge numbers, junk text, wrong content types and methods,
/// random paths and query strings. No answer may be a 5xx or a refusal without a problem the page can show.
/// </summary>
public sealed class ApiFuzzTests(LimitedWebAppFactory factory, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<LimitedWebAppFactory>
{
    private const int Requests = 4000;

    [Fact]
    public async Task Every_endpoint_answers_random_and_malformed_requests_with_a_4xx_problem_and_stays_healthy()
    {
        var routes = Routes(factory.Services);
        foreach (string known in new[] { "/api/health", "/api/sessions", "/api/sessions/{id}/weight", "/api/sessions/{id}/stream", "/api/activations/curve" })
        {
            Assert.Contains(routes, r => r.Template == known);
        }

        using var client = factory.CreateClient();
        var fuzz = new Fuzz(new Random(20240607), routes, "http://localhost");
        fuzz.Live.Add(await CreateAsync(client));
        var failures = new List<string>();
        var answers = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < Requests; i++)
        {
            using var request = fuzz.NextRequest();
            string route = fuzz.LastTemplate;
            int status = await SendAndCheckAsync(client, request, fuzz, failures);
            string key = $"{route} {status}";
            answers[key] = answers.GetValueOrDefault(key) + 1;
        }

        // What the fuzzing reached, for a reader of the test log: answers per route and status.
        foreach (var (key, count) in answers.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"{key}: {count}");
        }

        await CleanUpAsync(client, fuzz);
        Assert.True(failures.Count == 0, $"{failures.Count} of {Requests} answers broke the contract; the first ones:\n" + string.Join("\n", failures.Take(12)));
        await AssertHealthyAsync(client);
        factory.AssertNoErrorsLogged();
    }

    [Fact]
    public async Task The_real_server_in_production_keeps_the_contract_too()
    {
        // Kestrel and the production pipeline (no developer exception page; binding failures are bare 400s that the
        // status code pages turn into problems), which the test server does not run.
        var app = WebServer.Build([], o =>
        {
            o.Port = 0;
            o.Db = TestDatabase.NewPath();
            o.Limits.MaxSessions = LimitedWebAppFactory.MaxSessions;
            o.Limits.MaxJsonBytes = LimitedWebAppFactory.MaxJsonBytes;
        });
        await app.StartAsync();
        try
        {
            var origin = WebServer.Address(app).Replace("[::1]", "127.0.0.1", StringComparison.Ordinal);
            using var client = new HttpClient { BaseAddress = new Uri(origin) };
            var fuzz = new Fuzz(new Random(4242), Routes(app.Services), origin);
            fuzz.Live.Add(await CreateAsync(client));
            var failures = new List<string>();
            for (int i = 0; i < Requests / 5; i++)
            {
                using var request = fuzz.NextRequest();
                await SendAndCheckAsync(client, request, fuzz, failures);
            }

            await CleanUpAsync(client, fuzz);
            Assert.True(failures.Count == 0, $"{failures.Count} answers broke the contract; the first ones:\n" + string.Join("\n", failures.Take(12)));
            await AssertHealthyAsync(client);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task Racing_commands_on_the_same_sessions_never_fail_the_server()
    {
        using var client = factory.CreateClient();
        var fuzz = new Fuzz(new Random(777), Routes(factory.Services).Where(r => r.Template.StartsWith("/api/sessions", StringComparison.Ordinal)).ToList(), "http://localhost");
        fuzz.Live.Add(await CreateAsync(client));
        fuzz.Live.Add(await CreateAsync(client));
        var failures = new List<string>();
        var workers = Enumerable.Range(0, 6).Select(w => Task.Run(async () =>
        {
            for (int i = 0; i < 60; i++)
            {
                HttpRequestMessage request;
                lock (fuzz)
                {
                    request = fuzz.NextRequest(wellFormed: true);
                }

                using (request)
                {
                    await SendAndCheckAsync(client, request, fuzz, failures);
                }
            }
        }));
        await Task.WhenAll(workers);
        await CleanUpAsync(client, fuzz);
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(12)));
        await AssertHealthyAsync(client);
        factory.AssertNoErrorsLogged();
    }

    [Fact]
    public async Task Requests_for_made_up_files_are_404s_that_leave_nothing_behind()
    {
        using var client = factory.CreateClient();
        await Problems.AssertAsync(await client.GetAsync("/static/"), HttpStatusCode.NotFound, "file");
        for (int i = 0; i < 200; i++)
        {
            await Problems.AssertAsync(await client.GetAsync($"/static/made-up-{i}.js"), HttpStatusCode.NotFound, $"made-up-{i}.js");
        }

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/static/icon.svg")).StatusCode);
        var assembly = typeof(WebServer).Assembly;
        var cache = (System.Collections.ICollection)assembly.GetType("Nonlinear.Web.Endpoints.EmbeddedFiles")!
            .GetField("Cache", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!.GetValue(null)!;
        Assert.InRange(cache.Count, 1, assembly.GetManifestResourceNames().Count(n => n.StartsWith("wwwroot/", StringComparison.Ordinal)));
    }

    private static List<Route> Routes(IServiceProvider services) => services.GetRequiredService<EndpointDataSource>().Endpoints
        .OfType<RouteEndpoint>()
        .Select(e => new Route(
            Template(e.RoutePattern),
            e.RoutePattern.PathSegments,
            e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.ToArray() ?? ["GET"],
            QueryParameters(e)))
        .ToList();

    /// <summary>The handler's simple parameters that are not in the route: they bind from the query string.</summary>
    private static string[] QueryParameters(RouteEndpoint endpoint) => endpoint.Metadata.OfType<IParameterBindingMetadata>()
        .Where(p => endpoint.RoutePattern.GetParameter(p.Name) is null)
        .Where(p => (Nullable.GetUnderlyingType(p.ParameterInfo.ParameterType) ?? p.ParameterInfo.ParameterType) is var t && (t == typeof(string) || t.IsPrimitive))
        .Select(p => p.Name)
        .ToArray();

    private static string Template(RoutePattern pattern)
    {
        var text = string.Join("/", pattern.PathSegments.Select(s => string.Concat(s.Parts.Select(p => p switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternParameterPart parameter => "{" + (parameter.IsCatchAll ? "**" : "") + parameter.Name + "}",
            _ => "",
        }))));
        return "/" + text;
    }

    private static async Task<string> CreateAsync(HttpClient client)
    {
        using var content = new StringContent("{\"config\":{}}", Encoding.UTF8, "application/json");
        using var response = await client.PostAsync("/api/sessions", content);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var view = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return view.RootElement.GetProperty("id").GetString()!;
    }

    private static async Task<int> SendAndCheckAsync(HttpClient client, HttpRequestMessage request, Fuzz fuzz, List<string> failures)
    {
        string what = $"{request.Method} {request.RequestUri} [{request.Content?.Headers.ContentType}] {Fuzz.Shorten(request.Content is null ? "" : await request.Content.ReadAsStringAsync(), 160)}";
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request);
        }
#pragma warning disable CA1031 // Any exception out of the test server is a crash of the app: report it with the request.
        catch (Exception e)
#pragma warning restore CA1031
        {
            lock (failures)
            {
                failures.Add($"{what} -> threw {e.GetType().Name}: {Fuzz.Shorten(e.Message, 300)}");
            }

            return -1;
        }

        using (response)
        {
            string body = await response.Content.ReadAsStringAsync();
            int status = (int)response.StatusCode;
            string? broken = null;
            if (status >= 500)
            {
                broken = "a 5xx";
            }
            else if (status >= 400 && request.Method != HttpMethod.Head && Problems.Detail(response, body) is null)
            {
                broken = "a refusal without a JSON problem and a detail";
            }
            else if (status is >= 200 and < 300 && response.Content.Headers.ContentType?.MediaType == "application/json" && !IsJson(body))
            {
                broken = "an answer that is not JSON";
            }

            if (broken is not null)
            {
                lock (failures)
                {
                    failures.Add($"{what} -> {status}, {broken}: {Fuzz.Shorten(body, 300)}");
                }
            }

            if (status == 201 && IsJson(body))
            {
                using var view = JsonDocument.Parse(body);
                if (view.RootElement.ValueKind == JsonValueKind.Object && view.RootElement.TryGetProperty("id", out var id))
                {
                    lock (fuzz)
                    {
                        fuzz.Live.Add(id.GetString()!);
                        if (request.RequestUri!.AbsolutePath.StartsWith("/api/uploads", StringComparison.Ordinal))
                        {
                            fuzz.Tables.Add(id.GetString()!);
                        }
                    }
                }
            }

            return status;
        }
    }

    private static bool IsJson(string text)
    {
        try
        {
            using var _ = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static async Task CleanUpAsync(HttpClient client, Fuzz fuzz)
    {
        foreach (string id in fuzz.Live.Distinct())
        {
            using var _ = await client.DeleteAsync($"/api/sessions/{id}");
        }
    }

    private static async Task AssertHealthyAsync(HttpClient client)
    {
        using var health = JsonDocument.Parse(await client.GetStringAsync("/api/health"));
        Assert.Equal("ok", health.RootElement.GetProperty("status").GetString());
        string id = await CreateAsync(client);
        using var step = await client.PostAsync($"/api/sessions/{id}/step", null);
        Assert.Equal(HttpStatusCode.OK, step.StatusCode);
        using var _ = await client.DeleteAsync($"/api/sessions/{id}");
    }

    /// <summary>A mapped route: its template (e.g. /api/sessions/{id}/weight), its segments and its methods.</summary>
    private sealed record Route(string Template, IReadOnlyList<RoutePatternPathSegment> Segments, IReadOnlyList<string> Methods, IReadOnlyList<string> Query);

    /// <summary>The generator: requests built from a seeded random source, the same sequence every run.</summary>
    private sealed class Fuzz(Random rng, IReadOnlyList<Route> routes, string origin)
    {
        private static readonly string[] Numbers =
        [
            "0", "-1", "1", "2", "3", "5", "8", "9", "10", "31", "0.5", "-0", "1E2", "1e-7", "0.25", "16", "17", "1e308", "-1e308",
            "1e400", "-1e400", "1e-400", "4.9e-324", "1.7976931348623157e308", "2147483647", "2147483648", "-2147483649",
            "9223372036854775808", "123456789012345678901234567890", "-99999999999",
        ];

        private static readonly string[] Texts =
        [
            "", "NaN", "Infinity", "-Infinity", "1e400", "relu", "tanh", "csv", "circle", "spiral", "regression", "L1", "adam",
            "leaky_relu:0.1", "leaky_relu:1e30", "hardtanh:-1e30:1e30", "elu:1e38", "softplus:beta=1e-40", "softmax", "gelu:tanh",
            "x", "xSquared", "<script>alert(1)</script>", "%00%ff", "../../etc/passwd", "null", "\\u0000\\uffff\\u202e😀\\\\",
            "\\ud83d\\ude00", "\\ud800", "\\\"", "é\\n\\t", "ＲＥＬＵ", "relu:", ":", "::::", "relu:1:2:3", "a=b&c=d",
        ];

        private static readonly string[] Specs =
        [
            "relu", "tanh", "sigmoid", "identity", "leaky_relu:0.1", "leaky_relu:1e30", "elu:1e38", "hardtanh:-1e30:1e30", "softplus:beta=1e-40",
            "softplus:beta=100:threshold=1", "softmax", "log_softmax", "gelu", "gelu:tanh", "selu", "silu", "mish", "softsign", "hard_sigmoid",
            "hardswish", "relu6", "logsigmoid", "RELU", " tanh ",
        ];

        /// <summary>Values a query parameter of that name takes (a dataset or file name, a class count, a column, a task).</summary>
        private static string[] Usual(string parameter) => parameter switch
        {
            "name" => ["circle", "xor", "gauss", "spiral", "sine", "cubic", "abs", "reg-plane", "reg-gauss", "data.csv", "../../x.csv", ""],
            "classes" => ["2", "3", "4", "5"],
            "label" => ["label", "x0", ""],
            "task" => ["auto", "regression", ""],
            _ => ["0", "1", "a", ""],
        };

        private static readonly string[] ContentTypes =
        [
            "application/json", "application/json; charset=utf-8", "text/plain", "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=----fuzz", "application/octet-stream", "application/json; charset=utf-16", "???", "",
        ];

        private static readonly string[] Methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "FUZZ"];

        public List<string> Live { get; } = [];

        public string LastTemplate { get; private set; } = "";

        /// <summary>Uploaded tables, for configs over csv data.</summary>
        public List<string> Tables { get; } = [];

        private readonly List<string> _dead = [];

        public HttpRequestMessage NextRequest(bool wellFormed = false)
        {
            string path;
            Route? route = null;
            if (!wellFormed && rng.NextDouble() < 0.08)
            {
                path = RandomPath();
            }
            else
            {
                route = routes[rng.Next(routes.Count)];
                path = Fill(route);
            }

            LastTemplate = route?.Template ?? "random";
            string method = route is not null && rng.NextDouble() < 0.85 ? Pick(route.Methods) : Pick(Methods);

            if (rng.NextDouble() < (route?.Query.Count > 0 ? 0.9 : 0.2))
            {
                path += Query(route);
            }

            var request = new HttpRequestMessage(new HttpMethod(method), new Uri(origin + path));
            if (method is not ("GET" or "HEAD" or "DELETE") || rng.NextDouble() < 0.1)
            {
                var (body, type) = Body(route, wellFormed);
                if (body is not null)
                {
                    var content = new ByteArrayContent(body);
                    content.Headers.Remove("Content-Type");
                    if (type.Length > 0)
                    {
                        content.Headers.TryAddWithoutValidation("Content-Type", type);
                    }

                    request.Content = content;
                }
            }

            if (method == "DELETE" && route?.Template == "/api/sessions/{id}")
            {
                if (rng.NextDouble() < 0.7)
                {
                    // Keep most sessions alive so the other routes see real ones.
                    path = "/api/sessions/" + new string('0', 32);
                    request.RequestUri = new Uri(origin + path);
                }

                string id = path.Split('/')[3];
                if (Live.Remove(id))
                {
                    _dead.Add(id);
                }
            }

            return request;
        }

        public static string Shorten(string text, int length) => text.Length <= length ? text : text[..length] + $"... ({text.Length} chars)";

        private T Pick<T>(IReadOnlyList<T> items) => items[rng.Next(items.Count)];

        private string Fill(Route route)
        {
            var path = new StringBuilder();
            foreach (var segment in route.Segments)
            {
                path.Append('/');
                foreach (var part in segment.Parts)
                {
                    path.Append(part switch
                    {
                        RoutePatternLiteralPart literal => literal.Content,
                        // No %00 in paths: the test server's client refuses it, as Kestrel does before the app sees it.
                        RoutePatternParameterPart { IsCatchAll: true } => Pick(["index.html", "../../etc/passwd", "%2e%2e/secret", "a/b/c/d", new string('z', 300), "icon.svg", "%2500", "%01", "x.js"]),
                        RoutePatternParameterPart { Name: "id" } => Id(),
                        RoutePatternParameterPart { Name: "spec" } => Uri.EscapeDataString(Unescape(Pick(Texts))),
                        _ => Uri.EscapeDataString(Unescape(Pick(Texts))),
                    });
                }
            }

            return path.ToString();
        }

        private string Id()
        {
            double p = rng.NextDouble();
            if (p < 0.7 && Live.Count > 0)
            {
                return Pick(Live);
            }

            if (p < 0.8 && _dead.Count > 0)
            {
                return Pick(_dead);
            }

            return Uri.EscapeDataString(Pick(["0", "nope", new string('f', 32), new string('a', 5000), "%", "é😀", " ", "..", "null"]));
        }

        private string RandomPath()
        {
            string[] pieces = ["api", "sessions", "state", "activations", "curve", "static", "stream", "..", "%2F", "weight", "x", "😀", "%ZZ", ""];
            var path = new StringBuilder();
            int n = rng.Next(1, 6);
            for (int i = 0; i < n; i++)
            {
                path.Append('/').Append(Pick(pieces));
            }

            return path.ToString();
        }

        private string Query(Route? route)
        {
            var parts = new List<string>();
            if (route?.Template.EndsWith("/curve", StringComparison.Ordinal) == true)
            {
                // Half of the curves are drawable (a catalog spec, from < to, n in range), half have a wild argument.
                bool tame = rng.NextDouble() < 0.5;
                string wild = tame ? "" : Pick(["spec", "from", "to", "n"]);
                string[] ends = ["-1e22", "-1e5", "-100", "-5", "0", "0.001", "5", "100", "1e5"];
                int from = rng.Next(ends.Length - 1);
                foreach (string key in new[] { "spec", "from", "to", "n" })
                {
                    if (key == wild && rng.NextDouble() < 0.2)
                    {
                        continue;
                    }

                    string value = key switch
                    {
                        _ when key == wild => rng.NextDouble() < 0.6 ? Pick(Numbers) : Unescape(Pick(Texts)),
                        "spec" => Pick(Specs),
                        "from" => ends[from],
                        "to" => ends[rng.Next(from + 1, ends.Length)],
                        _ => rng.Next(2, 2002).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    };
                    parts.Add(key + "=" + Uri.EscapeDataString(value));
                }
            }
            else
            {
                // Half of the requests take values their parameter has (or leave it out), half take anything.
                bool tame = rng.NextDouble() < 0.5;
                foreach (string key in route?.Query ?? [])
                {
                    if (rng.NextDouble() < (tame ? 0.5 : 0.8))
                    {
                        string value = tame ? Pick(Usual(key)) : rng.NextDouble() < 0.5 ? Pick(Numbers) : Unescape(Pick(Texts));
                        parts.Add(key + "=" + Uri.EscapeDataString(value));
                    }
                }
            }

            int extra = rng.Next(0, 3);
            for (int i = 0; i < extra; i++)
            {
                parts.Add(Pick(["a", "spec", "n", "%%", "x[]", "😀"]) + "=" + Pick(["", "1", "%ZZ", "1e400", new string('q', 2000)]));
            }

            return parts.Count == 0 ? "?" : "?" + string.Join("&", parts);
        }

        private static string Unescape(string jsonText) => jsonText.Replace("\\\\", "\\", StringComparison.Ordinal).Replace("\\\"", "\"", StringComparison.Ordinal);

        private (byte[]? Body, string Type) Body(Route? route, bool wellFormed)
        {
            string type = rng.NextDouble() < 0.75 ? "application/json" : Pick(ContentTypes);
            double p = rng.NextDouble();
            if (!wellFormed && p < 0.04)
            {
                return (null, "");
            }

            if (!wellFormed && p < 0.3)
            {
                return (Malformed(route), type);
            }

            string template = route?.Template ?? "";
            string json = template switch
            {
                _ when rng.NextDouble() < 0.1 => Value(3),
                "/api/sessions" => rng.NextDouble() < 0.7 ? $"{{\"config\":{Config()}}}" : $"{{\"hash\":{Hash()}}}",
                "/api/state/parse" => $"{{\"hash\":{Hash()}}}",
                "/api/state/format" or "/api/sessions/{id}/config" => Config(),
                "/api/sessions/{id}/weight" => Weight(),
                "/api/uploads" when rng.NextDouble() < 0.8 => Csv(),
                _ => rng.NextDouble() < 0.5 ? Config() : Value(3),
            };
            return (Encoding.UTF8.GetBytes(json), type);
        }

        private byte[] Malformed(Route? route)
        {
            string valid = route?.Template == "/api/sessions" ? $"{{\"config\":{Config()}}}" : Config();
            string text = rng.Next(16) switch
            {
                0 => "",
                1 => valid[..rng.Next(valid.Length)],
                2 => new string('[', 5000),
                3 => new string('{', 3) + "\"a\":" + string.Concat(Enumerable.Repeat("{\"a\":", 40)) + "1" + new string('}', 43),
                4 => "{'config': {}}",
                5 => valid + " trailing",
                6 => valid + valid,
                7 => "\uFEFF" + valid,
                8 => "{\"config\":{\"layers\":[{\"units\":1},],}}",
                9 => "nul",
                10 => valid.Replace(":", "=", StringComparison.Ordinal),
                11 => "{\"seed\":\"" + new string('s', LimitedWebAppFactory.MaxJsonBytes + 100) + "\"}",
                12 => new string(' ', LimitedWebAppFactory.MaxJsonBytes * 2),
                13 => "{\"a\":\"\u0000\"}\u0000",
                14 => "\"just a string\"",
                _ => "[" + valid + "]",
            };
            if (rng.NextDouble() < 0.15)
            {
                var junk = new byte[rng.Next(1, 300)];
                rng.NextBytes(junk);
                return junk;
            }

            return Encoding.UTF8.GetBytes(text);
        }

        /// <summary>A CSV table: mostly well-formed numbers with a label column, with junk cells, ragged rows and odd headers.</summary>
        private string Csv()
        {
            int columns = rng.Next(1, 6), rows = rng.Next(0, 40);
            string[] cells = ["1", "-2.5", "1e400", "NaN", "", "abc", "\"1,5\"", "\"", "1e-320", "inf", "0x10", "😀", "9999999999999999999999"];
            var text = new StringBuilder();
            if (rng.NextDouble() < 0.7)
            {
                text.AppendJoin(rng.NextDouble() < 0.9 ? "," : ";", Enumerable.Range(0, columns).Select(c => c == columns - 1 ? "label" : rng.NextDouble() < 0.9 ? $"x{c}" : Pick(["", "label", "\"q\"\"", "x0"]))).Append('\n');
            }

            // Half of the tables are clean; in the others a few rows are ragged and a few cells junk.
            double junk = rng.NextDouble() < 0.5 ? 0 : 0.05;
            for (int r = 0; r < rows; r++)
            {
                int n = rng.NextDouble() >= junk ? columns : rng.Next(0, columns + 3);
                text.AppendJoin(",", Enumerable.Range(0, n).Select(c => rng.NextDouble() >= junk
                    ? (c == columns - 1 ? rng.Next(0, rng.NextDouble() < 0.9 ? 3 : 40) : rng.NextDouble() * 10 - 5).ToString(System.Globalization.CultureInfo.InvariantCulture)
                    : Pick(cells)));
                text.Append(rng.NextDouble() >= junk ? "\n" : "\r\n\n");
            }

            return text.ToString();
        }

        private string Weight()
        {
            // Half of the edits fit the default network (2 inputs, 4 and 2 hidden units, 1 output), half have a wild field.
            var fields = new List<string>();
            string wild = rng.NextDouble() < 0.5 ? "" : Pick(["layer", "to", "from", "value"]);
            foreach (string key in new[] { "layer", "to", "from", "value" })
            {
                if (key == wild && rng.NextDouble() < 0.2)
                {
                    continue;
                }

                string v = key switch
                {
                    _ when key == wild => rng.NextDouble() < 0.7 ? Pick(Numbers) : Value(1),
                    "value" => Pick(["0.5", "-3", "0", "1e6", "-1e-30"]),
                    "from" => rng.Next(-1, 2).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    _ => rng.Next(0, 2).ToString(System.Globalization.CultureInfo.InvariantCulture),
                };
                fields.Add($"\"{key}\":{v}");
            }

            return "{" + string.Join(",", fields) + "}";
        }

        private string Hash()
        {
            if (rng.NextDouble() < 0.2)
            {
                return Value(1);
            }

            string[] keys = ["activation", "learningRate", "regularization", "regularizationRate", "noise", "networkShape", "batchSize", "dataset", "regDataset", "problem", "seed", "percTrainData", "x", "xTimesY", "discretize", "showTestData", "%", "😀", ""];
            var parts = new List<string>();
            int n = rng.Next(0, 8);
            for (int i = 0; i < n; i++)
            {
                string value = rng.NextDouble() < 0.5 ? Pick(Numbers) : Unescape(Pick(Texts));
                parts.Add(Pick(keys) + "=" + (rng.NextDouble() < 0.5 ? Uri.EscapeDataString(value) : value));
            }

            return JsonSerializer.Serialize((rng.NextDouble() < 0.7 ? "#" : "") + string.Join(rng.NextDouble() < 0.9 ? "&" : "&&", parts));
        }

        /// <summary>A config: the defaults with a few fields given legal alternatives or junk, some dropped, some unknown added.</summary>
        private string Config()
        {
            var fields = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["problem"] = "\"classification\"", ["dataset"] = "\"circle\"", ["regDataset"] = "\"reg-plane\"", ["classes"] = "2", ["noise"] = "0",
                ["percTrainData"] = "50", ["batchSize"] = "10", ["learningRate"] = "0.03", ["activation"] = "\"tanh\"",
                ["layers"] = "[{\"units\":4},{\"units\":2}]", ["regularization"] = "\"none\"", ["regularizationRate"] = "0",
                ["optimizer"] = "\"sgd\"", ["features"] = "[\"x\",\"y\"]", ["seed"] = "\"0.5\"", ["showTestData"] = "false",
                ["discretize"] = "false", ["initZero"] = "false", ["hideText"] = "false", ["hidden"] = "[]", ["speed"] = "1",
                ["csvId"] = "null", ["csvFeatures"] = "null",
            };
            var names = fields.Keys.ToArray();
            int changes = rng.Next(0, 4);
            for (int i = 0; i < changes; i++)
            {
                string name = Pick(names);
                double p = rng.NextDouble();
                if (p < 0.55)
                {
                    fields[name] = Legal(name);
                }
                else if (p < 0.9)
                {
                    fields[name] = Value(2);
                }
                else
                {
                    fields.Remove(name);
                }
            }

            if (rng.NextDouble() < 0.05)
            {
                fields["unknownField"] = Value(2);
            }

            if ((fields.GetValueOrDefault("dataset") == "\"csv\"" || fields.GetValueOrDefault("regDataset") == "\"csv\"") && rng.NextDouble() < 0.5)
            {
                fields["csvId"] = Quote(Tables.Count > 0 && rng.NextDouble() < 0.7 ? Pick(Tables) : Pick(["abc", new string('0', 32)]));
            }

            var text = string.Join(",", fields.Select(f => $"\"{f.Key}\":{f.Value}"));
            if (rng.NextDouble() < 0.03)
            {
                text += ",\"noise\":" + Pick(Numbers);
            }

            return "{" + text + "}";
        }

        private string Legal(string name) => name switch
        {
            "problem" => Quote(Pick(["classification", "regression", "REGRESSION"])),
            "dataset" => Quote(Pick(["circle", "xor", "gauss", "spiral", "sine", "cubic", "abs", "csv"])),
            "regDataset" => Quote(Pick(["reg-plane", "reg-gauss", "csv"])),
            "classes" => rng.Next(2, 6).ToString(System.Globalization.CultureInfo.InvariantCulture),
            "noise" => rng.Next(0, 51).ToString(System.Globalization.CultureInfo.InvariantCulture),
            "percTrainData" => rng.Next(10, 91).ToString(System.Globalization.CultureInfo.InvariantCulture),
            "batchSize" => rng.Next(1, 31).ToString(System.Globalization.CultureInfo.InvariantCulture),
            "learningRate" => Pick(["10", "0.00001", "1", "3", "0.1"]),
            "activation" => Quote(Pick(["relu", "sigmoid", "identity", "linear", "leaky_relu:0.3", "gelu:tanh", "elu", "selu", "softsign", "hardtanh:-2:2", "mish", "silu", "softplus:beta=2"])),
            "layers" => Layers(),
            "regularization" => Quote(Pick(["none", "L1", "L2", "l2"])),
            "regularizationRate" => Pick(["0", "0.001", "0.3", "10"]),
            "optimizer" => Quote(Pick(["sgd", "momentum", "adam", "ADAM"])),
            "features" => "[" + string.Join(",", new[] { "x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY", "cosX", "cosY" }.Where(_ => rng.NextDouble() < 0.4).Select(Quote)) + "]",
            "seed" => Quote(Pick(["0.1", "", "😀", "seed", new string('9', 64)])),
            "hidden" => "[\"playButton\",\"noise\"]",
            "speed" => Pick(["0.25", "4", "16"]), // 0 (as fast as possible) would keep a core busy for the rest of the test
            "csvId" => Quote(Tables.Count > 0 && rng.NextDouble() < 0.5 ? Pick(Tables) : Pick(["abc", new string('0', 32), ""])),
            "csvFeatures" => Pick(["[\"a\",\"b\"]", "[\"x0\",\"x1\"]", "[\"x0\"]", "[\"x1\",\"x0\"]", "[]"]),
            _ => Pick(["true", "false"]),
        };

        private string Layers()
        {
            int n = rng.Next(0, 5);
            var layers = new List<string>();
            for (int i = 0; i < n; i++)
            {
                var parts = new List<string> { $"\"units\":{rng.Next(1, 7)}" };
                if (rng.NextDouble() < 0.3)
                {
                    parts.Add("\"activation\":" + Quote(Pick(["relu", "tanh", "leaky_relu:0.01", "identity", "softmax", "nope"])));
                }

                if (rng.NextDouble() < 0.2)
                {
                    parts.Add("\"dropout\":" + Pick(["0.1", "0.5", "0.9", "0.95"]));
                }

                if (rng.NextDouble() < 0.2)
                {
                    parts.Add("\"batchNorm\":true");
                }

                layers.Add("{" + string.Join(",", parts) + "}");
            }

            return "[" + string.Join(",", layers) + "]";
        }

        private static string Quote(string text) => "\"" + text + "\"";

        /// <summary>Any JSON value, nested up to <paramref name="depth"/>; numbers beyond double and escapes are written as text.</summary>
        private string Value(int depth)
        {
            int kind = rng.Next(depth > 0 ? 9 : 6);
            return kind switch
            {
                0 or 1 => Pick(Numbers),
                2 or 3 => Quote(Pick(Texts)),
                4 => Quote(new string('w', rng.Next(100, 3000))),
                5 => Pick(["true", "false", "null"]),
                6 => "[" + string.Join(",", Enumerable.Range(0, rng.Next(0, 4)).Select(_ => Value(depth - 1))) + "]",
                7 => "{" + string.Join(",", Enumerable.Range(0, rng.Next(0, 4)).Select(_ => $"\"{Pick(["units", "activation", "a", "config", "layer", "x"])}\":{Value(depth - 1)}")) + "}",
                _ => new string('[', 30) + new string(']', 30),
            };
        }
    }
}
