using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Nonlinear.Web.Storage;
using Xunit;

namespace Nonlinear.Web.Tests;

/// <summary>
/// A class at once: 50 learners join a classroom on the real server over loopback, then all answer exercises and post
/// to the same boards at the same moment. Nothing is lost (every attempt and post is in the database and in each
/// learner's progress) and nobody sees a refusal, a server error or "database is locked".
/// </summary>
public sealed class LearnLoadTests
{
    private const int Learners = 50;
    private const string JoinCode = "ROOM50";

    [Fact]
    public async Task Fifty_learners_answering_and_posting_at_once_lose_nothing_and_see_no_busy_database()
    {
        string db = TestDatabase.NewPath();
        var app = WebServer.Build([], o =>
        {
            o.Port = 0;
            o.Db = db;
            o.Classroom = true;
            o.JoinCode = JoinCode;
            o.InstructorCode = "TEACH-5050-LOAD";
        });
        await app.StartAsync();
        var failures = new ConcurrentQueue<string>();
        var clients = new List<HttpClient>();
        try
        {
            var address = new Uri(WebServer.Address(app).Replace("[::1]", "127.0.0.1", StringComparison.Ordinal));
            for (int i = 0; i < Learners; i++)
            {
                clients.Add(new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) });
            }

            // The shared thread everybody replies to, opened by the first learner.
            await JoinAsync(clients[0], "learner00");
            var shared = await PostAsync(clients[0], "/api/discuss/threads", new { board = "general", title = "Which activation for the spiral?", body = "Post your best link." }, failures);
            long sharedId = shared!.Value.GetProperty("id").GetInt64();

            // Everyone joins at once, then everyone works at once.
            await Task.WhenAll(clients.Skip(1).Select((c, i) => JoinAsync(c, $"learner{i + 1:00}")));
            // Released together by one signal (an awaited gate: a blocking barrier would hold 50 pool threads).
            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var work = clients.Select(async (client, i) =>
            {
                await go.Task;
                await WorkAsync(client, i, sharedId, failures);
            }).ToList();
            go.SetResult();
            await Task.WhenAll(work).WaitAsync(TimeSpan.FromSeconds(120));

            Assert.True(failures.IsEmpty, $"{failures.Count} requests failed, e.g.:\n{string.Join("\n", failures.Take(5))}");

            // Nothing lost: counted in the database, and each learner's own progress shows their attempts.
            var database = app.Services.GetRequiredService<LearnDatabase>();
            Assert.Equal(Learners, Count(database, "SELECT count(*) FROM learners;"));
            Assert.Equal(Learners * 2, Count(database, "SELECT count(*) FROM attempts WHERE exercise_id IN ('m2-forward-sigmoid', 'm3-forward-tanh');"));
            Assert.Equal(Learners, Count(database, "SELECT count(*) FROM attempts WHERE exercise_id = 'm2-forward-sigmoid' AND correct = 1;"));
            Assert.Equal(Learners + 1, Count(database, $"SELECT count(*) FROM posts WHERE thread_id = {sharedId};"));
            Assert.Equal(Learners, Count(database, "SELECT count(*) FROM threads WHERE board = 'm2';"));
            foreach (var (client, i) in clients.Select((c, i) => (c, i)))
            {
                var progress = await client.GetFromJsonAsync<JsonElement>("/api/learn/progress");
                var m2 = progress.GetProperty("modules").EnumerateArray().Single(m => m.GetProperty("id").GetString() == "m2");
                var forward = m2.GetProperty("exercises").EnumerateArray().Single(e => e.GetProperty("id").GetString() == "m2-forward-sigmoid");
                Assert.True(forward.GetProperty("solved").GetBoolean(), $"learner {i} lost their solved exercise");
            }

            var thread = await clients[^1].GetFromJsonAsync<JsonElement>($"/api/discuss/threads/{sharedId}");
            var authors = thread.GetProperty("posts").EnumerateArray().Select(p => p.GetProperty("author").GetString()).ToHashSet();
            Assert.Equal(Learners, authors.Count);
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }

            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    /// <summary>One learner's burst: solve one exercise, answer another wrongly, open a thread, reply to the shared one.</summary>
    private static async Task WorkAsync(HttpClient client, int i, long sharedId, ConcurrentQueue<string> failures)
    {
        try
        {
            await ExercisesApi.SolveAsync(client, "m2-forward-sigmoid");
            await ExercisesApi.AnswerAsync(client, "m3-forward-tanh", new { z = 12345.0, a = 0.5 });
        }
        catch (Exception e) when (e is Xunit.Sdk.XunitException or HttpRequestException or TaskCanceledException)
        {
            failures.Enqueue($"learner {i}: {e.Message}");
        }

        await PostAsync(client, "/api/discuss/threads", new { board = "m2", title = $"Learner {i}'s question", body = $"Why is σ′(0) = 0.25? ('); DROP TABLE posts;-- {i}" }, failures);
        await PostAsync(client, $"/api/discuss/threads/{sharedId}/posts", new { body = $"ReLU 8,8 from learner {i}: [try it](/#activation=relu&networkShape=8,8)" }, failures);
    }

    private static async Task JoinAsync(HttpClient client, string name)
    {
        using var response = await client.PostAsJsonAsync("/api/classroom/join", new { code = JoinCode, name });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        CsrfToken.Adopt(client, response);
    }

    private static async Task<JsonElement?> PostAsync(HttpClient client, string path, object body, ConcurrentQueue<string> failures)
    {
        try
        {
            using var response = await client.PostAsJsonAsync(path, body);
            string text = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode)
            {
                failures.Enqueue($"POST {path}: {(int)response.StatusCode} {text}");
                return null;
            }

            return JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            failures.Enqueue($"POST {path}: {e.Message}");
            return null;
        }
    }

    private static long Count(LearnDatabase database, string sql) => database.Read(connection =>
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    });
}
