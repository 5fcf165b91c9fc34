using System.Globalization;
using Microsoft.Playwright;
using Xunit;

namespace Nonlinear.Web.Tests;

/// <summary>The Model tab (model/model.js) in the real page: a model file in, its layers, advice and results shown; refusals shown.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ModelBrowserTests(LiveServer server)
{
    [Fact]
    public async Task A_model_file_opened_in_the_model_tab_shows_its_layers_advice_accuracy_and_diagnostics()
    {
        // Two dense layers with nothing between them (linear collapse: the advisor warns), trained one epoch.
        byte[] bytes = TestModelFiles.Fashion("flatten,dense:32,dense:32,relu,dense:10");
        var (page, errors) = await server.OpenAsync();
        await page.ClickAsync("[data-tab=model]");
        var view = page.Locator("#model-view");
        await view.Locator("[data-out=drop]").WaitForAsync();

        // A damaged file first: the server's message is shown, nothing else.
        await page.SetInputFilesAsync("#model-view input[type=file]", new FilePayload { Name = "cut.nlm", MimeType = "application/octet-stream", Buffer = bytes[..100] });
        var message = view.Locator("[data-out=message][data-kind=error]");
        await Assertions.Expect(message).ToContainTextAsync("cut.nlm");
        await Assertions.Expect(view.Locator("[data-out=main]")).ToBeHiddenAsync();

        await page.SetInputFilesAsync("#model-view input[type=file]", new FilePayload { Name = "fashion.nlm", MimeType = "application/octet-stream", Buffer = bytes });
        await Assertions.Expect(view.Locator("[data-out=summary]")).ToContainTextAsync("fashion.nlm");
        await Assertions.Expect(message).ToBeHiddenAsync();
        // The layers: the input row and the model's five layers, the advised one marked.
        await Assertions.Expect(view.Locator("[data-out=layers] tbody tr")).ToHaveCountAsync(6);
        await Assertions.Expect(view.Locator("[data-out=advice] .model-advice-item[data-code=linear-collapse]")).ToHaveCountAsync(1);
        await Assertions.Expect(view.Locator("[data-out=layers] tr.advised")).Not.ToHaveCountAsync(0);

        // The evaluation: accuracy, a full confusion matrix, examples and a diagnostics row per layer.
        await page.WaitForFunctionAsync("() => document.getElementById('model-view').dataset.state === 'evaluated'", null, new PageWaitForFunctionOptions { Timeout = 30_000 });
        double accuracy = double.Parse(await view.GetAttributeAsync("data-accuracy") ?? "0", CultureInfo.InvariantCulture);
        Assert.InRange(accuracy, 0.5, 1);
        await Assertions.Expect(view.Locator("[data-out=accuracy]")).ToHaveTextAsync($"{(accuracy * 100).ToString("0.0", CultureInfo.InvariantCulture)}%");
        await Assertions.Expect(view.Locator("table.confusion")).ToHaveAttributeAsync("data-total", "500");
        Assert.InRange(await view.Locator("[data-out=examples] .gallery-item").CountAsync(), 9, 12);
        await Assertions.Expect(view.Locator("[data-out=diagnostics] tbody tr")).ToHaveCountAsync(5);

        string screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(screenshots);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(screenshots, "model-tab.png"), FullPage = true });
        // The refused upload is the only console error (the browser logs every 4xx).
        Assert.Empty(LiveServer.Unexpected(errors, "/api/models"));
        await page.Context.CloseAsync();
    }
}
