using System.Text.Json;
using Nonlinear.Activations;
using Xunit;

namespace Nonlinear.Tests.Cli;

public sealed class ActivationsCommandTests
{
    [Fact]
    public void Activations_table_lists_every_registry_entry()
    {
        var run = CliRun.Of("activations");

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Stderr);
        var rows = run.Stdout.Split('\n');
        foreach (var descriptor in ActivationRegistry.All)
        {
            Assert.Contains(rows, row => row.StartsWith($"│ {descriptor.Name} ", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Activations_json_has_one_entry_per_registry_entry_with_its_fields()
    {
        var run = CliRun.Of("activations", "--json");

        Assert.Equal(0, run.ExitCode);
        using var document = JsonDocument.Parse(run.Stdout);
        var entries = document.RootElement.EnumerateArray().ToList();
        Assert.Equal(ActivationRegistry.All.Select(d => d.Name), entries.Select(e => e.GetProperty("name").GetString()));
        foreach (var entry in entries)
        {
            Assert.False(string.IsNullOrEmpty(entry.GetProperty("formula").GetString()));
            Assert.False(string.IsNullOrEmpty(entry.GetProperty("range").GetString()));
            Assert.True(entry.GetProperty("zeroCentred").ValueKind is JsonValueKind.True or JsonValueKind.False);
            Assert.Equal(JsonValueKind.Number, entry.GetProperty("derivativeMax").ValueKind);
            Assert.Equal(JsonValueKind.Array, entry.GetProperty("parameters").ValueKind);
        }
    }

    [Fact]
    public void Activations_json_gives_each_parameter_its_default_and_range()
    {
        using var document = JsonDocument.Parse(CliRun.Of("activations", "--json").Stdout);
        var leaky = document.RootElement.EnumerateArray().Single(e => e.GetProperty("name").GetString() == "leaky_relu");
        var alpha = leaky.GetProperty("parameters").EnumerateArray().Single();

        Assert.Equal("alpha", alpha.GetProperty("name").GetString());
        Assert.Equal(0.01, alpha.GetProperty("default").GetDouble());
        Assert.Contains("alpha", alpha.GetProperty("range").GetString(), StringComparison.Ordinal);
    }
}
