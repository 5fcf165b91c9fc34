namespace Nonlinear.Cli;

/// <summary>
/// A mistake in what the user typed or piped in (not a bug): <see cref="CliApp.Run"/> prints its message as
/// one <c>error:</c> line and exits 2, so scripts can tell bad input from a crash (exit 1).
/// </summary>
internal sealed class CliUsageException : Exception
{
    public CliUsageException(string message)
        : base(message)
    {
    }

    public CliUsageException()
    {
    }

    public CliUsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
