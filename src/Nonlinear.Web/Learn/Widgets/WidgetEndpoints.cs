using Nonlinear.Web.Endpoints;

namespace Nonlinear.Web.Learn.Widgets;

/// <summary>
/// POST /api/learn/widgets/&lt;name&gt;: the numbers of the lessons' live widgets, each computed by the engine (the
/// page draws them and computes nothing). docs/learn-api.md lists the widgets and their attributes.
/// </summary>
internal static class WidgetEndpoints
{
    public static void MapLearnWidgets(this WebApplication web)
    {
        var app = web.MapGroup("/api/learn/widgets").WithRefusals();
        Map<ActivationWidgetRequest>(app, "activation", ActivationWidget.Answer);
        Map<TinyNetworkRequest>(app, "forward221", Forward221Widget.Answer);
        Map<CollapseWidgetRequest>(app, "collapse", CollapseWidget.Answer);
        Map<SoftmaxWidgetRequest>(app, "softmax", SoftmaxWidget.Answer);
        Map<DepthWidgetRequest>(app, "depth", DepthWidget.Answer);
        Map<BackpropWidgetRequest>(app, "backprop221", Backprop221Widget.Answer);
        Map<DyingWidgetRequest>(app, "dying", DyingWidget.Answer);
        Map<AdvisorWidgetRequest>(app, "advisor", AdvisorWidget.Answer);
    }

    private static void Map<T>(RouteGroupBuilder app, string name, Func<T, object> answer)
        where T : class
    {
        app.MapPost("/" + name, async (HttpRequest request) =>
        {
            var body = await RequestBody.ReadAsync<T>(request, WidgetInput.MaxBodyBytes).ConfigureAwait(false);
            return WidgetJson.Answer(answer(body));
        });
    }
}
