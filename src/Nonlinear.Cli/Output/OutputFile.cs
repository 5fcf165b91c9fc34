namespace Nonlinear.Cli.Output;

/// <summary>Writing a file the user named: a missing directory or a refused write is bad input (exit 2), not a crash.</summary>
internal static class OutputFile
{
    public static T Write<T>(string path, Func<T> write)
    {
        try
        {
            return write();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliUsageException($"cannot write '{path}': {e.Message}", e);
        }
    }
}
