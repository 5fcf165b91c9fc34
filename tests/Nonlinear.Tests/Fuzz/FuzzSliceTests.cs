using Nonlinear.Fuzzing;
using Xunit;

namespace Nonlinear.Tests.Fuzz;

/// <summary>
/// A fast seeded slice of the fuzzing run (bench fuzz mode, docs/fuzzing.md): every reader, a few hundred mutated
/// files each, must end each case in a valid result or its documented exception with a message, allocating at most
/// 64 MiB. Time is not asserted here (no timed unit tests); the full run reports it. And the oracle itself is
/// checked: it must flag what it exists to catch.
/// </summary>
public sealed class FuzzSliceTests
{
    private const int Cases = 400;

    private static readonly FuzzLimits Limits = new(MaxSeconds: null, MaxAllocatedBytes: 64L << 20, HangSeconds: 60);

    public static TheoryData<string> Readers => [.. FuzzTargets.Names];

    [Theory]
    [MemberData(nameof(Readers))]
    public void Every_mutated_file_gives_a_valid_result_or_a_clear_error(string reader)
    {
        var target = FuzzTargets.Create(reader);
        using var runner = new FuzzRunner(target, Limits);
        var failures = new List<string>();
        var outcomes = new Dictionary<FuzzOutcome, int>();
        for (int i = 0; i < Cases; i++)
        {
            var result = runner.Run(seed: 2026, i);
            outcomes[result.Outcome] = outcomes.GetValueOrDefault(result.Outcome) + 1;
            if (result.Outcome == FuzzOutcome.Failure)
            {
                failures.Add($"case {i} ({result.Mutations}): {result.Detail}");
            }
        }

        Assert.Empty(failures);

        // The mutations must reach both sides: some files still read, most are refused.
        Assert.True(outcomes.GetValueOrDefault(FuzzOutcome.Valid) > 0, $"{reader}: no mutated file was valid");
        Assert.True(outcomes.GetValueOrDefault(FuzzOutcome.ClearError) > Cases / 2, $"{reader}: only {outcomes.GetValueOrDefault(FuzzOutcome.ClearError)} clear errors");
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public void Every_seed_file_reads(string reader)
    {
        var target = FuzzTargets.Create(reader);
        using var runner = new FuzzRunner(target, Limits);
        foreach (var seed in target.Seeds)
        {
            var result = runner.Run(seed, 0, "none");
            Assert.True(result.Outcome == FuzzOutcome.Valid, $"{reader}: a seed file gives {result.Detail}: {result.Message}");
        }
    }

    [Fact]
    public void A_case_is_the_same_input_every_time_and_differs_between_cases()
    {
        var target = FuzzTargets.Create("png");
        var (first, mutations) = FuzzRunner.Generate(target, 7, 123);
        var (again, mutationsAgain) = FuzzRunner.Generate(FuzzTargets.Create("png"), 7, 123);
        var (other, _) = FuzzRunner.Generate(target, 7, 124);

        Assert.Equal(first, again);
        Assert.Equal(mutations, mutationsAgain);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void The_oracle_fails_an_unexpected_exception_type_and_an_empty_message()
    {
        var crashing = Target(_ => throw new IndexOutOfRangeException("index"));
        var silent = Target(_ => throw new FormatException(""));
        var clear = Target(_ => throw new FormatException("bad.bin: the header is damaged"));

        Assert.Contains("unexpected System.IndexOutOfRangeException", Run(crashing).Detail);
        Assert.Contains("without a message", Run(silent).Detail);
        Assert.Equal(FuzzOutcome.ClearError, Run(clear).Outcome);
    }

    [Fact]
    public void The_oracle_fails_a_large_allocation_and_an_invalid_result()
    {
        var hungry = Target(_ => new byte[65 << 20].Length > 0 ? null : "");
        var wrong = Target(_ => "3 pixels for a 2x2 image");

        var allocation = Run(hungry);
        Assert.Equal(FuzzOutcome.Failure, allocation.Outcome);
        Assert.Contains("over the", allocation.Detail);
        Assert.Contains("invalid result: 3 pixels", Run(wrong).Detail);
    }

    [Fact]
    public void A_hanging_reader_is_reported_and_the_runner_carries_on()
    {
        using var release = new ManualResetEventSlim();
        var hanging = Target(input => input.Length == 0 && release.Wait(TimeSpan.FromMinutes(1)) ? null : null);
        using var runner = new FuzzRunner(hanging, Limits with { HangSeconds = 0.2 });

        var hang = runner.Run([], 0, "none");
        release.Set();
        var next = runner.Run([1], 1, "none");

        Assert.Equal(FuzzOutcome.Failure, hang.Outcome);
        Assert.StartsWith("hang", hang.Detail, StringComparison.Ordinal);
        Assert.Equal(FuzzOutcome.Valid, next.Outcome);
    }

    private static FuzzTarget Target(Func<byte[], string?> read) => new("test", [[1, 2, 3]], [], read, [typeof(FormatException)]);

    private static FuzzCaseResult Run(FuzzTarget target)
    {
        using var runner = new FuzzRunner(target, Limits);
        return runner.Run([1, 2, 3], 0, "none");
    }
}
