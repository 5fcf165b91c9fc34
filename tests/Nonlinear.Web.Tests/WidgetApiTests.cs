using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Xunit;

namespace Nonlinear.Web.Tests;

/// <summary>
/// POST /api/learn/widgets/&lt;name&gt;: each widget's numbers against an independent float64 computation written here
/// from the formulas, and every bad input refused with a 400 that names it.
/// </summary>
public sealed class WidgetApiTests(WebAppFactory factory) : IClassFixture<WebAppFactory>
{
    private static readonly double[] X = [0.5, -1];
    private static readonly double[][] W1 = [[0.4, -0.6], [0.8, 0.3]];
    private static readonly double[] B1 = [0.1, -0.2];
    private static readonly double[] W2 = [1.2, -0.7];
    private const double B2 = 0.05;

    [Theory]
    [InlineData("sigmoid", 1.0)]
    [InlineData("sigmoid", -3.5)]
    [InlineData("tanh", 0.7)]
    [InlineData("tanh", -2.25)]
    [InlineData("relu", 1.5)]
    [InlineData("relu", -1.5)]
    [InlineData("leaky_relu:0.1", -2.0)]
    [InlineData("leaky_relu:0.1", 3.0)]
    public async Task Activation_value_and_derivative_match_float64(string spec, double x)
    {
        var a = await PostAsync("activation", new { spec, x });
        Close(F(spec, x), a.GetProperty("value").GetDouble(), 1e-6, "f(x)");
        Close(Df(spec, x), a.GetProperty("derivative").GetDouble(), 1e-6, "f'(x)");

        // The reference is taken at the float32 x the engine saw.
        double seen = (float)x;
        var reference = a.GetProperty("reference");
        Close(F(spec, seen), reference.GetProperty("value").GetDouble(), 1e-12, "reference f(x)");
        Close(Df(spec, seen), reference.GetProperty("derivative").GetDouble(), 1e-12, "reference f'(x)");
    }

    [Fact]
    public async Task Activation_notes_saturation_and_the_largest_derivative()
    {
        var tail = await PostAsync("activation", new { spec = "sigmoid", x = 6 });
        Assert.True(Df("sigmoid", 6) < 0.01);
        Assert.True(tail.GetProperty("saturated").GetBoolean());
        var centre = await PostAsync("activation", new { spec = "sigmoid", x = 0.5 });
        Assert.False(centre.GetProperty("saturated").GetBoolean());

        var peak = centre.GetProperty("derivativeMax");
        Close(0.25, peak.GetProperty("value").GetDouble(), 1e-6, "max sigmoid'");
        Assert.Equal(0, peak.GetProperty("x").GetDouble(), 6);
        var tanh = await PostAsync("activation", new { spec = "tanh", x = 0 });
        Close(1, tanh.GetProperty("derivativeMax").GetProperty("value").GetDouble(), 1e-6, "max tanh'");
    }

    [Fact]
    public async Task Activation_parameters_come_with_slider_ranges_and_change_the_values()
    {
        var a = await PostAsync("activation", new { spec = "leaky_relu:alpha=0.25", x = -2 });
        Assert.Equal("leaky_relu:0.25", a.GetProperty("spec").GetString());
        Close(-0.5, a.GetProperty("value").GetDouble(), 1e-7, "f(-2)");
        Close(0.25, a.GetProperty("derivative").GetDouble(), 1e-7, "f'(-2)");
        var alpha = Assert.Single(a.GetProperty("parameters").EnumerateArray());
        Assert.Equal("alpha", alpha.GetProperty("name").GetString());
        Assert.InRange(0.25, alpha.GetProperty("min").GetDouble(), alpha.GetProperty("max").GetDouble());
        Assert.Empty((await PostAsync("activation", new { spec = "tanh", x = 0 })).GetProperty("parameters").EnumerateArray());
    }

    [Theory]
    [InlineData("sigmoid", "sigmoid")]
    [InlineData("tanh", "identity")]
    [InlineData("relu", "sigmoid")]
    [InlineData("leaky_relu:0.1", "tanh")]
    public async Task Forward221_returns_every_intermediate_of_the_forward_pass(string hidden, string output)
    {
        var a = await PostAsync("forward221", Network(hidden, output));
        var (zh, ah, zo, y) = Forward(hidden, output);
        for (int j = 0; j < 2; j++)
        {
            Close(zh[j], a.GetProperty("zHidden")[j].GetDouble(), 1e-6, $"z_h{j + 1}");
            Close(ah[j], a.GetProperty("aHidden")[j].GetDouble(), 1e-6, $"a_h{j + 1}");
        }

        Close(zo, a.GetProperty("zOut").GetDouble(), 1e-6, "z_out");
        Close(y, a.GetProperty("yHat").GetDouble(), 1e-6, "y hat");
    }

    [Fact]
    public async Task Collapse_gives_W2W1_and_W2b1_plus_b2_and_both_forms_agree_on_every_point()
    {
        double[][] w1 = [[0.5, -1], [2, 0.25]];
        double[] b1 = [0.5, -1], w2 = [1.5, -2];
        const double b2 = 0.25;
        double[][] points = [[0, 0], [1, 1], [-3, 2.5], [10, -4]];
        var a = await PostAsync("collapse", new { w1, b1, w2, b2, points });

        double[] wPrime = [w2[0] * w1[0][0] + w2[1] * w1[1][0], w2[0] * w1[0][1] + w2[1] * w1[1][1]];
        double bPrime = w2[0] * b1[0] + w2[1] * b1[1] + b2;
        Close(wPrime[0], a.GetProperty("wPrime")[0].GetDouble(), 1e-7, "W' [0]");
        Close(wPrime[1], a.GetProperty("wPrime")[1].GetDouble(), 1e-7, "W' [1]");
        Close(bPrime, a.GetProperty("bPrime").GetDouble(), 1e-7, "b'");

        var rows = a.GetProperty("points");
        Assert.Equal(points.Length, rows.GetArrayLength());
        for (int i = 0; i < points.Length; i++)
        {
            double[] x = points[i];
            double h0 = w1[0][0] * x[0] + w1[0][1] * x[1] + b1[0], h1 = w1[1][0] * x[0] + w1[1][1] * x[1] + b1[1];
            double two = w2[0] * h0 + w2[1] * h1 + b2;
            double one = wPrime[0] * x[0] + wPrime[1] * x[1] + bPrime;
            Close(two, rows[i].GetProperty("twoLayers").GetDouble(), 1e-5, $"two layers at point {i}");
            Close(one, rows[i].GetProperty("oneLayer").GetDouble(), 1e-5, $"one layer at point {i}");
            Assert.True(rows[i].GetProperty("difference").GetDouble() < 1e-4);
        }
    }

    [Theory]
    [InlineData(new[] { 2.0, 1.0, 0.1 }, 1.0)]
    [InlineData(new[] { 3.0, -1.0, 0.5, 2.0 }, 0.5)]
    [InlineData(new[] { -4.0, 4.0, 0.0, 1.0, 2.0 }, 4.0)]
    public async Task Softmax_matches_float64_at_every_temperature(double[] logits, double temperature)
    {
        var a = await PostAsync("softmax", new { logits, temperature });
        var expected = Softmax(logits.Select(z => z / temperature).ToArray());
        var p = a.GetProperty("probabilities");
        for (int i = 0; i < logits.Length; i++)
        {
            Close(expected[i], p[i].GetDouble(), 1e-6, $"p{i + 1}");
            Close(Math.Exp(logits[i] / temperature - logits.Max() / temperature), a.GetProperty("stable").GetProperty("exps")[i].GetDouble(), 1e-6, $"shifted exp {i + 1}");
        }

        Assert.False(a.GetProperty("naive").GetProperty("fails").GetBoolean());
    }

    [Fact]
    public async Task The_naive_softmax_overflows_to_infinity_for_logits_of_1000_and_the_engine_does_not()
    {
        double[] logits = [1000, 999, 998];
        var a = await PostAsync("softmax", new { logits, temperature = 1 });
        var naive = a.GetProperty("naive");
        Assert.True(naive.GetProperty("fails").GetBoolean());
        Assert.All(naive.GetProperty("exps").EnumerateArray(), e => Assert.Equal("Infinity", e.GetString()));
        Assert.All(naive.GetProperty("probabilities").EnumerateArray(), e => Assert.Equal("NaN", e.GetString()));
        var expected = Softmax(logits);
        for (int i = 0; i < 3; i++)
        {
            Close(expected[i], a.GetProperty("probabilities")[i].GetDouble(), 1e-6, $"p{i + 1}");
        }

        Assert.Equal(0, a.GetProperty("stable").GetProperty("shifted")[0].GetDouble());
    }

    [Theory]
    [InlineData("sigmoid", "sigmoid")]
    [InlineData("tanh", "sigmoid")]
    [InlineData("relu", "identity")]
    public async Task Backprop_chain_product_equals_the_engine_gradient_and_a_finite_difference(string hidden, string output)
    {
        const double target = 1;
        var grads = Gradients(hidden, output, target);
        foreach (var (layer, to, from, expected) in grads)
        {
            var body = new { x = X, w1 = W1, b1 = B1, w2 = W2, b2 = B2, hidden, output, target, layer, to, from };
            var a = await PostAsync("backprop221", body);
            string what = $"{hidden}/{output} layer {layer} to {to} from {from}";
            // Each factor is a float32 (its JSON is the shortest text that reads back as that float).
            double product = a.GetProperty("factors").EnumerateArray().Aggregate(1.0, (p, f) => p * (float)f.GetProperty("value").GetDouble());
            Close(product, a.GetProperty("product").GetDouble(), 1e-12, $"{what}: product of the factors");
            Close(expected, a.GetProperty("product").GetDouble(), 1e-5, $"{what}: chain rule");
            Close(expected, a.GetProperty("engineGradient").GetDouble(), 1e-5, $"{what}: engine");
            Close(expected, a.GetProperty("finiteDifference").GetDouble(), 3e-4, $"{what}: finite difference");
            Assert.Equal(layer == 1 ? 5 : 3, a.GetProperty("factors").GetArrayLength());
        }
    }

    [Fact]
    public async Task Backprop_reports_the_loss_and_the_factor_values()
    {
        var a = await PostAsync("backprop221", new { x = X, w1 = W1, b1 = B1, w2 = W2, b2 = B2, hidden = "tanh", output = "sigmoid", target = 0.25, layer = 1, to = 0, from = 1 });
        var (zh, _, zo, y) = Forward("tanh", "sigmoid");
        Close((y - 0.25) * (y - 0.25), a.GetProperty("loss").GetDouble(), 1e-6, "loss");
        var f = a.GetProperty("factors");
        Close(2 * (y - 0.25), f[0].GetProperty("value").GetDouble(), 1e-6, "dL/dy");
        Close(Df("sigmoid", zo), f[1].GetProperty("value").GetDouble(), 1e-6, "f'(z_out)");
        Close(W2[0], f[2].GetProperty("value").GetDouble(), 1e-7, "v1");
        Close(Df("tanh", zh[0]), f[3].GetProperty("value").GetDouble(), 1e-6, "g'(z1)");
        Close(X[1], f[4].GetProperty("value").GetDouble(), 1e-7, "x2");
    }

    [Fact]
    public async Task Depth_sigmoid_gradients_shrink_toward_the_input_and_relu_with_he_keeps_them()
    {
        var sigmoid = await PostAsync("depth", new { activation = "sigmoid", layers = 12, init = "xavier" });
        var s = Norms(sigmoid);
        Assert.Equal(13, s.Length);
        Assert.True(s[0] < 1e-4 * s[^1], $"sigmoid: layer 1 {s[0]} against the output layer {s[^1]}");

        // The trend through depth: every 3 layers closer to the input, the norm is smaller.
        for (int i = 0; i + 3 < 12; i++)
        {
            Assert.True(s[i] < s[i + 3], $"sigmoid: layer {i + 1} has {s[i]}, layer {i + 4} has {s[i + 3]}");
        }

        var relu = await PostAsync("depth", new { activation = "relu", layers = 12, init = "he" });
        var r = Norms(relu);
        double sigmoidRatio = sigmoid.GetProperty("ratio").GetDouble(), reluRatio = relu.GetProperty("ratio").GetDouble();
        Assert.True(reluRatio > 0.05, $"relu + he: first/last = {reluRatio}");
        Assert.True(reluRatio > 1000 * sigmoidRatio);
        Assert.Equal(r[0] / r[^1], reluRatio, 6);

        foreach (var g in sigmoid.GetProperty("gradients").EnumerateArray().Where(g => !g.GetProperty("output").GetBoolean()))
        {
            Assert.InRange(g.GetProperty("derivativeMean").GetDouble(), 0.0, 0.25);
        }

        foreach (var g in relu.GetProperty("gradients").EnumerateArray().Where(g => !g.GetProperty("output").GetBoolean()))
        {
            Assert.InRange(g.GetProperty("derivativeMean").GetDouble(), 0.05, 1.0);
        }
    }

    [Fact]
    public async Task Depth_with_a_large_normal_init_explodes()
    {
        var he = Norms(await PostAsync("depth", new { activation = "relu", layers = 10, init = "he" }));
        var large = await PostAsync("depth", new { activation = "relu", layers = 10, init = "normal", sigma = 1 });
        Assert.Equal(1, large.GetProperty("sigma").GetDouble());
        var n = Norms(large);
        Assert.True(n[0] > 1e6 * he[0], $"normal(1) layer 1: {n[0]}, He: {he[0]}");
    }

    [Fact]
    public async Task Dying_relu_units_die_with_a_large_step_and_leaky_ones_keep_learning()
    {
        var a = await PostAsync("dying", new { dataset = "circle", learningRate = 0.3, epochs = 12, alpha = 0.1, seed = 1 });
        var relu = a.GetProperty("runs")[0];
        var leaky = a.GetProperty("runs")[1];
        Assert.Equal("relu", relu.GetProperty("activation").GetString());
        Assert.Equal("leaky_relu:0.1", leaky.GetProperty("activation").GetString());
        Assert.Equal(12, relu.GetProperty("loss").GetArrayLength());
        Assert.Equal(12, relu.GetProperty("deadShare").GetArrayLength());

        double reluDead = relu.GetProperty("deadShare")[11].GetDouble();
        Assert.True(reluDead >= 0.25, $"relu dead share {reluDead}");
        Assert.All(leaky.GetProperty("deadShare").EnumerateArray(), d => Assert.Equal(0, d.GetDouble()));
        Assert.True(leaky.GetProperty("negativeShare")[11].GetDouble() < reluDead);
        Assert.True(leaky.GetProperty("loss")[11].GetDouble() < relu.GetProperty("loss")[11].GetDouble());

        // The same question gives the same answer (cached, and the training is seeded).
        var again = await PostAsync("dying", new { dataset = "circle", learningRate = 0.3, epochs = 12, alpha = 0.1, seed = 1 });
        Assert.Equal(a.GetRawText(), again.GetRawText());
    }

    [Fact]
    public async Task Advisor_lists_its_advice_and_is_silent_on_a_sound_model()
    {
        var collapse = await PostAsync("advisor", new { spec = "dense:8,dense:4,relu,dense:1", task = "binary" });
        Assert.Contains(collapse.GetProperty("advice").EnumerateArray(), a => a.GetProperty("code").GetString() == "linear-collapse");
        var first = collapse.GetProperty("advice")[0];
        Assert.False(string.IsNullOrWhiteSpace(first.GetProperty("message").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(first.GetProperty("fix").GetString()));

        var hidden = await PostAsync("advisor", new { spec = "dense:8,softmax,dense:3", task = "multiclass" });
        Assert.Contains(hidden.GetProperty("advice").EnumerateArray(), a => a.GetProperty("code").GetString() == "hidden-softmax");

        var sound = await PostAsync("advisor", new { spec = "dense:8,relu,dense:1", task = "binary" });
        Assert.Empty(sound.GetProperty("advice").EnumerateArray());
    }

    [Theory]
    [InlineData("activation", """{"spec":"sigmod","x":1}""", "sigmoid")]
    [InlineData("activation", """{"spec":"softmax","x":1}""", "softmax")]
    [InlineData("activation", """{"spec":"sigmoid","x":1e9}""", "x")]
    [InlineData("activation", """{"spec":"sigmoid"}""", "x")]
    [InlineData("activation", """{"spec":"sigmoid","x":1,"from":2,"to":1}""", "from")]
    [InlineData("activation", """{"spec":"leaky_relu:alpha=7","x":1}""", "alpha")]
    [InlineData("forward221", """{"x":[1],"w1":[[1,1],[1,1]],"b1":[0,0],"w2":[1,1],"b2":0}""", "x")]
    [InlineData("forward221", """{"x":[1,2],"w1":[[1,1]],"b1":[0,0],"w2":[1,1],"b2":0}""", "w1")]
    [InlineData("forward221", """{"x":[1,2],"w1":[[1,1],[1,1]],"b1":[0,0],"w2":[1,1],"b2":1e7}""", "b2")]
    [InlineData("forward221", """{"x":[1,2],"w1":[[1,1],[1,1]],"b1":[0,0],"w2":[1,1],"b2":0,"hidden":"nope"}""", "hidden")]
    [InlineData("backprop221", """{"x":[1,2],"w1":[[1,1],[1,1]],"b1":[0,0],"w2":[1,1],"b2":0,"target":1,"layer":3}""", "layer")]
    [InlineData("backprop221", """{"x":[1,2],"w1":[[1,1],[1,1]],"b1":[0,0],"w2":[1,1],"b2":0,"target":1,"layer":1,"to":0,"from":2}""", "from")]
    [InlineData("backprop221", """{"x":[1,2],"w1":[[1,1],[1,1]],"b1":[0,0],"w2":[1,1],"b2":0,"target":1,"hidden":"softmax"}""", "softmax")]
    [InlineData("backprop221", """{"x":[1,2],"w1":[[1,1],[1,1]],"b1":[0,0],"w2":[1,1],"b2":0}""", "target")]
    [InlineData("collapse", """{"w1":[[1,1],[1,1]],"b1":[0,0],"w2":[1,1],"b2":0,"points":[[1,1],[1,1],[1,1],[1,1],[1,1],[1,1],[1,1],[1,1],[1,1]]}""", "points")]
    [InlineData("collapse", """{"w1":[[1,1],[1,1]],"b1":[0,0],"w2":[1,1,1],"b2":0}""", "w2")]
    [InlineData("softmax", """{"logits":[1]}""", "logits")]
    [InlineData("softmax", """{"logits":[1,2,3],"temperature":0}""", "temperature")]
    [InlineData("softmax", """{"logits":[1,2,1e300]}""", "logits[2]")]
    [InlineData("depth", """{"activation":"relu","layers":25}""", "layers")]
    [InlineData("depth", """{"activation":"relu","init":"zeros"}""", "init")]
    [InlineData("depth", """{"activation":"relu","init":"normal","sigma":-1}""", "sigma")]
    [InlineData("depth", """{"activation":"log_softmax"}""", "activation")]
    [InlineData("dying", """{"learningRate":50}""", "learningRate")]
    [InlineData("dying", """{"dataset":"moons"}""", "dataset")]
    [InlineData("dying", """{"epochs":1000}""", "epochs")]
    [InlineData("advisor", """{"spec":"dense:8,foo,dense:1"}""", "foo")]
    [InlineData("advisor", """{"spec":""}""", "spec")]
    [InlineData("advisor", """{"spec":"dense:8","task":"poetry"}""", "task")]
    [InlineData("softmax", """{"logits":"many"}""", "logits")]
    [InlineData("softmax", "not json", "softmax")]
    [InlineData("depth", """{"layers":2.5}""", "layers")]
    public async Task Bad_input_is_a_400_that_names_it(string widget, string body, string word)
    {
        using var client = factory.CreateClient();
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        var response = await client.PostAsync($"/api/learn/widgets/{widget}", content);
        await Problems.AssertAsync(response, HttpStatusCode.BadRequest, word);
    }

    [Fact]
    public async Task No_widget_answers_odd_input_with_a_server_error()
    {
        using var client = factory.CreateClient();
        string[] widgets = ["activation", "forward221", "collapse", "softmax", "depth", "backprop221", "dying", "advisor"];
        string[] bodies = ["{}", "[]", "null", "\"x\"", "{\"x\":null,\"spec\":null}", "{\"logits\":[null,1,2]}", "{\"w1\":[[1,2],null]}", "{\"spec\":\"dense:0\"}"];
        foreach (string widget in widgets)
        {
            foreach (string body in bodies)
            {
                using var content = new StringContent(body, Encoding.UTF8, "application/json");
                var response = await client.PostAsync($"/api/learn/widgets/{widget}", content);
                Assert.True((int)response.StatusCode < 500, $"{widget} {body}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        }

        var oversized = await client.PostAsync("/api/learn/widgets/advisor", new StringContent(new string(' ', 20_000) + "{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, oversized.StatusCode);
    }

    private async Task<JsonElement> PostAsync(string widget, object body)
    {
        using var client = factory.CreateClient();
        var response = await client.PostAsJsonAsync($"/api/learn/widgets/{widget}", body);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{widget}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static object Network(string hidden, string output) => new { x = X, w1 = W1, b1 = B1, w2 = W2, b2 = B2, hidden, output };

    private static double[] Norms(JsonElement depth)
        => [.. depth.GetProperty("gradients").EnumerateArray().Select(g => g.GetProperty("gradientNorm").GetDouble())];

    private static void Close(double expected, double actual, double tolerance, string what)
    {
        double scale = Math.Max(1, Math.Abs(expected));
        Assert.True(Math.Abs(expected - actual) <= tolerance * scale, $"{what}: expected {expected:R}, got {actual:R} (tolerance {tolerance})");
    }

    // Float64 from the formulas: the independent reference of these tests.
    private static double F(string spec, double x) => spec switch
    {
        "sigmoid" => 1 / (1 + Math.Exp(-x)),
        "tanh" => Math.Tanh(x),
        "relu" => Math.Max(0, x),
        "leaky_relu:0.1" => x > 0 ? x : 0.1 * x,
        "identity" => x,
        _ => throw new ArgumentException(spec),
    };

    private static double Df(string spec, double x) => spec switch
    {
        "sigmoid" => F(spec, x) * (1 - F(spec, x)),
        "tanh" => 1 - Math.Tanh(x) * Math.Tanh(x),
        "relu" => x > 0 ? 1 : 0,
        "leaky_relu:0.1" => x > 0 ? 1 : 0.1,
        "identity" => 1,
        _ => throw new ArgumentException(spec),
    };

    private static (double[] Zh, double[] Ah, double Zo, double Y) Forward(string hidden, string output)
    {
        double[] zh = [W1[0][0] * X[0] + W1[0][1] * X[1] + B1[0], W1[1][0] * X[0] + W1[1][1] * X[1] + B1[1]];
        double[] ah = [F(hidden, zh[0]), F(hidden, zh[1])];
        double zo = W2[0] * ah[0] + W2[1] * ah[1] + B2;
        return (zh, ah, zo, F(output, zo));
    }

    /// <summary>dL/dp for every parameter (layer, to, from; from -1 a bias) of L = (ŷ − y)², by the chain rule in float64.</summary>
    private static List<(int Layer, int To, int From, double Gradient)> Gradients(string hidden, string output, double target)
    {
        var (zh, ah, zo, y) = Forward(hidden, output);
        double dzo = 2 * (y - target) * Df(output, zo);
        var list = new List<(int, int, int, double)>();
        for (int j = 0; j < 2; j++)
        {
            double dzh = dzo * W2[j] * Df(hidden, zh[j]);
            list.Add((1, j, 0, dzh * X[0]));
            list.Add((1, j, 1, dzh * X[1]));
            list.Add((1, j, -1, dzh));
            list.Add((2, 0, j, dzo * ah[j]));
        }

        list.Add((2, 0, -1, dzo));
        return list;
    }

    private static double[] Softmax(double[] z)
    {
        double max = z.Max();
        var e = z.Select(v => Math.Exp(v - max)).ToArray();
        double sum = e.Sum();
        return [.. e.Select(v => v / sum)];
    }
}
