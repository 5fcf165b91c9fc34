namespace Nonlinear.Web.Tests;

/// <summary>A fresh Learn database file per app under test, in the temp directory (never the user's own learn.db).</summary>
public static class TestDatabase
{
    private static readonly string Directory = Path.Combine(Path.GetTempPath(), "nonlinear-web-tests", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The path of a database file that does not exist yet.</summary>
    public static string NewPath()
    {
        System.IO.Directory.CreateDirectory(Directory);
        return Path.Combine(Directory, Guid.NewGuid().ToString("N") + ".db");
    }
}
