using Nonlinear.Optimizers;
using Xunit;

namespace Nonlinear.Tests.Optimizers;

/// <summary>Learning-rate schedules against PyTorch's closed forms (StepLR, CosineAnnealingLR).</summary>
public sealed class ScheduleTests
{
    [Theory]
    [InlineData(0, 0.1)]
    [InlineData(2, 0.1)]
    [InlineData(3, 0.05)]
    [InlineData(5, 0.05)]
    [InlineData(6, 0.025)]
    [InlineData(10, 0.0125)]
    public void Step_schedule_multiplies_by_gamma_every_step_size_epochs(int epoch, double expected) =>
        Assert.Equal(expected, new StepSchedule(3, gamma: 0.5).At(epoch, 0.1), 1e-15);

    [Theory]
    [InlineData(0, 0.1)]
    [InlineData(5, 0.0505)]
    [InlineData(10, 0.001)]
    [InlineData(20, 0.1)]
    public void Cosine_schedule_follows_the_closed_form(int epoch, double expected) =>
        Assert.Equal(expected, new CosineSchedule(10, minimumRate: 0.001).At(epoch, 0.1), 1e-15);

    [Fact]
    public void Cosine_schedule_matches_the_formula_at_every_epoch_and_stays_positive_during_training()
    {
        var schedule = new CosineSchedule(7);
        for (int epoch = 0; epoch < 7; epoch++)
        {
            double rate = schedule.At(epoch, 0.3);
            Assert.Equal(0.3 * (1 + Math.Cos(Math.PI * epoch / 7)) / 2, rate, 1e-15);
            Assert.True(rate > 0);
        }
    }

    [Fact]
    public void Schedules_validate_their_arguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new StepSchedule(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StepSchedule(5, gamma: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StepSchedule(5, gamma: double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CosineSchedule(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CosineSchedule(10, minimumRate: -1e-3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StepSchedule(5).At(-1, 0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CosineSchedule(5).At(1, 0));
    }
}
