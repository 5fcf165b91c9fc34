using System.Globalization;
using Microsoft.Playwright;
using Xunit;

namespace Nonlinear.Web.Tests;

/// <summary>The playground page against the real server: training, TF Playground links, the network editor, refusals.</summary>
[Collection(BrowserCollection.Name)]
public sealed class PlaygroundPageTests(LiveServer server)
{
    /// <summary>A TF Playground link whose values all differ from our defaults, so each control shows it read the link.</summary>
    private const string TfLink =
        "#activation=relu&batchSize=7&dataset=xor&regDataset=reg-plane&learningRate=0.3&regularizationRate=0.003&noise=15"
        + "&networkShape=5,3,2&seed=0.1&showTestData=true&discretize=true&percTrainData=70&x=true&y=true&xTimesY=true"
        + "&xSquared=false&ySquared=false&cosX=false&sinX=false&cosY=false&sinY=false&collectStats=false&problem=classification"
        + "&initZero=false&hideText=true&regularization=L2&noise_hide=true";

    private static readonly string Screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots");

    [Fact]
    public async Task Play_trains_the_network_so_the_loss_falls_and_the_output_changes()
    {
        var (page, errors) = await OpenAsync("/");
        double before = await NumberAsync(page, "#loss-train");
        string pictureBefore = await OutputPictureAsync(page);

        await page.SelectOptionAsync("#speed", "0");
        await page.ClickAsync("#play-pause-button");
        await page.WaitForFunctionAsync("() => Number(document.body.dataset.epoch) >= 150", null, new() { Timeout = 8000 });
        await page.ClickAsync("#play-pause-button");
        await page.WaitForFunctionAsync("() => document.body.dataset.status === 'paused'");

        double after = await NumberAsync(page, "#loss-train");
        Assert.True(after < 0.8 * before, $"the training loss fell from {before} to {after}");
        Assert.NotEqual(pictureBefore, await OutputPictureAsync(page));
        int curvePoints = int.Parse((await page.GetAttributeAsync("#loss-curve", "data-points"))!, CultureInfo.InvariantCulture);
        Assert.True(curvePoints > 1, $"the loss curve has {curvePoints} points");
        await SaveScreenshotAsync(page, "playground.png");
        AssertNoErrors(errors);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_TF_Playground_link_opens_the_same_experiment()
    {
        var (page, errors) = await OpenAsync("/" + TfLink);

        // Read by today's parser.
        Assert.Equal("relu", await page.InputValueAsync("#activation"));
        Assert.Equal("0.3", await page.InputValueAsync("#learning-rate"));

        // Read once PlaygroundState parses every TF Playground parameter.
        Assert.Equal("true", await page.GetAttributeAsync(".dataset[data-dataset=xor]", "aria-pressed"));
        Assert.Equal("7", await page.InputValueAsync("#batch-size"));
        Assert.Equal("70", await page.InputValueAsync("#perc-train-data"));
        Assert.Equal("L2", await page.InputValueAsync("#regularization"));
        Assert.Equal("0.003", await page.InputValueAsync("#regularization-rate"));
        Assert.Equal("classification", await page.InputValueAsync("#problem"));
        Assert.True(await page.IsCheckedAsync("#show-test-data"));
        Assert.True(await page.IsCheckedAsync("#discretize"));
        Assert.Equal(["5 neurons", "3 neurons", "2 neurons"], await page.Locator(".layer-controls .count").AllTextContentsAsync());
        Assert.Equal(["x", "y", "xTimesY"], await page.Locator(".node.feature.active").EvaluateAllAsync<string[]>("nodes => nodes.map(n => n.dataset.feature)"));
        Assert.False(await page.IsVisibleAsync("#noise"), "noise_hide=true hides the noise slider");
        Assert.False(await page.IsVisibleAsync("#article"), "hideText=true hides the text");
        Assert.Contains("dataset=xor", await page.EvaluateAsync<string>("() => location.hash"), StringComparison.Ordinal);

        await SaveScreenshotAsync(page, "tf-link.png");
        AssertNoErrors(errors);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Layers_neurons_features_and_weights_are_edited_on_the_drawing()
    {
        var (page, errors) = await OpenAsync("/");
        var layerControls = page.Locator(".layer-controls");
        Assert.Equal(2, await layerControls.CountAsync());

        await page.ClickAsync("#add-layer");
        await Expect(() => layerControls.CountAsync(), 3);
        Assert.Equal("3 hidden layers", await page.TextContentAsync("#num-layers"));

        await page.ClickAsync(".layer-controls[data-layer='0'] .add-neuron");
        await Expect(() => page.Locator(".node.neuron[data-layer='0']").CountAsync(), 5);

        await page.ClickAsync("#remove-layer");
        await Expect(() => layerControls.CountAsync(), 2);

        await page.ClickAsync(".node.feature[data-feature='xSquared']");
        await Expect(() => page.Locator("path.link[data-link^='0:']").CountAsync(), 3 * 5);

        // Hover a weight, click it, type a value: the next frame carries the engine's new weight.
        var link = page.Locator("path.link-hit[data-link='0:0:0']");
        await link.DispatchEventAsync("mouseenter");
        Assert.Contains("Weight is", await page.TextContentAsync("#hovercard"), StringComparison.Ordinal);
        await link.DispatchEventAsync("click");
        await page.FillAsync("#weight-input", "2.5");
        await page.PressAsync("#weight-input", "Enter");
        await page.WaitForFunctionAsync("() => document.querySelector(\"path.link[data-link='0:0:0']\").dataset.weight === '2.5'");

        // A refused edit shows the server's reason in the message bar.
        await link.DispatchEventAsync("click");
        await page.FillAsync("#weight-input", "1e9");
        await page.PressAsync("#weight-input", "Enter");
        var error = page.Locator(".message.error");
        await error.WaitForAsync();
        Assert.Contains("not a usable weight", await error.TextContentAsync(), StringComparison.Ordinal);

        AssertNoErrors(errors, refusedPath: "/weight");
        await page.Context.CloseAsync();
    }

    private async Task<(IPage Page, List<string> Errors)> OpenAsync(string path)
    {
        var (page, errors) = await server.OpenAsync(path);
        await page.WaitForFunctionAsync("() => document.body.dataset.ready === 'true' && document.body.dataset.frame !== undefined", null, new() { Timeout = 8000 });
        return (page, errors);
    }

    private static async Task<double> NumberAsync(IPage page, string selector)
        => double.Parse((await page.GetAttributeAsync(selector, "data-value"))!, CultureInfo.InvariantCulture);

    private static Task<string> OutputPictureAsync(IPage page)
        => page.EvaluateAsync<string>("() => document.getElementById('output-heatmap').toDataURL()");

    private static async Task Expect(Func<Task<int>> count, int expected)
    {
        for (int i = 0; i < 100 && await count() != expected; i++)
        {
            await Task.Delay(50);
        }

        Assert.Equal(expected, await count());
    }

    private static async Task SaveScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(Screenshots);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, name) });
    }

    private static void AssertNoErrors(List<string> errors, string? refusedPath = null)
        => Assert.Empty(LiveServer.Unexpected(errors, refusedPath));
}
