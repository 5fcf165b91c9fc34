using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Nonlinear.Web.Storage;

/// <summary>
/// The Learn database: one SQLite file (progress, profiles, posts), opened once per server. Opening checks that the
/// file is ours and intact, then applies the schema migrations it lacks. Reads use pooled connections in parallel;
/// writes are serialized in-process (one writer, as SQLite wants) inside <c>BEGIN IMMEDIATE</c> transactions, so many
/// learners at once never see "database is locked".
/// </summary>
public sealed class LearnDatabase : IDisposable
{
    /// <summary>Our mark in the SQLite header (<c>PRAGMA application_id</c>): "NLNR".</summary>
    public const int ApplicationId = 0x4E4C4E52;

    private static readonly byte[] SqliteMagic = "SQLite format 3\0"u8.ToArray();

    private readonly string _connectionString;
    private readonly Lock _writeLock = new();
    private bool _disposed;

    private LearnDatabase(string path)
    {
        Path = path;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            ForeignKeys = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>The schema version this build writes (the number of migrations).</summary>
    public static int SchemaVersion => Migrations.Scripts.Count;

    /// <summary>
    /// The default file: <c>learn.db</c> in the user's data directory (<c>~/.local/share/nonlinear</c> on Linux).
    /// </summary>
    public static string DefaultPath()
    {
        string root = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
        if (string.IsNullOrEmpty(root))
        {
            throw new LearnDatabaseException("There is no user data directory (HOME is not set) to keep Learn progress in; choose a file with --db <path>.");
        }

        return System.IO.Path.Combine(root, "nonlinear", "learn.db");
    }

    /// <summary>
    /// Opens (or creates) the database at <paramref name="path"/> and migrates it to <see cref="SchemaVersion"/>.
    /// </summary>
    /// <exception cref="LearnDatabaseException">
    /// The file is not SQLite, belongs to another application, has a newer schema, or is corrupt; it is left as it was.
    /// </exception>
    public static LearnDatabase Open(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = System.IO.Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw new LearnDatabaseException($"The Learn database {full} is a directory; give a file path with --db.");
        }

        CheckHeader(full);
        string? directory = System.IO.Path.GetDirectoryName(full);
        try
        {
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LearnDatabaseException($"Cannot create the directory of the Learn database {full}: {e.Message}", e);
        }

        var database = new LearnDatabase(full);
        try
        {
            database.Prepare();
            return database;
        }
        catch (SqliteException e)
        {
            SqliteConnection.ClearAllPools();
            throw new LearnDatabaseException(Describe(full, e), e);
        }
        catch (LearnDatabaseException)
        {
            SqliteConnection.ClearAllPools();
            throw;
        }
    }

    /// <summary>A new open connection (foreign keys on, busy timeout set); the caller disposes it.</summary>
    public SqliteConnection Connect()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        // NORMAL with WAL (SQLite's advice for WAL): a commit survives a crash of the server, and the file stays
        // consistent after a power cut, which may lose the last commits; FULL would also wait for the disk on each one.
        pragma.CommandText = "PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL;";
        pragma.ExecuteNonQuery();
        return connection;
    }

    /// <summary>Runs a query on its own connection (reads run in parallel with each other and with a write).</summary>
    public T Read<T>(Func<SqliteConnection, T> query)
    {
        ArgumentNullException.ThrowIfNull(query);
        using var connection = Connect();
        return query(connection);
    }

    /// <summary>
    /// Runs <paramref name="change"/> in one immediate transaction, committed when it returns and rolled back when it
    /// throws; writes from all requests take turns.
    /// </summary>
    public T Write<T>(Func<SqliteConnection, SqliteTransaction, T> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        lock (_writeLock)
        {
            using var connection = Connect();
            using var transaction = connection.BeginTransaction(deferred: false);
            T result = change(connection, transaction);
            transaction.Commit();
            return result;
        }
    }

    /// <summary>The current time as stored (ISO 8601, UTC, to the millisecond).</summary>
    public static string Now() => DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;

        // Pooled connections keep the file (and its -wal) open; release them so the file can be moved or deleted.
        using (var connection = new SqliteConnection(_connectionString))
        {
            SqliteConnection.ClearPool(connection);
        }
    }

    private static void CheckHeader(string path)
    {
        if (!File.Exists(path))
        {
            return;
        }

        byte[] head = new byte[SqliteMagic.Length];
        int read;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LearnDatabaseException($"Cannot read the Learn database {path}: {e.Message}", e);
        }

        // An empty file is a new database (SQLite writes its header on the first change).
        if (read == 0)
        {
            return;
        }

        if (read < head.Length || !head.AsSpan().SequenceEqual(SqliteMagic))
        {
            throw new LearnDatabaseException(
                $"{path} is not a SQLite database, so it cannot hold Learn progress; Nonlinear left it untouched. Choose another file with --db, or move this one away.");
        }
    }

    private void Prepare()
    {
        using var connection = Connect();
        string check = Scalar(connection, "PRAGMA quick_check;") as string ?? "";
        if (!string.Equals(check, "ok", StringComparison.Ordinal))
        {
            throw new LearnDatabaseException(
                $"The Learn database {Path} is damaged (SQLite's check says: {First(check)}). Nonlinear does not reset it: restore a copy, or start afresh with another file (--db) and import your exported progress.");
        }

        long applicationId = Convert.ToInt64(Scalar(connection, "PRAGMA application_id;"), CultureInfo.InvariantCulture);
        long version = Convert.ToInt64(Scalar(connection, "PRAGMA user_version;"), CultureInfo.InvariantCulture);
        long tables = Convert.ToInt64(Scalar(connection, "SELECT count(*) FROM sqlite_schema;"), CultureInfo.InvariantCulture);
        if (applicationId == 0 && version == 0 && tables == 0)
        {
            Execute(connection, $"PRAGMA application_id = {ApplicationId};");
        }
        else if (applicationId != ApplicationId)
        {
            throw new LearnDatabaseException(
                $"{Path} is a SQLite database of another application (application_id {applicationId}, {tables} objects), not Nonlinear's Learn database; it was left untouched. Choose another file with --db.");
        }

        if (version > SchemaVersion)
        {
            throw new LearnDatabaseException(
                $"The Learn database {Path} has schema version {version}, written by a newer Nonlinear (this one knows up to {SchemaVersion}); it was left untouched. Update Nonlinear or choose another file with --db.");
        }

        // WAL: readers never wait for the writer; it stays set in the file.
        Execute(connection, "PRAGMA journal_mode = WAL;");
        for (long v = version; v < SchemaVersion; v++)
        {
            using var transaction = connection.BeginTransaction(deferred: false);
            using (var command = connection.CreateCommand())
            {
                command.Transaction = transaction;
                command.CommandText = Migrations.Scripts[(int)v] + $"\nPRAGMA user_version = {v + 1};";
                command.ExecuteNonQuery();
            }

            transaction.Commit();
        }
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static string First(string text)
    {
        string line = text.Split('\n', 2)[0];
        return line.Length > 200 ? line[..200] + "…" : line;
    }

    private static string Describe(string path, SqliteException e)
    {
        var text = new StringBuilder();
        switch (e.SqliteErrorCode)
        {
            case 11: // SQLITE_CORRUPT
                text.Append(CultureInfo.InvariantCulture, $"The Learn database {path} is damaged ({e.Message}). Nonlinear does not reset it: restore a copy, or start afresh with another file (--db) and import your exported progress.");
                break;
            case 26: // SQLITE_NOTADB
                text.Append(CultureInfo.InvariantCulture, $"{path} is not a SQLite database (or is encrypted), so it cannot hold Learn progress; Nonlinear left it untouched. Choose another file with --db.");
                break;
            case 5 or 6: // SQLITE_BUSY, SQLITE_LOCKED
                text.Append(CultureInfo.InvariantCulture, $"The Learn database {path} is locked by another program (another 'nonlinear serve'?): {e.Message}");
                break;
            case 8 or 14: // SQLITE_READONLY, SQLITE_CANTOPEN
                text.Append(CultureInfo.InvariantCulture, $"Cannot open the Learn database {path} for writing: {e.Message} Check the permissions or choose another file with --db.");
                break;
            default:
                text.Append(CultureInfo.InvariantCulture, $"Cannot use the Learn database {path}: {e.Message}");
                break;
        }

        return text.ToString();
    }
}
