using System.Globalization;
using System.Text;
using Microsoft.Playwright;
using Xunit;

namespace Nonlinear.Web.Tests;

/// <summary>The upload box (playground/upload.js) in the real page: a file in, the table trained on, refusals shown.</summary>
[Collection(BrowserCollection.Name)]
public sealed class UploadPageTests(LiveServer server)
{
    private static byte[] Iris(int rows)
    {
        var rng = new Random(11);
        string[] species = ["setosa", "versicolor", "virginica"];
        var sb = new StringBuilder("sepal_length,sepal_width,petal_length,petal_width,species\n");
        for (int i = 0; i < rows; i++)
        {
            int k = i % 3;
            sb.Append(CultureInfo.InvariantCulture,
                $"{5 + 0.8 * k + 0.3 * rng.NextDouble():0.0},{3 + rng.NextDouble() * 0.5:0.0},{1.5 + 2 * k + 0.5 * rng.NextDouble():0.0},{0.2 + 0.9 * k + 0.3 * rng.NextDouble():0.0},{species[k]}\n");
        }

        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    [Fact]
    public async Task A_csv_file_is_uploaded_and_trained_on_with_two_columns_or_all_of_them()
    {
        var (page, errors) = await server.OpenAsync("/");
        await page.WaitForFunctionAsync("() => document.body.dataset.ready === 'true' && document.querySelector('.upload-drop')");
        await page.SetInputFilesAsync(".upload-drop input[type=file]", new FilePayload { Name = "iris.csv", MimeType = "text/csv", Buffer = Iris(120) });

        // The table is trained on at once, drawn on its first two columns.
        await page.WaitForFunctionAsync("() => location.hash.includes('dataset=csv') && location.hash.includes('csvFeatures=sepal_length,sepal_width')");
        Assert.Contains("iris.csv", await page.TextContentAsync(".upload-info"), StringComparison.Ordinal);
        Assert.Equal("species", await page.InputValueAsync("[data-upload=label]"));
        await page.WaitForSelectorAsync(".upload-confusion table");
        Assert.Equal(4, await page.Locator(".upload-confusion tr").CountAsync());

        await page.SelectOptionAsync("[data-upload=x]", "petal_length");
        await page.SelectOptionAsync("[data-upload=y]", "petal_width");
        await page.WaitForFunctionAsync("() => location.hash.includes('csvFeatures=petal_length,petal_width')");

        await page.SelectOptionAsync("[data-upload=plane]", "all");
        await page.WaitForFunctionAsync("() => location.hash.includes('dataset=csv') && !location.hash.includes('csvFeatures')");
        Assert.False(await page.IsVisibleAsync(".upload-pair"));

        // Training runs on every column: the confusion matrix counts the 60 test rows.
        await page.ClickAsync("#next-step-button");
        await page.WaitForFunctionAsync("() => Number(document.body.dataset.epoch) >= 1");
        await page.WaitForFunctionAsync(
            "() => /\\(60 points\\)/.test(document.querySelector('.upload-confusion')?.textContent || '')");

        // Back to a generated dataset: the box offers the table again.
        await page.ClickAsync(".dataset[data-dataset=circle]");
        await page.WaitForFunctionAsync("() => location.hash.includes('dataset=circle')");
        Assert.True(await page.IsVisibleAsync(".upload-use"));
        await page.ClickAsync(".upload-use");
        await page.WaitForFunctionAsync("() => location.hash.includes('dataset=csv')");
        Assert.Empty(LiveServer.Unexpected(errors));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_malformed_file_is_refused_with_the_line_and_column_in_the_message_bar()
    {
        var (page, errors) = await server.OpenAsync("/");
        await page.WaitForFunctionAsync("() => document.body.dataset.ready === 'true' && document.querySelector('.upload-drop')");
        var bad = Encoding.UTF8.GetBytes("a,b,label\n1,2,x\n3,four,y\n");
        await page.SetInputFilesAsync(".upload-drop input[type=file]", new FilePayload { Name = "bad.csv", MimeType = "text/csv", Buffer = bad });
        var message = page.Locator(".message.error");
        await message.WaitForAsync();
        string text = (await message.TextContentAsync())!;
        Assert.Contains("bad.csv, line 3", text, StringComparison.Ordinal);
        Assert.Contains("'b' (column 1)", text, StringComparison.Ordinal);
        Assert.DoesNotContain("dataset=csv", await page.EvaluateAsync<string>("() => location.hash"), StringComparison.Ordinal);
        // The refused request is the only console error (the browser logs every 4xx).
        Assert.Empty(LiveServer.Unexpected(errors, "/api/uploads"));
        await page.Context.CloseAsync();
    }
}
