using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Nonlinear.Web.Storage;
using static Nonlinear.Web.Tests.ExercisesKit;

namespace Nonlinear.Web.Tests;

/// <summary>A learner using the exercise API as the page does: sign in, read an exercise, work it out, answer.</summary>
internal static class ExercisesApi
{
    /// <summary>A new unique profile name.</summary>
    public static string NewName() => "t" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Signs <paramref name="client"/> in as <paramref name="name"/>, sending the forgery token (when the server sets one) from then on.</summary>
    public static Task SignInAsync(HttpClient client, string name) => CsrfToken.SignInAsync(client, name);

    public static async Task<JsonElement> GetJsonAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        string body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new Xunit.Sdk.XunitException($"GET {path}: {(int)response.StatusCode} {body}");
        }

        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public static Task<HttpResponseMessage> PostRawAsync(HttpClient client, string path, string json) =>
        client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    public static async Task<JsonElement> PostJsonAsync(HttpClient client, string path, object body)
    {
        using var response = await client.PostAsJsonAsync(path, body);
        string text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new Xunit.Sdk.XunitException($"POST {path}: {(int)response.StatusCode} {text}");
        }

        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Answers exercise <paramref name="id"/> (its current variant) with <paramref name="answers"/>.</summary>
    public static async Task<JsonElement> AnswerAsync(HttpClient client, string id, object answers)
    {
        var exercise = await GetJsonAsync(client, $"/api/learn/exercises/{id}");
        return await PostJsonAsync(client, $"/api/learn/exercises/{id}/answers", new { variant = exercise.GetProperty("variant").GetInt32(), answers });
    }

    /// <summary>
    /// Solves exercise <paramref name="id"/> the way a learner would: numbers computed in float64 from the prompt; a
    /// concept question by trying options until one is right, and when that took so many tries that the solution was
    /// shown (which does not count), on a fresh variant with the option learned. Returns the last answer's response.
    /// </summary>
    public static async Task<JsonElement> SolveAsync(HttpClient client, string id)
    {
        string? learned = null;
        for (int round = 0; round < 10; round++)
        {
            var exercise = await GetJsonAsync(client, $"/api/learn/exercises/{id}");
            int variant = exercise.GetProperty("variant").GetInt32();
            string prompt = exercise.GetProperty("prompt").GetString()!;
            if (exercise.GetProperty("kind").GetString() != "concept")
            {
                return await PostJsonAsync(client, $"/api/learn/exercises/{id}/answers", new { variant, answers = RightAnswers(id, prompt) });
            }

            var options = exercise.GetProperty("fields")[0].GetProperty("options").EnumerateArray()
                .Select(o => (Value: o.GetProperty("value").GetString()!, Label: o.GetProperty("label").GetString()!))
                .OrderBy(o => o.Label == learned ? 0 : 1)
                .ToList();
            foreach (var option in options)
            {
                var verdict = await PostJsonAsync(client, $"/api/learn/exercises/{id}/answers", new { variant, answers = new { choice = option.Value } });
                if (verdict.GetProperty("correct").GetBoolean())
                {
                    if (verdict.GetProperty("solved").GetBoolean())
                    {
                        return verdict;
                    }

                    learned = option.Label;
                    break;
                }
            }

            await PostJsonAsync(client, $"/api/learn/exercises/{id}/next", new { });
        }

        throw new Xunit.Sdk.XunitException($"{id} was not solved in ten variants.");
    }

    /// <summary>The right answers of a sigmoid or tanh forward or derivative exercise, computed from its prompt.</summary>
    public static Dictionary<string, double> RightAnswers(string id, string prompt)
    {
        Func<double, double> f = id.Contains("tanh", StringComparison.Ordinal) ? Math.Tanh : Sigmoid;
        Func<double, double> slope = id.Contains("tanh", StringComparison.Ordinal) ? TanhSlope : SigmoidSlope;
        if (id.Contains("-forward-", StringComparison.Ordinal))
        {
            double z = Dot(Given(prompt, "<mi>W</mi>"), Given(prompt, "<mi>x</mi>")) + One(prompt, "<mi>b</mi>");
            return new() { ["z"] = z, ["a"] = f(z) };
        }

        double at = One(prompt, "<mi>z</mi>");
        return new() { ["value"] = f(at), ["derivative"] = slope(at) };
    }

    /// <summary>A scalar from the app's database.</summary>
    public static long Count(IServiceProvider services, string sql, params (string Name, object Value)[] parameters) =>
        services.GetRequiredService<LearnDatabase>().Read(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            foreach (var (name, value) in parameters)
            {
                command.Parameters.AddWithValue(name, value);
            }

            return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        });

    /// <summary>The learner's row id by profile name.</summary>
    public static long LearnerId(IServiceProvider services, string name) =>
        Count(services, "SELECT id FROM learners WHERE name = $name;", ("$name", name));
}
