using System.Globalization;
using Microsoft.Data.Sqlite;
using Nonlinear.Web.Storage;
using Xunit;

namespace Nonlinear.Web.Tests;

/// <summary>
/// The Learn database refuses what is not its own (and leaves it byte for byte as it was), migrates old versions
/// keeping their rows, keeps data across restarts, and takes many writers and readers at once.
/// </summary>
public sealed class LearnDatabaseTests
{
    [Fact]
    public void A_new_file_is_marked_as_ours_with_the_current_schema_version()
    {
        string path = TestDatabase.NewPath();
        LearnDatabase.Open(path).Dispose();

        Assert.Equal((long)LearnDatabase.ApplicationId, Number(path, "PRAGMA application_id;"));
        Assert.Equal((long)Migrations.Scripts.Count, Number(path, "PRAGMA user_version;"));
        Assert.Equal(1L, Number(path, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'settings';"));
    }

    [Fact]
    public void A_text_file_is_refused_and_left_unchanged()
    {
        string path = TestDatabase.NewPath();
        File.WriteAllText(path, "my notes: not a database at all\nline two\n");
        AssertRefusedUnchanged(path, "not a SQLite database");
    }

    [Fact]
    public void Another_applications_database_is_refused_and_left_unchanged()
    {
        string path = TestDatabase.NewPath();
        Execute(path, "CREATE TABLE recipes (name TEXT); INSERT INTO recipes VALUES ('bread'), ('soup');");
        AssertRefusedUnchanged(path, "another application");
        Assert.Equal(2L, Number(path, "SELECT count(*) FROM recipes;"));
    }

    [Fact]
    public void A_database_of_a_newer_version_is_refused_and_left_unchanged()
    {
        string path = TestDatabase.NewPath();
        LearnDatabase.Open(path).Dispose();
        Execute(path, $"PRAGMA user_version = {Migrations.Scripts.Count + 1};");
        AssertRefusedUnchanged(path, "newer");
    }

    [Fact]
    public void A_damaged_database_is_refused_as_damaged_and_left_unchanged()
    {
        string path = TestDatabase.NewPath();
        using (var database = LearnDatabase.Open(path))
        {
            database.Write((connection, transaction) =>
            {
                using var insert = connection.CreateCommand();
                insert.Transaction = transaction;
                insert.CommandText = "INSERT INTO learners (name, created_at) VALUES ($name, $now);";
                var name = insert.Parameters.Add("$name", SqliteType.Text);
                insert.Parameters.AddWithValue("$now", LearnDatabase.Now());
                for (int i = 0; i < 3000; i++)
                {
                    name.Value = $"learner number {i} with a longer name {i * 7919}";
                    insert.ExecuteNonQuery();
                }

                return 0;
            });
        }

        // Back to a rollback journal, so that every page is in the main file and none in a -wal beside it.
        Execute(path, "PRAGMA journal_mode = DELETE;");
        long pageSize = Number(path, "PRAGMA page_size;");
        long pages = new FileInfo(path).Length / pageSize;
        Assert.True(pages > 20, $"The test database should span many pages; it has {pages}.");
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            var garbage = new byte[pageSize * 4];
            new Random(7).NextBytes(garbage);
            file.Position = pageSize * (pages / 2);
            file.Write(garbage);
        }

        AssertRefusedUnchanged(path, "damaged");
    }

    [Fact]
    public void A_directory_is_refused()
    {
        string path = Directory.CreateTempSubdirectory("nonlinear-db-dir").FullName;
        try
        {
            var e = Assert.Throws<LearnDatabaseException>(() => LearnDatabase.Open(path));
            Assert.Contains("directory", e.Message, StringComparison.Ordinal);
            Assert.Empty(Directory.GetFileSystemEntries(path));
        }
        finally
        {
            Directory.Delete(path);
        }
    }

    [Fact]
    public void An_empty_file_becomes_a_new_database()
    {
        string path = TestDatabase.NewPath();
        File.WriteAllBytes(path, []);
        using (var database = LearnDatabase.Open(path))
        {
            Assert.Equal(0L, database.Read(c => Count(c, "learners")));
        }

        Assert.Equal((long)LearnDatabase.ApplicationId, Number(path, "PRAGMA application_id;"));
        Assert.Equal((long)Migrations.Scripts.Count, Number(path, "PRAGMA user_version;"));
    }

    [Fact]
    public void A_version_1_database_migrates_to_the_current_version_keeping_its_rows()
    {
        string path = TestDatabase.NewPath();

        // Version 1 exactly as a build of that time made it: our mark, script 1, user_version 1, and some progress.
        Execute(path, $$"""
            PRAGMA application_id = {{LearnDatabase.ApplicationId}};
            {{Migrations.Scripts[0]}}
            PRAGMA user_version = 1;
            INSERT INTO learners (id, name, created_at) VALUES (1, 'Ada', '2026-01-01T00:00:00.000Z');
            INSERT INTO attempts (learner_id, exercise_id, variant, answer, correct, created_at)
                VALUES (1, 'm2-forward-sigmoid', 0, '{"z":0.5}', 1, '2026-01-01T00:00:01.000Z');
            INSERT INTO completions (learner_id, module_id, completed_at) VALUES (1, 'm2', '2026-01-01T00:00:02.000Z');
            """);
        Assert.Equal(1L, Number(path, "PRAGMA user_version;"));

        using (var database = LearnDatabase.Open(path))
        {
            Assert.Equal("Ada", database.Read(c => Text(c, "SELECT name FROM learners WHERE id = 1;")));
            Assert.Equal("{\"z\":0.5}", database.Read(c => Text(c, "SELECT answer FROM attempts WHERE learner_id = 1;")));
            Assert.Equal(1L, database.Read(c => Count(c, "completions")));
            Assert.Equal(0L, database.Read(c => Count(c, "settings")));
        }

        Assert.Equal((long)Migrations.Scripts.Count, Number(path, "PRAGMA user_version;"));
    }

    [Fact]
    public void Data_survives_closing_and_opening_again()
    {
        string path = TestDatabase.NewPath();
        using (var database = LearnDatabase.Open(path))
        {
            database.Write((connection, transaction) => Insert(connection, transaction, "Grace"));
        }

        using (var again = LearnDatabase.Open(path))
        {
            Assert.Equal("Grace", again.Read(c => Text(c, "SELECT name FROM learners;")));
        }
    }

    [Fact]
    public async Task Fifty_writers_and_readers_at_once_lose_nothing_and_never_fail()
    {
        const int Writers = 50;
        const int RowsEach = 20;
        string path = TestDatabase.NewPath();
        using var database = LearnDatabase.Open(path);
        database.Write((connection, transaction) => Insert(connection, transaction, "shared"));

        using var start = new ManualResetEventSlim();
        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(() =>
        {
            start.Wait();
            for (int i = 0; i < RowsEach; i++)
            {
                database.Write((connection, transaction) =>
                {
                    using var insert = connection.CreateCommand();
                    insert.Transaction = transaction;
                    insert.CommandText = "INSERT INTO attempts (learner_id, exercise_id, variant, answer, correct, created_at) VALUES (1, $exercise, $variant, '{}', 0, $now);";
                    insert.Parameters.AddWithValue("$exercise", $"w{w}");
                    insert.Parameters.AddWithValue("$variant", i);
                    insert.Parameters.AddWithValue("$now", LearnDatabase.Now());
                    return insert.ExecuteNonQuery();
                });
            }
        }));
        var readers = Enumerable.Range(0, Writers).Select(_ => Task.Run(() =>
        {
            start.Wait();
            long last = 0;
            for (int i = 0; i < RowsEach; i++)
            {
                long count = database.Read(c => Count(c, "attempts"));

                // A reader never sees rows disappear.
                Assert.True(count >= last, $"A reader saw {count} rows after {last}.");
                last = count;
            }
        }));
        var all = writers.Concat(readers).ToList();
        start.Set();
        await Task.WhenAll(all);

        Assert.Equal((long)(Writers * RowsEach), database.Read(c => Count(c, "attempts")));
        Assert.Equal((long)Writers, database.Read(c => (long)Scalar(c, "SELECT count(DISTINCT exercise_id) FROM attempts;")));
    }

    private static void AssertRefusedUnchanged(string path, string words)
    {
        byte[] before = File.ReadAllBytes(path);
        var e = Assert.Throws<LearnDatabaseException>(() => LearnDatabase.Open(path));
        Assert.Contains(words, e.Message, StringComparison.Ordinal);
        Assert.Contains(Path.GetFullPath(path), e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    private static int Insert(SqliteConnection connection, SqliteTransaction transaction, string name)
    {
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO learners (name, created_at) VALUES ($name, $now);";
        insert.Parameters.AddWithValue("$name", name);
        insert.Parameters.AddWithValue("$now", LearnDatabase.Now());
        return insert.ExecuteNonQuery();
    }

    private static long Count(SqliteConnection connection, string table) => (long)Scalar(connection, $"SELECT count(*) FROM {table};");

    private static string Text(SqliteConnection connection, string sql) => (string)Scalar(connection, sql);

    private static object Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar()!;
    }

    // A connection of its own, not pooled: closing it releases the file, as another program would.
    private static SqliteConnection Raw(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static long Number(string path, string sql)
    {
        using var connection = Raw(path);
        return Convert.ToInt64(Scalar(connection, sql), CultureInfo.InvariantCulture);
    }

    private static void Execute(string path, string sql)
    {
        using var connection = Raw(path);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
