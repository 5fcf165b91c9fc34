using Nonlinear.Data;
using Nonlinear.Models;
using Nonlinear.Optimizers;
using Nonlinear.Serialization;
using Nonlinear.Tensors;
using Nonlinear.Training;
using Nonlinear.Web.Images;

namespace Nonlinear.Web.Tests;

/// <summary>Model files built by the tests, as 'nonlinear train --save' would write them, and the images the server has.</summary>
internal static class TestModelFiles
{
    private static readonly Lazy<(Dataset Train, Dataset Test)> Images = new(() =>
    {
        var (train, test) = FashionMnist.Load(new ImageDataSource(new ServeOptions()).Locate());
        return (train.Subset(Enumerable.Range(0, ImageData.MaxTrain).ToArray()), test.Subset(Enumerable.Range(0, ImageData.MaxTest).ToArray()));
    });

    /// <summary>The server's 2,000 training and 500 test images, raw pixels in [0, 1].</summary>
    public static (Dataset Train, Dataset Test) FashionImages => Images.Value;

    /// <summary>
    /// A Fashion-MNIST classifier of <paramref name="spec"/> on <paramref name="inputShape"/> (default [1, 28, 28]),
    /// trained for <paramref name="epochs"/> on the standardised training images, saved with its normalisation.
    /// </summary>
    public static byte[] Fashion(string spec, int epochs = 1, TensorShape? inputShape = null, int seed = 1)
    {
        var (train, _) = FashionImages;
        var shape = inputShape ?? new TensorShape(1, 28, 28);
        if (shape.Rank == 1)
        {
            train = new Dataset(train.Name, train.Features.Reshape(train.Count, 784), train.Targets, train.Task, train.ClassCount, train.ClassNames);
        }

        var normalization = Normalization.FitStandardization(train, perChannel: shape.Rank > 1);
        var model = Sequential.Parse(spec);
        model.Build(shape, seed);
        if (epochs > 0)
        {
            new Trainer(model, TaskDefaults.Loss(TaskKind.Multiclass), new Adam(0.001)).Fit(normalization.Apply(train), epochs, 64, seed);
        }

        return Save(model, new ModelMetadata
        {
            Task = TaskKind.Multiclass,
            OutputActivation = "softmax",
            Loss = "cross_entropy",
            ClassNames = FashionMnist.ClassNames,
            NormalizationMean = normalization.Mean,
            NormalizationStd = normalization.Std,
        });
    }

    /// <summary>A small binary classifier on three inputs: a valid model that does not fit the images.</summary>
    public static byte[] Binary()
    {
        var model = Sequential.Parse("dense:8,relu,dense:1");
        model.Build(new TensorShape(3), 1);
        return Save(model, new ModelMetadata { Task = TaskKind.Binary, OutputActivation = "sigmoid", Loss = "bce_logits" });
    }

    public static byte[] Save(Sequential model, ModelMetadata metadata)
    {
        using var stream = new MemoryStream();
        ModelFile.Save(stream, model, metadata);
        return stream.ToArray();
    }
}
