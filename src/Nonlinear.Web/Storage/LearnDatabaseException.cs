namespace Nonlinear.Web.Storage;

/// <summary>
/// The Learn database cannot be used as it is: not a SQLite file, another application's database, a newer schema,
/// or a corrupt file. The message names the file and what to do; the file itself is never changed or reset.
/// </summary>
public sealed class LearnDatabaseException : Exception
{
    /// <summary>A refusal to use the database, with a message for the person starting the server.</summary>
    public LearnDatabaseException(string message)
        : base(message)
    {
    }

    /// <summary>A refusal caused by <paramref name="inner"/>.</summary>
    public LearnDatabaseException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
