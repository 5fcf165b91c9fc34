using System.Text;
using System.Text.Json;
using Nonlinear.Activations;
using Nonlinear.Web.Playground;
using Xunit;

namespace Nonlinear.Web.Tests;

public sealed class PlaygroundStateTests
{
    private static readonly PlaygroundLimits Limits = new();

    // What TF Playground itself writes for its default experiment (playground.tensorflow.org, seed aside).
    private const string TensorFlowDefault =
        "activation=tanh&batchSize=10&dataset=circle&regDataset=reg-plane&learningRate=0.03&regularizationRate=0&noise=0&networkShape=4,2"
        + "&seed=0.5&showTestData=false&discretize=false&percTrainData=50&x=true&y=true&xTimesY=false&xSquared=false&ySquared=false"
        + "&cosX=false&sinX=false&cosY=false&sinY=false&collectStats=false&problem=classification&initZero=false&hideText=false";

    private static string Json(PlaygroundConfig config) => JsonSerializer.Serialize(config, WebJson.Options);

    private static ParsedState Parse(string hash) => PlaygroundState.Parse(hash, Limits);

    [Fact]
    public void The_default_config_is_written_exactly_as_TF_Playground_writes_its_default()
    {
        Assert.Equal(TensorFlowDefault, PlaygroundState.Format(new PlaygroundConfig()));
    }

    [Fact]
    public void TF_Playground_default_link_reads_as_the_default_config_without_warnings()
    {
        var parsed = Parse("#" + TensorFlowDefault.Replace("seed=0.5", "seed=0.71234", StringComparison.Ordinal));
        Assert.Empty(parsed.Warnings);
        Assert.Equal(Json(new PlaygroundConfig { Seed = "0.71234" }), Json(parsed.Config));
    }

    [Fact]
    public void A_TF_Playground_link_sets_every_TF_parameter()
    {
        var parsed = Parse(
            "https://playground.tensorflow.org/#activation=relu&regularization=L2&batchSize=3&dataset=spiral&regDataset=reg-gauss"
            + "&learningRate=0.1&regularizationRate=0.003&noise=35&networkShape=8,8,5&seed=0.12345&showTestData=true&discretize=true"
            + "&percTrainData=70&x=true&y=false&xTimesY=true&xSquared=true&ySquared=false&cosX=true&sinX=true&cosY=false&sinY=true"
            + "&collectStats=true&problem=classification&initZero=true&hideText=true");
        Assert.Empty(parsed.Warnings);
        var c = parsed.Config;
        Assert.Equal("relu", c.Activation);
        Assert.Equal("L2", c.Regularization);
        Assert.Equal(3, c.BatchSize);
        Assert.Equal("spiral", c.Dataset);
        Assert.Equal("reg-gauss", c.RegDataset);
        Assert.Equal(0.1, c.LearningRate);
        Assert.Equal(0.003, c.RegularizationRate);
        Assert.Equal(35, c.Noise);
        Assert.Equal([8, 8, 5], c.Layers.Select(l => l.Units));
        Assert.All(c.Layers, l => Assert.Null(l.Activation));
        Assert.Equal("0.12345", c.Seed);
        Assert.True(c.ShowTestData);
        Assert.True(c.Discretize);
        Assert.Equal(70, c.PercTrainData);
        Assert.Equal(["x", "xSquared", "xTimesY", "sinX", "sinY", "cosX"], c.Features);
        Assert.Equal("classification", c.Problem);
        Assert.True(c.InitZero);
        Assert.True(c.HideText);
    }

    [Fact]
    public void Regression_links_pick_the_regression_dataset_and_linear_is_the_identity()
    {
        var parsed = Parse("activation=linear&problem=regression&regDataset=reg-gauss&dataset=xor");
        Assert.Empty(parsed.Warnings);
        Assert.Equal("regression", parsed.Config.Problem);
        Assert.Equal("reg-gauss", parsed.Config.ActiveDataset);
        Assert.Equal("identity", parsed.Config.Activation);
        Assert.StartsWith("activation=linear&", PlaygroundState.Format(parsed.Config), StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_networkShape_is_a_network_without_hidden_layers()
    {
        var parsed = Parse("networkShape=&activation=sigmoid");
        Assert.Empty(parsed.Warnings);
        Assert.Empty(parsed.Config.Layers);
        Assert.Contains("&networkShape=&", PlaygroundState.Format(parsed.Config), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0", true)]
    [InlineData("no", true)]
    [InlineData("TRUE", true)]
    [InlineData("False", true)]
    public void Booleans_follow_TF_Playground_where_only_false_is_false_and_say_so(string value, bool expected)
    {
        var parsed = Parse($"showTestData={value}");
        Assert.Equal(expected, parsed.Config.ShowTestData);
        var warning = Assert.Single(parsed.Warnings);
        Assert.Contains("showTestData", warning, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("batchSize=0x10", 16)]
    [InlineData("batchSize=%2012%20", 12)]
    [InlineData("batchSize=2e1", 20)]
    [InlineData("batchSize=+7", 7)]
    [InlineData("batchSize=0b11", 3)]
    public void Numbers_are_read_as_JavaScript_reads_them(string hash, int expected)
    {
        var parsed = Parse(hash);
        Assert.Empty(parsed.Warnings);
        Assert.Equal(expected, parsed.Config.BatchSize);
    }

    [Theory]
    [InlineData("noise=abc", "noise")]
    [InlineData("noise=12.5", "noise")]
    [InlineData("noise=60", "noise")]
    [InlineData("noise=-5", "noise")]
    [InlineData("noise=1e999", "noise")]
    [InlineData("batchSize=0", "batchSize")]
    [InlineData("batchSize=31", "batchSize")]
    [InlineData("batchSize=1,2", "batchSize")]
    [InlineData("percTrainData=5", "percTrainData")]
    [InlineData("percTrainData=0x", "percTrainData")]
    [InlineData("learningRate=0", "learningRate")]
    [InlineData("learningRate=NaN", "learningRate")]
    [InlineData("learningRate=Infinity", "learningRate")]
    [InlineData("learningRate=11", "learningRate")]
    [InlineData("learningRate=0.03.1", "learningRate")]
    [InlineData("regularizationRate=-1", "regularizationRate")]
    [InlineData("activation=foo", "activation")]
    [InlineData("activation=softmax", "activation")]
    [InlineData("activation=leaky_relu:abc", "activation")]
    [InlineData("regularization=L3", "regularization")]
    [InlineData("dataset=moons", "dataset")]
    [InlineData("regDataset=reg-maximum", "regDataset")]
    [InlineData("problem=clustering", "problem")]
    [InlineData("networkShape=9,2", "networkShape")]
    [InlineData("networkShape=1,1,1,1,1,1,1", "networkShape")]
    [InlineData("networkShape=4,,2", "networkShape")]
    [InlineData("networkShape=4,2.5", "networkShape")]
    [InlineData("networkShape", "networkShape")]
    [InlineData("classes=7", "classes")]
    [InlineData("classes=3", "classes")]
    [InlineData("optimizer=rmsprop", "optimizer")]
    [InlineData("speed=100", "speed")]
    [InlineData("speed=0.1", "speed")]
    [InlineData("csvId=a%20b", "csvId")]
    [InlineData("csvFeatures=a", "csvFeatures")]
    [InlineData("csvFeatures=a,a", "csvFeatures")]
    [InlineData("dataset=csv", "dataset")]
    [InlineData("layerActivations=relu", "layerActivations")]
    [InlineData("layerActivations=relu,bogus", "layerActivations")]
    [InlineData("dropout=0.5,0.95", "dropout")]
    [InlineData("batchNorm=1,2", "batchNorm")]
    [InlineData("learningRate=", "learningRate")]
    [InlineData("seed=0123456789012345678901234567890123456789012345678901234567890123456789", "seed")]
    [InlineData("colour=red", "colour")]
    [InlineData("LearningRate=0.1", "learningRate")]
    [InlineData("foo_hide=true", "foo")]
    [InlineData("noise_hide=yes", "noise")]
    public void A_malformed_value_keeps_the_default_with_one_warning_naming_the_parameter(string hash, string parameter)
    {
        var parsed = Parse(hash);
        var warning = Assert.Single(parsed.Warnings);
        Assert.Contains(parameter, warning, StringComparison.Ordinal);
        Assert.Equal(Json(PlaygroundState.Defaults(Limits)), Json(parsed.Config));
    }

    [Fact]
    public void A_malformed_value_leaves_the_other_parameters_as_given()
    {
        var parsed = Parse("activation=relu&noise=abc&batchSize=5");
        Assert.Single(parsed.Warnings);
        Assert.Equal("relu", parsed.Config.Activation);
        Assert.Equal(0, parsed.Config.Noise);
        Assert.Equal(5, parsed.Config.BatchSize);
    }

    [Fact]
    public void Warnings_name_the_reason()
    {
        Assert.Contains("more than 8", Assert.Single(Parse("networkShape=9,2").Warnings), StringComparison.Ordinal);
        Assert.Contains("more than 6", Assert.Single(Parse("networkShape=1,1,1,1,1,1,1").Warnings), StringComparison.Ordinal);
        Assert.Contains("did you mean 'learningRate'", Assert.Single(Parse("LearningRate=0.1").Warnings), StringComparison.Ordinal);
        Assert.Contains("10-90", Assert.Single(Parse("percTrainData=5").Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void The_server_caps_bound_the_network_shape()
    {
        var small = new PlaygroundLimits { MaxHiddenLayers = 2, MaxNeurons = 3 };
        var parsed = PlaygroundState.Parse("networkShape=3,3,3", small);
        Assert.Contains("more than 2", Assert.Single(parsed.Warnings), StringComparison.Ordinal);
        Assert.Equal([3, 2], parsed.Config.Layers.Select(l => l.Units));
        PlaygroundConfigValidator.Validate(parsed.Config, small);
    }

    [Fact]
    public void Collect_stats_is_accepted_silently_and_tutorial_is_named()
    {
        Assert.Empty(Parse("collectStats=true").Warnings);
        Assert.Contains("tutorial", Assert.Single(Parse("tutorial=dataset-xor").Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void A_repeated_parameter_takes_the_last_value_with_a_warning()
    {
        var parsed = Parse("noise=10&noise=20");
        Assert.Equal(20, parsed.Config.Noise);
        Assert.Contains("noise", Assert.Single(parsed.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void Classroom_hide_flags_fill_hidden_in_canonical_order()
    {
        var parsed = Parse("playButton_hide=true&noise_hide=false&dataset_hide=true&inside_hide=true&learningRate_hide=true");
        Assert.Empty(parsed.Warnings);
        Assert.Equal(["playButton", "learningRate", "dataset", "inside"], parsed.Config.Hidden);
        var hash = PlaygroundState.Format(parsed.Config);
        Assert.Contains("&playButton_hide=true&learningRate_hide=true&dataset_hide=true&inside_hide=true", hash, StringComparison.Ordinal);
        Assert.DoesNotContain("noise_hide", hash, StringComparison.Ordinal);
    }

    [Fact]
    public void Hiding_an_input_feature_removes_it_from_the_network_as_in_TF_Playground()
    {
        var parsed = Parse("x=true&y=true&sinX=true&x_hide=true");
        Assert.Empty(parsed.Warnings);
        Assert.Equal(["y", "sinX"], parsed.Config.Features);
        Assert.Equal(["x"], parsed.Config.Hidden);
    }

    [Fact]
    public void Turning_every_feature_off_keeps_x_and_y_with_a_warning()
    {
        var parsed = Parse("x=false&y=false");
        Assert.Single(parsed.Warnings);
        Assert.Equal(["x", "y"], parsed.Config.Features);
    }

    [Fact]
    public void Our_extensions_are_read_and_written()
    {
        var hash = "dataset=spiral&classes=4&networkShape=5,3,2&activation=gelu:tanh&layerActivations=relu,,leaky_relu:0.2"
            + "&dropout=0.2,0,0.1&batchNorm=1,0,true&optimizer=adam&speed=0&csvId=abc_12&csvFeatures=petal%20length,sepal%2Cwidth"
            + "&seed=a%26b%3Dc%20d%25";
        var parsed = Parse(hash);
        Assert.Empty(parsed.Warnings);
        var c = parsed.Config;
        Assert.Equal(4, c.Classes);
        Assert.Equal("gelu:tanh", c.Activation);
        Assert.Equal(["relu", null, "leaky_relu:0.2"], c.Layers.Select(l => l.Activation));
        Assert.Equal([0.2, 0, 0.1], c.Layers.Select(l => l.Dropout));
        Assert.Equal([true, false, true], c.Layers.Select(l => l.BatchNorm));
        Assert.Equal("adam", c.Optimizer);
        Assert.Equal(0, c.Speed);
        Assert.Equal("abc_12", c.CsvId);
        Assert.Equal(["petal length", "sepal,width"], c.CsvFeatures!);
        Assert.Equal("a&b=c d%", c.Seed);
        Assert.Equal(Json(c), Json(Parse(PlaygroundState.Format(c)).Config));
    }

    [Fact]
    public void A_csv_dataset_with_an_upload_id_is_kept()
    {
        var parsed = Parse("problem=regression&regDataset=csv&csvId=f00d");
        Assert.Empty(parsed.Warnings);
        Assert.Equal("csv", parsed.Config.ActiveDataset);
        Assert.Null(parsed.Config.CsvFeatures);
    }

    [Fact]
    public void Format_then_parse_gives_back_every_valid_config()
    {
        var rng = new Random(20240611);
        for (int i = 0; i < 1500; i++)
        {
            var config = PlaygroundConfigValidator.Validate(RandomConfig(rng), Limits);
            string hash = PlaygroundState.Format(config);
            var parsed = PlaygroundState.Parse("#" + hash, Limits);
            Assert.True(parsed.Warnings.Count == 0, $"{hash}: {string.Join(" | ", parsed.Warnings)}");
            Assert.Equal(Json(config), Json(parsed.Config));
        }
    }

    [Fact]
    public void Parse_never_throws_and_always_gives_a_valid_canonical_config()
    {
        var rng = new Random(7);
        string[] pieces =
        [
            "activation", "networkShape", "learningRate", "noise", "x", "seed", "dataset", "csvFeatures", "dropout", "layerActivations",
            "batchNorm", "_hide", "playButton", "=", "&", "#", "%", "%2", "%zz", "%E2%82", "%FF", "%00", "%26", "%3D", ",", ":", "+", " ",
            "1e308", "-1e308", "1e-400", "99999999999999999999999", "0x", "0xFFFFFFFFFFFFFFFFFFFF", "NaN", "Infinity", "-0", "true", "false",
            "relu", "tanh", "leaky_relu:", "gelu:tanh", "softmax", "csv", "spiral", "4,2", ",,,", "\u00e9", "\ud83d\ude00", "\ud800", "\0",
            "\n", "collectStats", "classes", "problem=regression", "regDataset=csv", "csvId=x",
        ];
        for (int i = 0; i < 1500; i++)
        {
            var sb = new StringBuilder();
            int n = rng.Next(0, 40);
            for (int k = 0; k < n; k++)
            {
                if (rng.Next(4) == 0)
                {
                    sb.Append((char)rng.Next(0, 0x3000));
                }
                else
                {
                    sb.Append(pieces[rng.Next(pieces.Length)]);
                }
            }

            string hash = sb.ToString();
            var parsed = PlaygroundState.Parse(hash, Limits);
            var valid = PlaygroundConfigValidator.Validate(parsed.Config, Limits);
            Assert.Equal(Json(valid), Json(parsed.Config));
            Assert.True(parsed.Warnings.Count <= 21, hash);
            Assert.Equal(Json(parsed.Config), Json(PlaygroundState.Parse(PlaygroundState.Format(parsed.Config), Limits).Config));
        }
    }

    [Fact]
    public void A_huge_hash_is_read_with_a_bounded_list_of_warnings()
    {
        var hash = string.Join("&", Enumerable.Range(0, 5000).Select(i => $"p{i}={new string('9', 50)}")) + "&noise=10";
        var parsed = Parse(hash);
        Assert.Equal(10, parsed.Config.Noise);
        Assert.Equal(21, parsed.Warnings.Count);
        Assert.Contains("4980 more", parsed.Warnings[^1], StringComparison.Ordinal);

        var encoded = Parse("seed=" + string.Concat(Enumerable.Repeat("%E2%82%AC", 30_000)) + "&activation=" + new string('r', 100_000));
        Assert.Equal(2, encoded.Warnings.Count);
        Assert.Equal("0.5", encoded.Config.Seed);
        Assert.Equal("tanh", encoded.Config.Activation);
    }

    [Theory]
    [InlineData("0x1F", 31)]
    [InlineData(" 12 ", 12)]
    [InlineData(".5", 0.5)]
    [InlineData("5.", 5)]
    [InlineData("-2.5e-3", -0.0025)]
    [InlineData("0o17", 15)]
    public void JsNumber_reads_JavaScript_literals(string text, double expected)
    {
        Assert.Equal(expected, PlaygroundState.JsNumber(text));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("1e")]
    [InlineData("0x1G")]
    [InlineData("-0x10")]
    [InlineData("infinity")]
    [InlineData("1,5")]
    [InlineData(".")]
    public void JsNumber_gives_NaN_where_JavaScript_does(string text)
    {
        Assert.True(double.IsNaN(PlaygroundState.JsNumber(text)));
    }

    private static PlaygroundConfig RandomConfig(Random rng)
    {
        string[] activations = ["relu", "tanh", "sigmoid", "identity", "leaky_relu:0.05", "gelu:tanh", "elu", "softplus:beta=2", "hardtanh:-2:2", "swish", "mish"];
        string problem = rng.Next(2) == 0 ? "classification" : "regression";
        string dataset = Pick(rng, [.. PlaygroundData.ClassificationNames, "csv"]);
        string regDataset = Pick(rng, [.. PlaygroundData.RegressionNames, "csv"]);
        bool csv = (problem == "classification" ? dataset : regDataset) == "csv";
        int layerCount = rng.Next(0, Limits.MaxHiddenLayers + 1);
        var layers = Enumerable.Range(0, layerCount).Select(_ => new HiddenLayerConfig
        {
            Units = rng.Next(1, Limits.MaxNeurons + 1),
            Activation = rng.Next(3) == 0 ? Pick(rng, activations) : null,
            Dropout = rng.Next(3) == 0 ? Math.Round(rng.NextDouble() * 0.9, rng.Next(1, 16)) : 0,
            BatchNorm = rng.Next(4) == 0,
        }).ToArray();
        var hidden = PlaygroundState.HideableControls.Where(_ => rng.Next(8) == 0).ToArray();
        var features = InputFeatures.Names.Where(f => rng.Next(3) == 0 && !hidden.Contains(f)).ToList();
        if (features.Count == 0)
        {
            features.Add(InputFeatures.Names.First(f => !hidden.Contains(f)));
        }

        return new PlaygroundConfig
        {
            Problem = problem,
            Dataset = dataset,
            RegDataset = regDataset,
            Classes = problem == "classification" && dataset is not ("spiral" or "gauss" or "csv") ? 2 : rng.Next(2, 6),
            Noise = rng.Next(0, 51),
            PercTrainData = rng.Next(10, 91),
            BatchSize = rng.Next(1, 31),
            LearningRate = rng.Next(2) == 0 ? Pick(rng, [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10]) : 10 * (1 - rng.NextDouble()),
            Activation = Pick(rng, activations),
            Layers = layers,
            Regularization = Pick(rng, ["none", "L1", "L2"]),
            RegularizationRate = rng.Next(2) == 0 ? 0 : 10 * rng.NextDouble(),
            Optimizer = Pick(rng, ["sgd", "momentum", "adam"]),
            Features = features,
            Seed = RandomSeed(rng),
            ShowTestData = rng.Next(2) == 0,
            Discretize = rng.Next(2) == 0,
            InitZero = rng.Next(2) == 0,
            HideText = rng.Next(2) == 0,
            Hidden = hidden,
            Speed = Pick(rng, [0, 0.25, 0.5, 1, 2, 16, 0.25 + 15.75 * rng.NextDouble()]),
            CsvId = csv || rng.Next(4) == 0 ? Convert.ToHexStringLower(BitConverter.GetBytes(rng.NextInt64())) : null,
            CsvFeatures = rng.Next(3) == 0 ? [RandomSeed(rng) + "a", RandomSeed(rng) + "b"] : null,
        };
    }

    private static string RandomSeed(Random rng)
    {
        const string alphabet = "0123456789.abcXYZ &=#%+,:;/?~é€😀\"'<>";
        var sb = new StringBuilder();
        int n = rng.Next(1, 20);
        while (sb.Length < n)
        {
            int i = rng.Next(alphabet.Length);
            sb.Append(char.IsHighSurrogate(alphabet[i]) ? alphabet.AsSpan(i, 2) : char.IsLowSurrogate(alphabet[i]) ? "z" : alphabet.AsSpan(i, 1));
        }

        // A seed has a non-blank character (an empty one would be TF Playground's "no seed").
        return sb.ToString().Trim().Length == 0 ? sb.Append('7').ToString() : sb.ToString();
    }

    private static T Pick<T>(Random rng, T[] items) => items[rng.Next(items.Length)];
}
