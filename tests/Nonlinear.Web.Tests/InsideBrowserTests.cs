using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit;

namespace Nonlinear.Web.Tests;

/// <summary>The "inside the network" panel (playground/inside.js) in the real page, drawing what the server sends.</summary>
[Collection(BrowserCollection.Name)]
public sealed partial class InsideBrowserTests(LiveServer server)
{
    [Fact]
    public async Task With_relu_and_a_high_learning_rate_the_panel_shows_dead_units()
    {
        var (page, errors) = await OpenAsync("/#activation=relu&learningRate=3");
        await page.ClickAsync("#play-pause-button");
        await page.WaitForFunctionAsync(
            "() => [...document.querySelectorAll('#inside [data-measure=dead]')].some(m => Number(m.dataset.value) > 0)");
        var dead = page.Locator("#inside [data-measure=dead]").Filter(new LocatorFilterOptions { HasNotText = "—" });
        var shown = await dead.Locator(".measure-value").AllTextContentsAsync();
        Assert.Contains(shown, text => Percent().IsMatch(text) && text != "0%");

        // ReLU has no saturation: the cell says so instead of showing a number.
        var saturated = page.Locator("#inside .layer-card[data-layer='0'] [data-measure=saturated]");
        Assert.Equal("—", await saturated.Locator(".measure-value").TextContentAsync());
        Assert.Contains("Not measured for ReLU", await saturated.GetAttributeAsync("title"), StringComparison.Ordinal);
        await CloseAsync(page, errors);
    }

    [Fact]
    public async Task With_sigmoid_the_panel_shows_the_saturated_share_and_no_dead_share()
    {
        var (page, errors) = await OpenAsync("/#activation=sigmoid&learningRate=3");
        await page.ClickAsync("#play-pause-button");
        await page.WaitForFunctionAsync(
            "() => [...document.querySelectorAll('#inside [data-measure=saturated]')].some(m => Number(m.dataset.value) > 0)");
        var values = await page.Locator("#inside [data-measure=saturated] .measure-value").AllTextContentsAsync();
        Assert.All(values, text => Assert.Matches(Percent(), text));
        var dead = page.Locator("#inside .layer-card[data-layer='0'] [data-measure=dead]");
        Assert.Equal("—", await dead.Locator(".measure-value").TextContentAsync());
        Assert.Contains("Not measured for Sigmoid", await dead.GetAttributeAsync("title"), StringComparison.Ordinal);
        await CloseAsync(page, errors);
    }

    [Fact]
    public async Task Each_hidden_layer_draws_its_histogram_under_the_curve_the_engine_computed()
    {
        var (page, errors) = await OpenAsync("/#activation=tanh");
        var curveRequests = new List<string>();
        page.Request += (_, r) =>
        {
            if (r.Url.Contains("/api/activations/curve?spec=tanh", StringComparison.Ordinal))
            {
                curveRequests.Add(r.Url);
            }
        };
        await page.ClickAsync("#next-step-button");
        await page.WaitForFunctionAsync(
            "() => document.querySelectorAll('#inside svg.histogram path.curve').length === 2");
        foreach (var svg in await page.Locator("#inside svg.histogram").AllAsync())
        {
            var curve = svg.Locator("path.curve");
            // One read of the three attributes: the panel redraws the curve while training runs.
            var read = await curve.EvaluateAsync<string[]>("e => [e.getAttribute('data-points'), e.getAttribute('d'), e.getAttribute('data-spec')]");
            int points = int.Parse(read[0], System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(points > 10, $"{points} points");
            Assert.Equal(points, Regex.Count(read[1], "[ML]"));
            Assert.Equal("tanh", read[2]);
            Assert.True(await svg.Locator(".bins rect").CountAsync() > 0);
            Assert.True(long.Parse((await svg.Locator(".bins").GetAttributeAsync("data-total"))!, System.Globalization.CultureInfo.InvariantCulture) > 0);
        }

        Assert.NotEmpty(curveRequests);
        Assert.True(await page.Locator("#inside .flow-chart .flow-bar rect").CountAsync() >= 2);
        await CloseAsync(page, errors);
    }

    [Fact]
    public async Task An_identity_network_shows_the_affine_map_it_collapses_to_and_its_straight_boundary()
    {
        var (page, errors) = await OpenAsync("/#activation=identity");
        var formula = page.Locator("#inside .collapse:not([hidden]) .formula[data-output='0']");
        await formula.WaitForAsync();
        Assert.Matches(@"^z = \S+ [−+] \S+·x₁ [−+] \S+·x₂$", await formula.TextContentAsync());
        Assert.Contains("straight line", await page.Locator("#inside .collapse .boundary").TextContentAsync(), StringComparison.Ordinal);
        await CloseAsync(page, errors);
    }

    [Fact]
    public async Task The_card_shows_the_formula_of_the_default_activation_and_of_a_layer_the_user_clicks()
    {
        using var http = new HttpClient { BaseAddress = new Uri(server.Address) };
        var tanh = await http.GetFromJsonAsync<JsonElement>("/api/activations/tanh");
        var relu = await http.GetFromJsonAsync<JsonElement>("/api/activations/relu");
        var (page, errors) = await OpenAsync("/#activation=tanh");
        var formula = page.Locator("#inside [data-role=activation-card] [data-role=formula]");
        await Assertions.Expect(formula).ToHaveTextAsync($"f(x) = {tanh.GetProperty("formula").GetString()}");

        // Layer 1 gets its own activation in the network drawing; its chip in the panel opens its card.
        await page.SelectOptionAsync("select.layer-activation >> nth=0", "relu");
        var chip = page.Locator("#inside .layer-card[data-layer='0'] .activation-chip");
        await Assertions.Expect(chip).ToHaveTextAsync("ReLU");
        await chip.ClickAsync();
        await Assertions.Expect(formula).ToHaveTextAsync($"f(x) = {relu.GetProperty("formula").GetString()}");
        await Assertions.Expect(page.Locator("#inside [data-role=activation-card] [data-role=derivative]"))
            .ToHaveTextAsync($"f′(x) = {relu.GetProperty("derivative").GetString()}");
        await CloseAsync(page, errors);
    }

    private async Task<(IPage Page, List<string> Errors)> OpenAsync(string path)
    {
        var (page, errors) = await server.OpenAsync(path);
        await page.WaitForSelectorAsync("body[data-ready=true]");
        await page.WaitForSelectorAsync("#inside .inside-grid");
        return (page, errors);
    }

    private static async Task CloseAsync(IPage page, List<string> errors)
    {
        Assert.Empty(LiveServer.Unexpected(errors));
        await page.Context.CloseAsync();
    }

    [GeneratedRegex(@"^(\d{1,3}%|<1%)$")]
    private static partial Regex Percent();
}
