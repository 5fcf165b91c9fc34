using Nonlinear.Data;
using Nonlinear.Tensors;
using Nonlinear.Training;
using Xunit;

namespace Nonlinear.Tests.Training;

public sealed class ConfusionMatrixTests
{
    [Fact]
    public void Counts_and_metrics_match_a_hand_computed_case()
    {
        // actual:    0 0 0 1 1 2 2 2 2
        // predicted: 0 0 1 1 2 2 2 2 0
        int[] actual = [0, 0, 0, 1, 1, 2, 2, 2, 2];
        int[] predicted = [0, 0, 1, 1, 2, 2, 2, 2, 0];
        var outputs = new Tensor(actual.Length, 3);
        for (int i = 0; i < actual.Length; i++)
        {
            outputs.Span[(i * 3) + predicted[i]] = 5f; // logits: arg-max is the prediction
            outputs.Span[(i * 3) + ((predicted[i] + 1) % 3)] = -1f;
        }

        var targets = Tensor.FromArray(actual.Select(a => (float)a).ToArray(), actual.Length);
        var m = ConfusionMatrix.FromOutputs(outputs, targets, TaskKind.Multiclass, 3);
        Assert.Equal(9, m.Total);
        Assert.Equal(2, m[0, 0]);
        Assert.Equal(1, m[0, 1]);
        Assert.Equal(1, m[2, 0]);
        Assert.Equal(3, m[2, 2]);
        Assert.Equal(6.0 / 9, m.Accuracy, 12);
        Assert.Equal(2.0 / 3, m.Precision(0), 12); // predicted 0: three times, two right
        Assert.Equal(2.0 / 3, m.Recall(0), 12);
        Assert.Equal(0.5, m.Precision(1), 12);
        Assert.Equal(0.5, m.Recall(1), 12);
        Assert.Equal(0.75, m.Precision(2), 12);
        Assert.Equal(0.75, m.Recall(2), 12);
        Assert.Equal(0.75, m.F1(2), 12);
    }

    [Fact]
    public void A_class_never_predicted_has_undefined_precision_not_zero()
    {
        var m = new ConfusionMatrix(3);
        m.Add(0, 0);
        m.Add(2, 0);
        Assert.True(double.IsNaN(m.Precision(2)));
        Assert.Equal(0, m.Recall(2));
        Assert.True(double.IsNaN(m.Recall(1)));
        Assert.True(double.IsNaN(m.F1(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Add(3, 0));
    }

    [Fact]
    public void Binary_outputs_use_the_threshold()
    {
        var outputs = Tensor.FromArray([0.2f, 0.7f, 0.51f, 0.49f], 4, 1);
        var targets = Tensor.FromArray([0f, 1f, 0f, 1f], 4, 1);
        var m = ConfusionMatrix.FromOutputs(outputs, targets, TaskKind.Binary, 2);
        Assert.Equal(1, m[0, 0]);
        Assert.Equal(1, m[0, 1]);
        Assert.Equal(1, m[1, 0]);
        Assert.Equal(1, m[1, 1]);
        var logits = ConfusionMatrix.FromOutputs(Tensor.FromArray([-1f, 2f, 0.3f, -0.2f], 4, 1), targets, TaskKind.Binary, 2, binaryThreshold: 0);
        Assert.Equal(0.5, logits.Accuracy);
        Assert.Throws<ArgumentException>(() => ConfusionMatrix.FromOutputs(outputs, targets, TaskKind.Regression, 2));
        Assert.Throws<ArgumentException>(() => ConfusionMatrix.FromOutputs(new Tensor(4, 3), targets, TaskKind.Binary, 2));
    }
}
