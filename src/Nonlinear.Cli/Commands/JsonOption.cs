using System.CommandLine;

namespace Nonlinear.Cli.Commands;

/// <summary>The <c>--json</c> flag every command has, built in one place so the wording stays the same.</summary>
internal static class JsonOption
{
    public static Option<bool> Create(string what) => new("--json") { Description = $"Print {what} as JSON instead of a table" };
}
