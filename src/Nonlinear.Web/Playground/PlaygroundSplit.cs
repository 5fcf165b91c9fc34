using Nonlinear.Data;

namespace Nonlinear.Web.Playground;

/// <summary>A generated playground dataset split into training and test points, and the network's datasets of each.</summary>
/// <param name="TrainPoints">The training points in the plane.</param>
/// <param name="TestPoints">The test points in the plane.</param>
/// <param name="Train">The network's training inputs (the config's features) and targets.</param>
/// <param name="Test">The network's test inputs and targets.</param>
internal sealed record PlaygroundSplit(PlaygroundPoints TrainPoints, PlaygroundPoints TestPoints, Dataset Train, Dataset Test)
{
    /// <summary>The data of a config with a generated (not uploaded) dataset, from the data seed <paramref name="seed"/>.</summary>
    /// <exception cref="ArgumentException">The config's dataset is not a generated one.</exception>
    public static PlaygroundSplit Generate(PlaygroundConfig config, int seed)
    {
        ArgumentNullException.ThrowIfNull(config);
        var all = PlaygroundData.Generate(config.ActiveDataset, config.Classes, config.Noise, seed);
        var (trainPoints, testPoints) = PlaygroundData.Split(all, config.PercTrainData, seed);
        var task = config.Problem == "regression" ? TaskKind.Regression : config.Classes == 2 ? TaskKind.Binary : TaskKind.Multiclass;
        return new PlaygroundSplit(
            trainPoints,
            testPoints,
            PlaygroundSession.ToDataset("train", trainPoints, config.Features, task, config.Classes),
            PlaygroundSession.ToDataset("test", testPoints, config.Features, task, config.Classes));
    }
}
