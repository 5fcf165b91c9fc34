using System.Globalization;
using Microsoft.Playwright;
using Xunit;

namespace Nonlinear.Web.Tests;

[Collection(BrowserCollection.Name)]
public sealed class ImageBrowserTests(LiveServer server)
{
    [Fact]
    public async Task The_images_tab_trains_fills_the_confusion_matrix_and_classifies_a_drawing()
    {
        var (page, errors) = await server.OpenAsync();
        await page.ClickAsync("[data-tab=images]");
        var view = page.Locator("#images-view");
        await Assertions.Expect(view.Locator(".gallery-item")).ToHaveCountAsync(24);
        await Assertions.Expect(view.Locator("table.confusion tbody tr")).ToHaveCountAsync(10);

        await view.Locator("[data-action=play]").ClickAsync();
        // Running: frames arrive, the test accuracy rises well above chance (0.1) and every test image is counted.
        await page.WaitForFunctionAsync(
            "() => { const v = document.getElementById('images-view'); return Number(v.dataset.testAccuracy) > 0.5 && Number(v.dataset.batches) > 20; }",
            null, new PageWaitForFunctionOptions { Timeout = 20_000 });
        await Assertions.Expect(view.Locator("table.confusion")).ToHaveAttributeAsync("data-total", "500");
        await view.Locator("[data-action=play]").ClickAsync();
        await page.WaitForFunctionAsync("() => document.getElementById('images-view').dataset.status === 'paused'");
        double accuracy = double.Parse(await view.GetAttributeAsync("data-test-accuracy") ?? "0", CultureInfo.InvariantCulture);
        Assert.InRange(accuracy, 0.5, 1);
        int right = int.Parse(await view.Locator("[data-out=gallery]").GetAttributeAsync("data-right") ?? "0", CultureInfo.InvariantCulture);
        Assert.InRange(right, 1, 24);
        Assert.True(int.Parse(await view.Locator("[data-chart=accuracy]").GetAttributeAsync("data-points") ?? "0", CultureInfo.InvariantCulture) >= 2);

        // Draw a rough trouser: two long strokes from a waistband, with the mouse.
        var pad = view.Locator("[data-out=pad]");
        var box = (await pad.BoundingBoxAsync())!;
        async Task Stroke(float x1, float y1, float x2, float y2)
        {
            await page.Mouse.MoveAsync(box.X + x1, box.Y + y1);
            await page.Mouse.DownAsync();
            await page.Mouse.MoveAsync(box.X + x2, box.Y + y2, new MouseMoveOptions { Steps = 12 });
            await page.Mouse.UpAsync();
        }

        await Stroke(95, 30, 185, 30);
        await Stroke(105, 35, 90, 260);
        await Stroke(175, 35, 190, 260);
        var bars = view.Locator("[data-out=bars]");
        await Assertions.Expect(bars).ToHaveAttributeAsync("data-predicted", new System.Text.RegularExpressions.Regex("^[0-9]$"));
        Assert.Equal(10, await bars.Locator(".img-bar").CountAsync());
        Assert.Equal(1, await bars.Locator(".img-bar.top").CountAsync());
        Assert.False(string.IsNullOrWhiteSpace(await view.Locator(".img-answer-class").TextContentAsync()));

        // A gallery image put on the pad is classified as the frame predicted it.
        var first = view.Locator(".gallery-item").First;
        string predicted = await first.GetAttributeAsync("data-predicted") ?? "";
        await first.Locator("button").ClickAsync();
        await Assertions.Expect(bars).ToHaveAttributeAsync("data-predicted", predicted);

        // For a person to look at (as the playground's tests do): bin/.../screenshots/images-tab.png.
        string screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(screenshots);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(screenshots, "images-tab.png"), FullPage = true });

        var unexpected = LiveServer.Unexpected(errors);
        Assert.True(unexpected.Count == 0, string.Join("\n", unexpected));
        await page.Context.CloseAsync();
    }
}
