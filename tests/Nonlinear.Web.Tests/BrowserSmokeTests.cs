using Xunit;

namespace Nonlinear.Web.Tests;

[Collection(BrowserCollection.Name)]
public sealed class BrowserSmokeTests(LiveServer server)
{
    [Fact]
    public async Task The_page_loads_from_the_embedded_files()
    {
        var (page, errors) = await server.OpenAsync();
        Assert.Contains("Nonlinear", await page.TitleAsync(), StringComparison.Ordinal);
        Assert.Empty(LiveServer.Unexpected(errors));
        await page.Context.CloseAsync();
    }
}
