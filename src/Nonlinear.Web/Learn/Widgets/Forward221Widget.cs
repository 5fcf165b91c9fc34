namespace Nonlinear.Web.Learn.Widgets;

/// <summary>The forward221 widget: the engine's forward pass through a 2-2-1 network, every z and a.</summary>
internal static class Forward221Widget
{
    public static object Answer(TinyNetworkRequest body)
    {
        var network = TinyNetwork.From(body, elementwise: false, out var x);
        var f = network.Forward(x);
        return new
        {
            hidden = network.Hidden.Spec,
            output = network.Output.Spec,
            x,
            zHidden = f.ZHidden,
            aHidden = f.AHidden,
            zOut = f.ZOut,
            yHat = f.YHat,
        };
    }
}
