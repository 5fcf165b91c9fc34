using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit;

namespace Nonlinear.Web.Tests;

/// <summary>
/// Each lesson widget (wwwroot/learn/widgets/&lt;name&gt;.js) mounted in the real page: change an input, and the numbers
/// it shows are the ones POST /api/learn/widgets/&lt;name&gt; answers for that input; no console errors.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class WidgetBrowserTests(LiveServer server)
{
    private const string Widget = "#w-test";

    [Fact]
    public async Task Activation_shows_the_engine_values_at_the_slider_x_and_for_a_new_parameter()
    {
        var (page, errors) = await MountAsync("activation", new() { ["activation"] = "sigmoid", ["x"] = "1" });
        await SlideAsync(page, "x", "2.5");
        var a = await PostAsync("activation", new { spec = "sigmoid", x = 2.5 });
        await AssertShownAsync(page, "x", a.GetProperty("x"));
        await AssertShownAsync(page, "value", a.GetProperty("value"));
        await AssertShownAsync(page, "derivative", a.GetProperty("derivative"));
        await AssertShownAsync(page, "reference-value", a.GetProperty("reference").GetProperty("value"));
        await AssertShownAsync(page, "derivative-max", a.GetProperty("derivativeMax").GetProperty("value"));
        Assert.Equal(2, await page.Locator($"{Widget} path.w-curve").CountAsync());
        Assert.Contains("Not saturated", await page.Locator($"{Widget} [data-field=saturated]").TextContentAsync(), StringComparison.Ordinal);

        await SlideAsync(page, "x", "-5.5");
        Assert.Contains("Saturated", await page.Locator($"{Widget} [data-field=saturated]").TextContentAsync(), StringComparison.Ordinal);
        await CloseAsync(page, errors);

        (page, errors) = await MountAsync("activation", new() { ["activation"] = "leaky_relu:0.1", ["x"] = "-2" });
        await SlideAsync(page, "param-alpha", "0.3");
        var leaky = await PostAsync("activation", new { spec = "leaky_relu:alpha=0.3", x = -2 });
        Assert.Equal("leaky_relu:0.3", await page.Locator($"{Widget} .w-title").TextContentAsync());
        await AssertShownAsync(page, "value", leaky.GetProperty("value"));
        await AssertShownAsync(page, "derivative", leaky.GetProperty("derivative"));
        await CloseAsync(page, errors);
    }

    [Fact]
    public async Task Forward221_shows_every_intermediate_the_engine_computes_after_an_edit()
    {
        var (page, errors) = await MountAsync("forward221", new() { ["hidden"] = "tanh", ["output"] = "sigmoid" });
        await TypeAsync(page, "w11", "1.5");
        await page.SelectOptionAsync($"{Widget} select[data-field=hidden]", "relu");
        await WaitReadyAsync(page);
        var a = await PostAsync("forward221", new
        {
            x = new[] { 0.5, -1 }, w1 = new[] { new[] { 1.5, -0.6 }, new[] { 0.8, 0.3 } }, b1 = new[] { 0.1, -0.2 },
            w2 = new[] { 1.2, -0.7 }, b2 = 0.05, hidden = "relu", output = "sigmoid",
        });
        await AssertShownAsync(page, "z-h1", a.GetProperty("zHidden")[0]);
        await AssertShownAsync(page, "a-h1", a.GetProperty("aHidden")[0]);
        await AssertShownAsync(page, "z-h2", a.GetProperty("zHidden")[1]);
        await AssertShownAsync(page, "a-h2", a.GetProperty("aHidden")[1]);
        await AssertShownAsync(page, "z-out", a.GetProperty("zOut"));
        await AssertShownAsync(page, "y-hat", a.GetProperty("yHat"));
        await AssertShownAsync(page, "step-y-hat", a.GetProperty("yHat"));
        Assert.Contains("(1.5)(0.5)", await page.Locator($"{Widget} .w-steps").TextContentAsync(), StringComparison.Ordinal);
        await CloseAsync(page, errors);
    }

    [Fact]
    public async Task Collapse_shows_W_prime_b_prime_and_both_outputs_after_an_edit()
    {
        var (page, errors) = await MountAsync("collapse", []);
        await TypeAsync(page, "w1-00", "-2");
        var a = await PostAsync("collapse", new
        {
            w1 = new[] { new[] { -2.0, -1 }, new[] { 2, 0.25 } }, b1 = new[] { 0.5, -1 }, w2 = new[] { 1.5, -2 }, b2 = 0.25,
        });
        await AssertShownAsync(page, "w-prime-0", a.GetProperty("wPrime")[0]);
        await AssertShownAsync(page, "w-prime-1", a.GetProperty("wPrime")[1]);
        await AssertShownAsync(page, "b-prime", a.GetProperty("bPrime"));
        var rows = a.GetProperty("points");
        for (int i = 0; i < rows.GetArrayLength(); i++)
        {
            await AssertShownAsync(page, "two-layers", rows[i].GetProperty("twoLayers"), $"tr[data-row='{i}'] ");
            await AssertShownAsync(page, "one-layer", rows[i].GetProperty("oneLayer"), $"tr[data-row='{i}'] ");
        }

        await page.ClickAsync($"{Widget} button.w-primary");
        string opened = await page.EvaluateAsync<string>("() => window.opened[0]");
        Assert.Contains("activation=linear", opened, StringComparison.Ordinal);
        Assert.Contains("dataset=xor", opened, StringComparison.Ordinal);
        await CloseAsync(page, errors);
    }

    [Fact]
    public async Task Softmax_shows_the_overflow_of_the_naive_form_and_the_engine_probabilities()
    {
        var (page, errors) = await MountAsync("softmax", new() { ["logits"] = "2,1,0.1" });
        var first = await PostAsync("softmax", new { logits = new[] { 2, 1, 0.1 }, temperature = 1 });
        await AssertShownAsync(page, "p-engine-0", first.GetProperty("probabilities")[0]);

        await page.ClickAsync($"{Widget} button:has-text('1000')");
        await WaitReadyAsync(page);
        await SlideAsync(page, "temperature", Math.Log10(2).ToString("R", CultureInfo.InvariantCulture));
        var a = await PostAsync("softmax", new { logits = new[] { 1000, 999, 998 }, temperature = 2 });
        Assert.True(a.GetProperty("naive").GetProperty("fails").GetBoolean());
        for (int i = 0; i < 3; i++)
        {
            await AssertShownAsync(page, $"p-engine-{i}", a.GetProperty("probabilities")[i]);
            await AssertShownAsync(page, $"p-{i}", a.GetProperty("probabilities")[i]);
            await AssertShownAsync(page, $"stable-exp-{i}", a.GetProperty("stable").GetProperty("exps")[i]);
            Assert.Equal("∞", await Shown(page, $"naive-exp-{i}").TextContentAsync());
            Assert.Equal("NaN", await Shown(page, $"naive-p-{i}").TextContentAsync());
        }

        await CloseAsync(page, errors);
    }

    [Fact]
    public async Task Depth_draws_one_bar_per_layer_at_the_engine_gradient_norm()
    {
        var (page, errors) = await MountAsync("depth", new() { ["activation"] = "sigmoid", ["layers"] = "8" });
        await page.SelectOptionAsync($"{Widget} select[data-field=activation]", "relu");
        await page.SelectOptionAsync($"{Widget} select[data-field=init]", "he");
        await WaitReadyAsync(page);
        var a = await PostAsync("depth", new { activation = "relu", layers = 8, init = "he", sigma = 1, seed = 1 });
        var bars = await page.Locator($"{Widget} rect.w-depth-bar").EvaluateAllAsync<string[]>("bars => bars.map(b => b.dataset.value)");
        var norms = a.GetProperty("gradients").EnumerateArray().Select(g => g.GetProperty("gradientNorm").GetDouble()).ToArray();
        Assert.Equal(norms.Length, bars.Length);
        for (int i = 0; i < norms.Length; i++)
        {
            Assert.Equal(norms[i], double.Parse(bars[i], CultureInfo.InvariantCulture));
        }

        await AssertShownAsync(page, "ratio", a.GetProperty("ratio"));
        await CloseAsync(page, errors);
    }

    [Fact]
    public async Task Backprop221_shows_the_chain_the_engine_gradient_and_the_finite_difference_for_the_chosen_weight()
    {
        var (page, errors) = await MountAsync("backprop221", new() { ["hidden"] = "tanh", ["output"] = "sigmoid" });
        await page.SelectOptionAsync($"{Widget} select[data-field=parameter]", "v1");
        await TypeAsync(page, "target", "0");
        var a = await PostAsync("backprop221", new
        {
            x = new[] { 0.5, -1 }, w1 = new[] { new[] { 0.4, -0.6 }, new[] { 0.8, 0.3 } }, b1 = new[] { 0.1, -0.2 },
            w2 = new[] { 1.2, -0.7 }, b2 = 0.05, hidden = "tanh", output = "sigmoid", target = 0, layer = 2, to = 0, from = 0,
        });
        var factors = a.GetProperty("factors");
        Assert.Equal(3, await page.Locator($"{Widget} .w-factor[data-factor]").CountAsync());
        for (int i = 0; i < factors.GetArrayLength(); i++)
        {
            await AssertShownAsync(page, $"factor-{i}", factors[i].GetProperty("value"));
        }

        await AssertShownAsync(page, "chain", a.GetProperty("product"));
        await AssertShownAsync(page, "engine", a.GetProperty("engineGradient"));
        await AssertShownAsync(page, "finite-difference", a.GetProperty("finiteDifference"));
        await AssertShownAsync(page, "loss", a.GetProperty("loss"));

        // v1's path in the drawing: its own edge, h1 and the output.
        Assert.Equal(1, await page.Locator($"{Widget} line.w-edge.w-on-path").CountAsync());
        Assert.Equal(2, await page.Locator($"{Widget} circle.w-on-path").CountAsync());
        await CloseAsync(page, errors);
    }

    [Fact]
    public async Task Dying_shows_the_dead_share_and_loss_the_engine_measured()
    {
        var (page, errors) = await MountAsync("dying", []);
        await page.SelectOptionAsync($"{Widget} select[data-field=dataset]", "xor");
        await WaitReadyAsync(page);
        var a = await PostAsync("dying", new { dataset = "xor", learningRate = 0.3, alpha = 0.1, epochs = 15 });
        var relu = a.GetProperty("runs")[0];
        var leaky = a.GetProperty("runs")[1];
        int last = relu.GetProperty("deadShare").GetArrayLength() - 1;
        await AssertNumberAsync(page, "relu-share", relu.GetProperty("deadShare")[last].GetDouble() * 100);
        await AssertNumberAsync(page, "leaky-share", leaky.GetProperty("negativeShare")[last].GetDouble() * 100);
        await AssertShownAsync(page, "relu-loss", relu.GetProperty("loss")[last]);
        await AssertShownAsync(page, "leaky-loss", leaky.GetProperty("loss")[last]);
        Assert.Equal(4, await page.Locator($"{Widget} path.w-curve").CountAsync());
        await CloseAsync(page, errors);
    }

    [Fact]
    public async Task Advisor_lists_the_advice_of_the_server_and_shows_a_parse_error_inline()
    {
        var (page, errors) = await MountAsync("advisor", new() { ["spec"] = "dense:8,relu,dense:1", ["task"] = "binary" });
        Assert.Equal(1, await page.Locator($"{Widget} [data-field=silent]").CountAsync());

        await page.FillAsync($"{Widget} input[data-field=spec]", "dense:8,softmax,dense:4,dense:3");
        await page.SelectOptionAsync($"{Widget} select[data-field=task]", "multiclass");
        await WaitReadyAsync(page);
        var a = await PostAsync("advisor", new { spec = "dense:8,softmax,dense:4,dense:3", task = "multiclass" });
        var codes = a.GetProperty("advice").EnumerateArray().Select(x => x.GetProperty("code").GetString()).ToArray();
        Assert.NotEmpty(codes);
        Assert.Equal(codes, await page.Locator($"{Widget} .w-advice").EvaluateAllAsync<string[]>("cards => cards.map(c => c.dataset.code)"));

        await page.FillAsync($"{Widget} input[data-field=spec]", "dense:8,sigmod,dense:1");
        await page.PressAsync($"{Widget} input[data-field=spec]", "Enter");
        await page.WaitForFunctionAsync($"() => document.querySelector('{Widget}').dataset.state === 'error'");
        string shown = (await page.Locator($"{Widget} .w-error").TextContentAsync())!;
        Assert.Contains("sigmod", shown, StringComparison.Ordinal);
        Assert.Contains("sigmoid", shown, StringComparison.Ordinal);
        Assert.Empty(LiveServer.Unexpected(errors, "/api/learn/widgets/advisor"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Playground_makes_its_frame_only_when_asked_and_opens_the_experiment()
    {
        const string Hash = "activation=linear&dataset=xor&networkShape=4,4";
        var (page, errors) = await MountAsync("playground", new() { ["hash"] = Hash, ["caption"] = "XOR, linear" });
        Assert.Equal(0, await page.Locator($"{Widget} iframe").CountAsync());
        await page.ClickAsync($"{Widget} [data-field=run]");
        Assert.Equal($"/?embed=1#{Hash}", await page.Locator($"{Widget} iframe").GetAttributeAsync("src"));
        var frame = page.FrameLocator($"{Widget} iframe");
        await frame.Locator("body.embed[data-ready=true]").WaitForAsync();
        Assert.False(await frame.Locator(".app-header").IsVisibleAsync());

        await page.ClickAsync($"{Widget} [data-field=open]");
        Assert.Equal(Hash, await page.EvaluateAsync<string>("() => window.opened[0]"));
        await page.ClickAsync($"{Widget} [data-field=run]");
        Assert.Equal(0, await page.Locator($"{Widget} iframe").CountAsync());
        await CloseAsync(page, errors);
    }

    private async Task<(IPage Page, List<string> Errors)> MountAsync(string widget, Dictionary<string, string> attributes)
    {
        var (page, errors) = await server.OpenAsync("/learn");
        await page.EvaluateAsync(
            """
            async ([name, attrs]) => {
              const { api } = await import('/static/common/api.js');
              window.opened = [];
              const el = document.createElement('div');
              el.id = 'w-test';
              el.className = 'widget';
              el.dataset.widget = name;
              for (const [k, v] of Object.entries(attrs)) el.setAttribute('data-' + k, v);
              document.body.append(el);
              const m = await import(`/static/learn/widgets/${name}.js`);
              await m.mount(el, { api, showMessage: () => {}, openPlayground: (hash) => window.opened.push(hash) });
            }
            """,
            new object[] { widget, attributes });
        await WaitReadyAsync(page);
        return (page, errors);
    }

    private static Task WaitReadyAsync(IPage page)
        => page.WaitForFunctionAsync($"() => document.querySelector('{Widget}').dataset.state === 'ready'");

    /// <summary>Moves a range input (as a drag would: its value, then an input event) and waits for the answer to be drawn.</summary>
    private static async Task SlideAsync(IPage page, string field, string value)
    {
        await page.EvaluateAsync(
            "([sel, v]) => { const i = document.querySelector(sel); i.value = v; i.dispatchEvent(new Event('input', { bubbles: true })); }",
            new object[] { $"{Widget} input[type=range][data-field='{field}']", value });
        await WaitReadyAsync(page);
    }

    private static async Task TypeAsync(IPage page, string field, string value)
    {
        await page.FillAsync($"{Widget} input[data-field='{field}']", value);
        await WaitReadyAsync(page);
    }

    private static ILocator Shown(IPage page, string field, string scope = "")
        => page.Locator($"{Widget} {scope}.w-num[data-field='{field}']");

    /// <summary>The number shown for <paramref name="field"/> is the API's: exactly in data-value, and its text rounds it.</summary>
    private static async Task AssertShownAsync(IPage page, string field, JsonElement expected, string scope = "")
    {
        var shown = Shown(page, field, scope);
        Assert.Equal(1, await shown.CountAsync());
        double api = expected.GetDouble();
        Assert.Equal(api, double.Parse((await shown.GetAttributeAsync("data-value"))!, CultureInfo.InvariantCulture));
        AssertRounds(api, (await shown.TextContentAsync())!, field);
    }

    /// <summary>For numbers the page scales for display (a share shown in %): the text rounds <paramref name="expected"/>.</summary>
    private static async Task AssertNumberAsync(IPage page, string field, double expected)
    {
        var shown = Shown(page, field);
        Assert.Equal(1, await shown.CountAsync());
        AssertRounds(expected, (await shown.TextContentAsync())!, field);
    }

    /// <summary>The text is <paramref name="expected"/> rounded: within half a unit of its last digit.</summary>
    private static void AssertRounds(double expected, string text, string field)
    {
        string t = text.Replace('−', '-');
        double read = double.Parse(t, CultureInfo.InvariantCulture);
        int e = t.IndexOf('e', StringComparison.Ordinal);
        string mantissa = e < 0 ? t : t[..e];
        int exponent = e < 0 ? 0 : int.Parse(t[(e + 1)..], CultureInfo.InvariantCulture);
        int dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        int decimals = dot < 0 ? 0 : mantissa.Length - dot - 1;
        double halfUnit = 0.5 * Math.Pow(10, exponent - decimals);
        Assert.True(Math.Abs(read - expected) <= halfUnit * (1 + 1e-9), $"{field}: shown '{text}', the server says {expected:R}");
    }

    private async Task<JsonElement> PostAsync(string widget, object body)
    {
        using var client = new HttpClient { BaseAddress = new Uri(server.Address) };
        var response = await client.PostAsJsonAsync($"/api/learn/widgets/{widget}", body);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).Clone();
    }

    private static async Task CloseAsync(IPage page, List<string> errors)
    {
        Assert.Empty(LiveServer.Unexpected(errors));
        await page.Context.CloseAsync();
    }
}
