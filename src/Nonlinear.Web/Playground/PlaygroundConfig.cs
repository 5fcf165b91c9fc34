using System.Text.Json.Serialization;

namespace Nonlinear.Web.Playground;

/// <summary>
/// The whole playground experiment: data, features, network and training settings. TensorFlow Playground's names
/// and defaults where it has them (docs/web-api.md lists every field); it round-trips through the URL hash
/// (<see cref="PlaygroundState"/>).
/// </summary>
public sealed record PlaygroundConfig
{
    /// <summary>"classification" or "regression".</summary>
    public string Problem { get; init; } = "classification";

    /// <summary>Classification data: circle, xor, gauss, spiral, sine, cubic, abs, csv.</summary>
    public string Dataset { get; init; } = "circle";

    /// <summary>Regression data: reg-plane, reg-gauss, csv.</summary>
    public string RegDataset { get; init; } = "reg-plane";

    /// <summary>Classes for spiral and gauss (2-5).</summary>
    public int Classes { get; init; } = 2;

    /// <summary>Noise in percent, 0-50.</summary>
    public int Noise { get; init; }

    /// <summary>Share of the points used for training, in percent (10-90); the rest is the test set.</summary>
    public int PercTrainData { get; init; } = 50;

    /// <summary>Mini-batch size, 1-30.</summary>
    public int BatchSize { get; init; } = 10;

    /// <summary>The optimizer's learning rate.</summary>
    public double LearningRate { get; init; } = 0.03;

    /// <summary>The default hidden activation (any catalog spec).</summary>
    public string Activation { get; init; } = "tanh";

    /// <summary>The hidden layers, input to output (0-6).</summary>
    public IReadOnlyList<HiddenLayerConfig> Layers { get; init; } = [new() { Units = 4 }, new() { Units = 2 }];

    /// <summary>"none", "L1" or "L2".</summary>
    public string Regularization { get; init; } = "none";

    /// <summary>The regularization strength.</summary>
    public double RegularizationRate { get; init; }

    /// <summary>"sgd", "momentum" or "adam".</summary>
    public string Optimizer { get; init; } = "sgd";

    /// <summary>Input features: x, y, xSquared, ySquared, xTimesY, sinX, sinY, cosX, cosY.</summary>
    public IReadOnlyList<string> Features { get; init; } = ["x", "y"];

    /// <summary>The seed (any text; TF Playground writes a random number): data and weights follow from it.</summary>
    public string Seed { get; init; } = "0.5";

    /// <summary>Draw the test points on the output.</summary>
    public bool ShowTestData { get; init; }

    /// <summary>Draw the output as classes rather than a continuous colour.</summary>
    public bool Discretize { get; init; }

    /// <summary>Start every weight at zero.</summary>
    public bool InitZero { get; init; }

    /// <summary>Hide the explanatory text.</summary>
    public bool HideText { get; init; }

    /// <summary>Controls hidden for a classroom (TF Playground's <c>&lt;control&gt;_hide=true</c>).</summary>
    public IReadOnlyList<string> Hidden { get; init; } = [];

    /// <summary>Training pace: 1 = TF Playground's (one epoch per 1/60 s), 0 = as fast as possible.</summary>
    public double Speed { get; init; } = 1;

    /// <summary>An uploaded table's id (dataset or regDataset "csv").</summary>
    public string? CsvId { get; init; }

    /// <summary>The two columns shown as x and y; null: every column is an input and there are no 2-D views.</summary>
    public IReadOnlyList<string>? CsvFeatures { get; init; }

    /// <summary>The dataset in use: <see cref="Dataset"/> or <see cref="RegDataset"/> by the problem.</summary>
    [JsonIgnore]
    public string ActiveDataset => Problem == "regression" ? RegDataset : Dataset;
}
