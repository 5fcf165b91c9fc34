using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit;

namespace Nonlinear.Web.Tests;

/// <summary>
/// The walk through a whole module that the issue asks for, as a learner does it in the browser: choose a name, open
/// module 2 (sigmoid), read the lesson, move the widget's x and see its numbers change, answer the forward pass wrong
/// on purpose (the bias forgotten) and get the tutor's diagnosis and hint, follow its "see it live" link, answer right,
/// solve the module's other exercises, and find all of it on the progress page with the module complete.
/// </summary>
/// <remarks>
/// The right answers are computed here in float64 from the numbers the prompt shows, read the way a learner reads
/// them: each formula of the form <c>name = numbers</c> (<c>W = [w₁, w₂]</c>, <c>b = 0.3</c>, <c>z = −1.2</c>). That
/// couples the test to the prompt writing its givens as such formulas, not to any number or wording; the server's
/// own answer is never consulted, so a wrong checker fails the walk.
/// </remarks>
[Collection(BrowserCollection.Name)]
public sealed class LearnWalkTests(LiveServer server)
{
    private const string Forward = "#ex-m2-forward-sigmoid";
    private const string Derivative = "#ex-m2-derivative-sigmoid";
    private const string Concept = "#ex-m2-concept-binary";

    [Fact]
    public async Task A_learner_walks_through_the_sigmoid_module_from_the_lesson_to_a_complete_module()
    {
        var (page, errors) = await server.OpenAsync("/learn");
        await LearnPage.WaitReadyAsync(page, "overview");

        // Choose a name.
        string name = LearnPage.NewName("Walker");
        await page.FillAsync("#learn-new-name", name);
        await page.PressAsync("#learn-new-name", "Enter");
        await page.WaitForSelectorAsync($".learn-who[data-learner='{name}']");
        await LearnPage.WaitReadyAsync(page, "overview");

        // Open module 2 and read: the lesson is there, with its formulas.
        await page.ClickAsync(".learn-card[data-module=m2] a");
        await LearnPage.WaitReadyAsync(page, "module");
        Assert.EndsWith("/learn/m2", page.Url, StringComparison.Ordinal);
        var lesson = page.Locator(".learn-lesson");
        Assert.True(await lesson.IsVisibleAsync());
        Assert.Contains("sigmoid", (await lesson.InnerTextAsync()).ToLowerInvariant(), StringComparison.Ordinal);
        Assert.True(await page.Locator(".learn-lesson math").CountAsync() > 0);

        // Use the widget: move x with the keyboard and watch the numbers the engine sent change.
        var widget = page.Locator(".learn-lesson .widget[data-widget=activation]").First;
        await widget.ScrollIntoViewIfNeededAsync();
        await page.WaitForFunctionAsync("w => w.dataset.widgetState === 'mounted'", await widget.ElementHandleAsync());
        var slider = widget.Locator("input[type=range]").Nth(await XSliderIndexAsync(widget));
        string before = await widget.InnerTextAsync();
        await slider.FocusAsync();
        for (int i = 0; i < 5; i++)
        {
            await slider.PressAsync("ArrowRight");
        }

        await page.WaitForFunctionAsync("([w, before]) => w.innerText !== before", new object[] { await widget.ElementHandleAsync(), before });

        // The forward pass, wrong on purpose: z = W·x with the bias forgotten, and a = σ of that.
        var given = await GivenAsync(page, Forward);
        double wx = given["W"].Zip(given["x"], (w, x) => w * x).Sum();
        double b = Assert.Single(given["b"]);
        await AnswerAsync(page, Forward, ("z", wx), ("a", Sigmoid(wx)));
        await page.WaitForFunctionAsync("sel => document.querySelector(sel).dataset.result === 'wrong'", Forward);
        var card = page.Locator(Forward);
        Assert.Equal("forgot-bias", await card.GetAttributeAsync("data-mistake"));
        Assert.Equal("wrong", await card.Locator("[data-field=z]").GetAttributeAsync("data-mark"));
        Assert.Contains("bias", await card.Locator(".learn-feedback").InnerTextAsync(), StringComparison.Ordinal);
        Assert.True(await card.Locator(".learn-hint").IsVisibleAsync());
        Assert.False(string.IsNullOrWhiteSpace(await card.Locator(".learn-hint li").First.InnerTextAsync()));
        Assert.Equal("1", await card.GetAttributeAsync("data-attempts"));
        Assert.Equal("false", await card.GetAttributeAsync("data-solved"));

        // The tutor's "see it live" link goes to the widget on this page and highlights it.
        var see = card.Locator(".learn-see-link");
        string seeHref = (await see.GetAttributeAsync("href"))!;
        await see.ClickAsync();
        string anchor = seeHref[(seeHref.IndexOf('#', StringComparison.Ordinal) + 1)..];
        await page.WaitForFunctionAsync("id => location.hash === '#' + id && document.getElementById(id).classList.contains('learn-flash')", anchor);
        Assert.EndsWith("/learn/m2#" + anchor, page.Url, StringComparison.Ordinal);

        // Now right: z = W·x + b and a = σ(z), from the prompt's numbers in float64.
        double z = wx + b;
        await AnswerAsync(page, Forward, ("z", z), ("a", Sigmoid(z)));
        await page.WaitForFunctionAsync("sel => document.querySelector(sel).dataset.solved === 'true'", Forward);
        Assert.Equal("right", await card.GetAttributeAsync("data-result"));
        Assert.Equal("2", await card.GetAttributeAsync("data-attempts"));
        Assert.True(await card.Locator(".learn-solved-badge").IsVisibleAsync());
        Assert.True(await card.Locator(".learn-solution").IsVisibleAsync(), "a right answer shows the worked solution");
        await page.WaitForFunctionAsync("() => document.querySelector('.learn-module-list li[data-module=m2] .learn-list-count')?.textContent === '1/3'");

        // The slope at the prompt's z: σ(z) and σ(z)(1 − σ(z)).
        double at = Assert.Single((await GivenAsync(page, Derivative))["z"]);
        double value = Sigmoid(at);
        await AnswerAsync(page, Derivative, ("value", value), ("derivative", value * (1 - value)));
        await page.WaitForFunctionAsync("sel => document.querySelector(sel).dataset.solved === 'true'", Derivative);

        // The concept check: try the options; the reason is shown after every answer.
        await SolveConceptAsync(page, Concept);

        // All three solved: the module is complete, on the card, beside the lesson and on the progress page.
        Assert.True(await page.Locator($"{Concept} .learn-module-complete").IsVisibleAsync());
        await page.WaitForSelectorAsync(".learn-module-list li[data-module=m2].complete");
        await page.WaitForFunctionAsync("() => document.querySelector('.learn-module').dataset.complete === 'true'");

        await page.ClickAsync(".learn-section[data-section=progress]");
        await LearnPage.WaitReadyAsync(page, "progress");
        Assert.Equal("3", await page.GetAttributeAsync(".learn-progress-summary", "data-solved"));
        Assert.Equal("true", await page.GetAttributeAsync(".learn-progress-module[data-module=m2]", "data-complete"));
        Assert.Equal("true", await page.GetAttributeAsync("tr[data-exercise=m2-forward-sigmoid]", "data-solved"));
        Assert.Equal("2", await page.GetAttributeAsync("tr[data-exercise=m2-forward-sigmoid]", "data-attempts"));
        Assert.Equal("1", await page.GetAttributeAsync("tr[data-exercise=m2-derivative-sigmoid]", "data-attempts"));
        Assert.Equal("false", await page.GetAttributeAsync(".learn-progress-module[data-module=m3]", "data-complete"));

        // And the overview ticks module 2.
        await page.ClickAsync(".learn-section[data-section=overview]");
        await LearnPage.WaitReadyAsync(page, "overview");
        await page.WaitForSelectorAsync(".learn-card.complete[data-module=m2]");
        Assert.Empty(LiveServer.Unexpected(errors));
        await page.Context.CloseAsync();
    }

    private static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    /// <summary>The givens of an exercise's prompt: each formula "name = numbers" as name → its numbers.</summary>
    private static async Task<Dictionary<string, double[]>> GivenAsync(IPage page, string card)
    {
        string json = await page.EvalOnSelectorAsync<string>(card + " .learn-prompt", """
            prompt => {
              const given = {};
              for (const math of prompt.querySelectorAll('math')) {
                const parts = [...math.children];
                if (parts.length < 3 || parts[0].localName !== 'mi' || parts[1].localName !== 'mo' || parts[1].textContent.trim() !== '=') {
                  continue;
                }

                const text = parts.slice(2).map((p) => p.textContent).join(' ').replace(/\u2212/g, '-');
                const numbers = (text.match(/-?\s*\d+(\.\d+)?(e-?\d+)?/gi) || []).map((n) => Number(n.replace(/\s/g, '')));
                if (numbers.length) {
                  given[parts[0].textContent.trim()] = numbers;
                }
              }

              return JSON.stringify(given);
            }
            """);
        using var given = JsonDocument.Parse(json);
        return given.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.EnumerateArray().Select(v => v.GetDouble()).ToArray());
    }

    /// <summary>Types each value into its field (as a person would, to 6 decimals) and presses Enter.</summary>
    private static async Task AnswerAsync(IPage page, string card, params (string Field, double Value)[] answers)
    {
        string attempts = await page.GetAttributeAsync(card, "data-attempts") ?? "0";
        foreach (var (field, value) in answers)
        {
            await page.FillAsync($"{card} [data-field={field}] input", value.ToString("0.######", CultureInfo.InvariantCulture));
        }

        await page.PressAsync($"{card} [data-field={answers[^1].Field}] input", "Enter");
        await page.WaitForFunctionAsync(
            "([sel, attempts]) => { const c = document.querySelector(sel); return c.dataset.attempts !== attempts && c.dataset.state === 'ready'; }",
            new object[] { card, attempts });
    }

    /// <summary>
    /// Answers a concept check by trying its options in turn. Once the worked solution has named the right option
    /// (after three wrong tries), copying it would not count: the learner takes new numbers and picks it there.
    /// </summary>
    private static async Task SolveConceptAsync(IPage page, string card)
    {
        var tried = new HashSet<string>(StringComparer.Ordinal);
        string? known = null;
        for (int turn = 0; turn < 12; turn++)
        {
            if (await page.GetAttributeAsync(card, "data-solved") == "true")
            {
                return;
            }

            var solution = page.Locator($"{card} .learn-solution");
            if (await solution.CountAsync() > 0)
            {
                known = (await solution.InnerTextAsync()).Replace("Worked solution", "", StringComparison.Ordinal);
                string variant = (await page.GetAttributeAsync(card, "data-variant"))!;
                await page.ClickAsync($"{card} [data-action=another]");
                await page.WaitForFunctionAsync("([sel, v]) => document.querySelector(sel).dataset.variant !== v", new object[] { card, variant });
                tried.Clear();
            }

            var options = page.Locator($"{card} .learn-option");
            int count = await options.CountAsync();
            int pick = -1;
            for (int i = 0; i < count && pick < 0; i++)
            {
                string label = (await options.Nth(i).InnerTextAsync()).Trim();
                if (known is not null && known.Contains(label, StringComparison.Ordinal))
                {
                    pick = i;
                }
            }

            for (int i = 0; i < count && pick < 0; i++)
            {
                if (!tried.Contains(await options.Nth(i).GetAttributeAsync("data-option") ?? ""))
                {
                    pick = i;
                }
            }

            var option = options.Nth(pick);
            tried.Add(await option.GetAttributeAsync("data-option") ?? "");
            string attempts = await page.GetAttributeAsync(card, "data-attempts") ?? "0";
            await option.ClickAsync();
            await option.Locator("input").PressAsync("Enter");
            await page.WaitForFunctionAsync(
                "([sel, attempts]) => { const c = document.querySelector(sel); return c.dataset.attempts !== attempts && c.dataset.state === 'ready'; }",
                new object[] { card, attempts });
            Assert.True(await page.Locator($"{card} .learn-reason").IsVisibleAsync(), "a concept check gives its reason after every answer");
        }

        Assert.Equal("true", await page.GetAttributeAsync(card, "data-solved"));
    }

    /// <summary>Which of the widget's sliders moves x: the one labelled x (else the first).</summary>
    private static async Task<int> XSliderIndexAsync(ILocator widget) =>
        await widget.EvaluateAsync<int>("""
            w => {
              const sliders = [...w.querySelectorAll('input[type=range]')];
              const says = (s) => [s.name, s.id, s.dataset.param, s.getAttribute('aria-label'), ...[...(s.labels || [])].map((l) => l.textContent)]
                .filter(Boolean).map((t) => t.trim().toLowerCase());
              const i = sliders.findIndex((s) => says(s).some((t) => t === 'x' || t.startsWith('x ') || t.startsWith('x:') || t.startsWith('x=')));
              return Math.max(0, i);
            }
            """);
}
