using System.Text.Json;
using Microsoft.Playwright;
using Xunit;

namespace Nonlinear.Web.Tests;

/// <summary>
/// The Learn tab in the real page (wwwroot/learn/): the overview, choosing a name, a module page with its lesson and
/// code panel, search, the progress page and its import. What the page shows is compared with what the API answers
/// for the same learner (the page's own cookie), never with numbers written here.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class LearnPageTests(LiveServer server)
{
    [Fact]
    public async Task The_overview_shows_the_nine_modules_of_the_course_and_the_back_button_returns_to_it()
    {
        var (page, errors) = await server.OpenAsync("/learn");
        await LearnPage.WaitReadyAsync(page, "overview");
        var course = await LearnPage.ApiAsync(page, "/api/learn/course");
        var modules = course.GetProperty("modules").EnumerateArray().ToList();
        Assert.Equal(9, modules.Count);

        var cards = page.Locator(".learn-card");
        Assert.Equal(9, await cards.CountAsync());
        for (int i = 0; i < modules.Count; i++)
        {
            string title = modules[i].GetProperty("title").GetString()!;
            Assert.Contains(title, await cards.Nth(i).InnerTextAsync(), StringComparison.Ordinal);
            Assert.Equal(modules[i].GetProperty("id").GetString(), await cards.Nth(i).GetAttributeAsync("data-module"));
        }

        // The Learn tab is selected, and the ways into the rest of the course are there.
        Assert.Equal("true", await page.GetAttributeAsync("#tab-learn", "aria-selected"));
        foreach (string section in new[] { "glossary", "questions", "progress", "discuss" })
        {
            Assert.True(await page.IsVisibleAsync($".learn-section[data-section={section}]"), section);
        }

        Assert.True(await page.IsVisibleAsync(".learn-search-input"));

        // A card is an in-app link (no page load: the marker set on the window survives), and back returns.
        await page.EvaluateAsync("() => { window.__sameDocument = true; }");
        await cards.Nth(2).Locator("a").ClickAsync();
        await LearnPage.WaitReadyAsync(page, "module");
        Assert.EndsWith("/learn/" + modules[2].GetProperty("id").GetString(), page.Url, StringComparison.Ordinal);
        await page.GoBackAsync();
        await LearnPage.WaitReadyAsync(page, "overview");
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"));
        Assert.Empty(LiveServer.Unexpected(errors));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_profile_picker_makes_a_profile_that_the_page_keeps_and_offers_again_after_signing_out()
    {
        var (page, errors) = await server.OpenAsync("/learn");
        await LearnPage.WaitReadyAsync(page, "overview");
        Assert.True(await page.IsVisibleAsync(".learn-who-panel[data-who=profiles]"));

        string name = LearnPage.NewName("Picker");
        await page.FillAsync("#learn-new-name", name);
        await page.PressAsync("#learn-new-name", "Enter");
        await page.WaitForSelectorAsync($".learn-who[data-learner='{name}']");
        Assert.False(await page.IsVisibleAsync(".learn-who-panel"));
        var me = await LearnPage.ApiAsync(page, "/api/learn/me");
        Assert.Equal(name, me.GetProperty("learner").GetProperty("name").GetString());

        // A reload keeps the learner (the session cookie), and the overview greets them.
        await page.ReloadAsync();
        await LearnPage.WaitReadyAsync(page, "overview");
        Assert.Equal(name, await page.TextContentAsync("[data-learner-name]"));

        // Signing out brings the picker back, with the new profile among its buttons.
        await page.ClickAsync(".learn-who [data-action=signout]");
        await page.WaitForSelectorAsync($".learn-profile[data-profile='{name}']");
        Assert.Equal(JsonValueKind.Null, (await LearnPage.ApiAsync(page, "/api/learn/me")).GetProperty("learner").ValueKind);
        await page.ClickAsync($".learn-profile[data-profile='{name}']");
        await page.WaitForSelectorAsync($".learn-who[data-learner='{name}']");

        // An empty name is refused on the page, a too-long one by the server, and both are said inline.
        await page.ClickAsync(".learn-who [data-action=switch]");
        await page.FillAsync("#learn-new-name", "   ");
        await page.PressAsync("#learn-new-name", "Enter");
        Assert.Contains("Type a name", await page.TextContentAsync(".learn-who-panel .learn-error"), StringComparison.Ordinal);
        Assert.Empty(LiveServer.Unexpected(errors));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_module_page_shows_its_lesson_and_a_code_panel_whose_tabs_switch()
    {
        var (page, errors, _) = await LearnPage.OpenAsLearnerAsync(server, "/learn/m2", "Reader");
        await LearnPage.WaitReadyAsync(page, "module");
        var module = await LearnPage.ApiAsync(page, "/api/learn/modules/m2");

        Assert.Equal(module.GetProperty("title").GetString(), await page.TextContentAsync(".learn-module h1"));
        var lesson = page.Locator(".learn-lesson");
        Assert.True(await lesson.IsVisibleAsync());
        Assert.True((await lesson.InnerTextAsync()).Length > 200, "the lesson has text");
        Assert.True(await page.Locator(".learn-lesson math").CountAsync() > 0, "the lesson's formulas are MathML");

        // The nine modules beside the lesson, this one marked.
        Assert.Equal(9, await page.Locator(".learn-module-list li").CountAsync());
        Assert.Equal("page", await page.GetAttributeAsync(".learn-module-list li[data-module=m2] a", "aria-current"));

        // One card per exercise of the module.
        string[] exercises = [.. module.GetProperty("exercises").EnumerateArray().Select(e => e.GetProperty("id").GetString()!)];
        string shown = await page.Locator(".learn-exercises").EvaluateAsync<string>("s => [...s.querySelectorAll('.learn-exercise')].map(c => c.dataset.exercise).join(' ')");
        Assert.Equal(string.Join(' ', exercises), shown);

        // The code panel: C# first; clicking a tab (or an arrow key) shows that language's code.
        var code = module.GetProperty("code");
        Assert.True(await page.IsVisibleAsync(".learn-code-panel[data-code=csharp]"));
        Assert.False(await page.IsVisibleAsync(".learn-code-panel[data-code=pytorch]"));
        await page.ClickAsync(".learn-code-tab[data-code=pytorch]");
        Assert.True(await page.IsVisibleAsync(".learn-code-panel[data-code=pytorch]"));
        Assert.False(await page.IsVisibleAsync(".learn-code-panel[data-code=csharp]"));
        Assert.Equal("true", await page.GetAttributeAsync(".learn-code-tab[data-code=pytorch]", "aria-selected"));
        Assert.Equal(code.GetProperty("pytorch").GetString(), await page.TextContentAsync(".learn-code-panel[data-code=pytorch] code"));
        await page.PressAsync(".learn-code-tab[data-code=pytorch]", "ArrowLeft");
        Assert.True(await page.IsVisibleAsync(".learn-code-panel[data-code=cli]"));
        Assert.Equal(code.GetProperty("cli").GetString(), await page.TextContentAsync(".learn-code-panel[data-code=cli] code"));

        // Next goes to module 3 without a page load.
        await page.ClickAsync(".learn-prevnext a[rel=next]");
        await LearnPage.WaitReadyAsync(page, "module");
        Assert.EndsWith("/learn/m3", page.Url, StringComparison.Ordinal);
        Assert.Empty(LiveServer.Unexpected(errors));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task An_unknown_module_shows_the_servers_message()
    {
        var (page, errors) = await server.OpenAsync("/learn/m42");
        await LearnPage.WaitReadyAsync(page, "module");
        var refusal = await LearnPage.ApiRefusalAsync(page, "/api/learn/modules/m42");
        Assert.Equal(404, refusal.Status);
        Assert.Contains(refusal.Detail, await page.TextContentAsync(".learn-module .learn-error"), StringComparison.Ordinal);
        Assert.DoesNotContain(LiveServer.Unexpected(errors), e => !e.Contains("/api/learn/modules/m42", StringComparison.Ordinal));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_search_box_finds_the_lessons_glossary_and_questions_the_server_finds()
    {
        var (page, errors) = await server.OpenAsync("/learn");
        await LearnPage.WaitReadyAsync(page, "overview");
        await page.FillAsync(".learn-search-input", "sigmoid");
        await page.PressAsync(".learn-search-input", "Enter");
        await LearnPage.WaitReadyAsync(page, "search");
        Assert.EndsWith("/learn/search?q=sigmoid", page.Url, StringComparison.Ordinal);

        var results = (await LearnPage.ApiAsync(page, "/api/learn/search?q=sigmoid")).EnumerateArray().ToList();
        Assert.NotEmpty(results);
        var shown = page.Locator(".learn-result");
        Assert.Equal(results.Count, await shown.CountAsync());
        Assert.Equal(results[0].GetProperty("title").GetString(), await shown.First.Locator(".learn-result-title").TextContentAsync());
        Assert.Equal(results[0].GetProperty("kind").GetString(), await shown.First.GetAttributeAsync("data-kind"));

        // A result is a link into the course.
        string link = results[0].GetProperty("link").GetString()!;
        await shown.First.Locator(".learn-result-title").ClickAsync();
        await page.WaitForFunctionAsync("link => location.pathname + location.search + location.hash === link", link);
        await page.WaitForFunctionAsync("() => document.getElementById('learn-view').dataset.learnState === 'ready'");
        Assert.Empty(LiveServer.Unexpected(errors));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_progress_page_counts_what_the_server_counts()
    {
        var (page, errors, _) = await LearnPage.OpenAsLearnerAsync(server, "/learn", "Counter");
        await LearnPage.WaitReadyAsync(page, "overview");

        // One wrong attempt at an exercise (through the API, as the card would send it).
        var exercise = await LearnPage.ApiAsync(page, "/api/learn/exercises/m2-forward-sigmoid");
        var answers = exercise.GetProperty("fields").EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!, _ => (object)12.345);
        var verdict = await LearnPage.ApiAsync(page, "/api/learn/exercises/m2-forward-sigmoid/answers", new { variant = exercise.GetProperty("variant").GetInt32(), answers });
        Assert.False(verdict.GetProperty("correct").GetBoolean());

        await page.ClickAsync(".learn-section[data-section=progress]");
        await LearnPage.WaitReadyAsync(page, "progress");
        var progress = await LearnPage.ApiAsync(page, "/api/learn/progress");
        Assert.Equal(progress.GetProperty("solved").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture), await page.GetAttributeAsync(".learn-progress-summary", "data-solved"));
        Assert.Equal(progress.GetProperty("total").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture), await page.GetAttributeAsync(".learn-progress-summary", "data-total"));
        Assert.Equal(progress.GetProperty("modules").GetArrayLength(), await page.Locator(".learn-progress-module").CountAsync());
        int rows = progress.GetProperty("modules").EnumerateArray().Sum(m => m.GetProperty("exercises").GetArrayLength());
        Assert.Equal(rows, await page.Locator(".learn-progress-table tbody tr").CountAsync());
        Assert.Equal("1", await page.GetAttributeAsync("tr[data-exercise=m2-forward-sigmoid]", "data-attempts"));
        Assert.Equal("false", await page.GetAttributeAsync("tr[data-exercise=m2-forward-sigmoid]", "data-solved"));

        // The export is the server's file for this learner.
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("[data-action=export]"));
        using (var file = JsonDocument.Parse(await File.ReadAllTextAsync((await download.PathAsync())!)))
        {
            Assert.Equal("nonlinear-progress", file.RootElement.GetProperty("format").GetString());
        }

        Assert.Empty(LiveServer.Unexpected(errors));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task An_answer_the_page_cannot_read_as_a_number_is_refused_on_the_card_and_never_sent()
    {
        var (page, errors, _) = await LearnPage.OpenAsLearnerAsync(server, "/learn/m2#ex-m2-forward-sigmoid", "Typist");
        await LearnPage.WaitReadyAsync(page, "module");
        const string Card = "#ex-m2-forward-sigmoid";
        await page.FillAsync($"{Card} [data-field=z] input", "0x10");
        await page.FillAsync($"{Card} [data-field=a] input", "");
        await page.PressAsync($"{Card} [data-field=a] input", "Enter");
        Assert.Contains("“0x10” is not a number", await page.TextContentAsync($"{Card} [data-field=z] .learn-field-problem"), StringComparison.Ordinal);
        Assert.Equal("Type a number.", await page.TextContentAsync($"{Card} [data-field=a] .learn-field-problem"));

        // Nothing reached the server: no attempt was counted.
        var exercise = await LearnPage.ApiAsync(page, "/api/learn/exercises/m2-forward-sigmoid");
        Assert.Equal(0, exercise.GetProperty("attempts").GetInt32());
        Assert.Equal("0", await page.GetAttributeAsync(Card, "data-attempts"));

        // Written as people write numbers (a typographic minus, exponent notation), it is sent and counted.
        await page.FillAsync($"{Card} [data-field=z] input", "\u22121e-3");
        await page.FillAsync($"{Card} [data-field=a] input", ".25");
        await page.PressAsync($"{Card} [data-field=a] input", "Enter");
        await page.WaitForFunctionAsync("sel => document.querySelector(sel).dataset.attempts === '1'", Card);
        Assert.Equal(1, (await LearnPage.ApiAsync(page, "/api/learn/exercises/m2-forward-sigmoid")).GetProperty("attempts").GetInt32());
        Assert.Empty(LiveServer.Unexpected(errors));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task An_answer_to_a_variant_that_another_tab_replaced_reloads_the_card_with_the_servers_reason()
    {
        var (page, errors, _) = await LearnPage.OpenAsLearnerAsync(server, "/learn/m2", "Two tabs");
        await LearnPage.WaitReadyAsync(page, "module");
        const string Card = "#ex-m2-derivative-sigmoid";
        Assert.Equal("0", await page.GetAttributeAsync(Card, "data-variant"));
        string before = (await page.TextContentAsync($"{Card} .learn-prompt"))!;

        // "Another tab" asks for new numbers; this card still shows variant 0.
        var next = await LearnPage.ApiAsync(page, "/api/learn/exercises/m2-derivative-sigmoid/next", new { });
        int variant = next.GetProperty("variant").GetInt32();
        Assert.NotEqual(0, variant);
        var refusal = await LearnPage.ApiRefusalAsync(page, "/api/learn/exercises/m2-derivative-sigmoid/answers", "{\"variant\":0,\"answers\":{\"value\":0.5,\"derivative\":0.25}}");
        Assert.Equal(409, refusal.Status);

        await page.FillAsync($"{Card} [data-field=value] input", "0.5");
        await page.FillAsync($"{Card} [data-field=derivative] input", "0.25");
        await page.PressAsync($"{Card} [data-field=derivative] input", "Enter");
        await page.WaitForFunctionAsync("([sel, v]) => document.querySelector(sel).dataset.variant === v", new object[] { Card, variant.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        Assert.Contains(refusal.Detail, await page.TextContentAsync($"{Card} .learn-status"), StringComparison.Ordinal);
        Assert.NotEqual(before, await page.TextContentAsync($"{Card} .learn-prompt"));
        Assert.Equal("", await page.InputValueAsync($"{Card} [data-field=value] input"));
        Assert.Equal("0", await page.GetAttributeAsync(Card, "data-attempts"));
        Assert.DoesNotContain(LiveServer.Unexpected(errors), e => !e.Contains(" 409 ", StringComparison.Ordinal));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_playground_answer_is_the_embedded_playgrounds_own_link_and_reset_brings_the_preset_back()
    {
        var (page, errors, _) = await LearnPage.OpenAsLearnerAsync(server, "/learn/m1#ex-m1-learn-xor", "Tinkerer");
        await LearnPage.WaitReadyAsync(page, "module");
        const string Card = "#ex-m1-learn-xor";
        var field = (await LearnPage.ApiAsync(page, "/api/learn/exercises/m1-learn-xor")).GetProperty("fields").EnumerateArray().Single(f => f.GetProperty("type").GetString() == "playground");
        string name = field.GetProperty("name").GetString()!;
        string presetActivation = Parameter(field.GetProperty("preset").GetString()!, "activation");

        // The playground opens inside the card, without the app's header, at the exercise's preset.
        await page.ClickAsync($"{Card} [data-action=open-playground]");
        var frame = (await (await page.WaitForSelectorAsync($"{Card} iframe"))!.ContentFrameAsync())!;
        await frame.WaitForFunctionAsync("() => document.body.dataset.ready === 'true'");
        Assert.False(await frame.IsVisibleAsync(".app-header"));
        Assert.Equal(presetActivation, Parameter(await frame.EvaluateAsync<string>("() => location.hash"), "activation"));

        // The learner changes the activation there; checking sends that playground's link.
        string other = presetActivation == "tanh" ? "relu" : "tanh";
        await frame.SelectOptionAsync("#activation", other);
        await frame.WaitForFunctionAsync("a => location.hash.includes('activation=' + a)", other);
        string hash = (await frame.EvaluateAsync<string>("() => location.hash"))[1..];
        var request = await page.RunAndWaitForRequestAsync(
            () => page.ClickAsync($"{Card} [data-action=check]"),
            r => r.Method == "POST" && r.Url.EndsWith("/api/learn/exercises/m1-learn-xor/answers", StringComparison.Ordinal));
        using (var body = JsonDocument.Parse(request.PostData!))
        {
            Assert.Equal(hash, body.RootElement.GetProperty("answers").GetProperty(name).GetString());
        }

        // The server's training run is shown.
        await page.WaitForFunctionAsync("sel => document.querySelector(sel).dataset.attempts === '1'", Card);
        Assert.True(await page.IsVisibleAsync($"{Card} .learn-training"));
        Assert.Contains("Test accuracy", await page.TextContentAsync($"{Card} .learn-training"), StringComparison.Ordinal);

        // "Reset to the preset" puts the exercise's starting point back into the same playground.
        await page.ClickAsync($"{Card} [data-action=reset-playground]");
        await frame.WaitForFunctionAsync("a => location.hash.includes('activation=' + a)", presetActivation);
        Assert.Equal(1, await page.Locator($"{Card} iframe").CountAsync());
        Assert.Empty(LiveServer.Unexpected(errors));
        await page.Context.CloseAsync();
    }

    /// <summary>One parameter of a playground link ("a=1&amp;b=2").</summary>
    private static string Parameter(string hash, string key) =>
        hash.TrimStart('#').Split('&').Select(p => p.Split('=', 2)).First(p => p[0] == key)[1];

    [Fact]
    public async Task A_bad_progress_file_shows_the_servers_message()
    {
        var (page, errors, _) = await LearnPage.OpenAsLearnerAsync(server, "/learn/progress", "Importer");
        await LearnPage.WaitReadyAsync(page, "progress");

        const string Foreign = "{\"format\":\"someone-elses-progress\",\"version\":1}";
        var refusal = await LearnPage.ApiRefusalAsync(page, "/api/learn/progress/import", Foreign);
        Assert.Equal(400, refusal.Status);
        await page.SetInputFilesAsync("#learn-import-file", new FilePayload { Name = "foreign.json", MimeType = "application/json", Buffer = System.Text.Encoding.UTF8.GetBytes(Foreign) });
        var shown = page.Locator(".learn-import-result .learn-error");
        await shown.WaitForAsync();
        Assert.Contains(refusal.Detail, await shown.TextContentAsync(), StringComparison.Ordinal);

        // A file that is not JSON at all is caught on the page, naming the file.
        await page.SetInputFilesAsync("#learn-import-file", new FilePayload { Name = "notes.txt", MimeType = "text/plain", Buffer = "my progress"u8.ToArray() });
        await page.WaitForFunctionAsync("() => (document.querySelector('.learn-import-result .learn-error')?.textContent || '').includes('notes.txt')");

        // The learner's own export imports cleanly (merging is idempotent).
        var export = await LearnPage.ApiAsync(page, "/api/learn/progress/export");
        await page.SetInputFilesAsync("#learn-import-file", new FilePayload { Name = "mine.json", MimeType = "application/json", Buffer = System.Text.Encoding.UTF8.GetBytes(export.GetRawText()) });
        await page.WaitForSelectorAsync(".learn-import-result .learn-good");
        Assert.Empty(LiveServer.Unexpected(errors, "/api/learn/progress/import"));
        await page.Context.CloseAsync();
    }
}
