using Microsoft.Data.Sqlite;
using Nonlinear.Web.Storage;

namespace Nonlinear.Web.Learn;

/// <summary>
/// What a learner has done (tables exercise_variants, attempts, completions): the variant they work on per exercise,
/// every checked answer, and the modules they completed. An exercise is solved once any of its attempts is correct; a
/// module is complete once all its exercises are solved (recorded in completions when it happens).
/// </summary>
internal sealed class ProgressStore(LearnDatabase database, Course course)
{
    /// <summary>The ids of the exercises <paramref name="learnerId"/> has solved at least once.</summary>
    public IReadOnlySet<string> Solved(long learnerId) => database.Read(connection => Solved(connection, null, learnerId));

    /// <summary>Answers checked per exercise (all variants) for <paramref name="learnerId"/>.</summary>
    public IReadOnlyDictionary<string, int> AttemptCounts(long learnerId) => database.Read(connection =>
    {
        using var select = connection.CreateCommand();
        select.CommandText = "SELECT exercise_id, count(*) FROM attempts WHERE learner_id = $learner GROUP BY exercise_id;";
        select.Parameters.AddWithValue("$learner", learnerId);
        using var reader = select.ExecuteReader();
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        while (reader.Read())
        {
            counts[reader.GetString(0)] = reader.GetInt32(1);
        }

        return counts;
    });

    /// <summary>The modules recorded as complete for <paramref name="learnerId"/>.</summary>
    public IReadOnlySet<string> Completed(long learnerId) => database.Read(connection => Completed(connection, null, learnerId));

    /// <summary>Where <paramref name="learnerId"/> stands on <paramref name="exerciseId"/>.</summary>
    public VariantProgress Progress(long learnerId, string exerciseId) => database.Read(connection => Progress(connection, null, learnerId, exerciseId));

    /// <summary>Moves <paramref name="learnerId"/> to the next variant of <paramref name="exerciseId"/>; returns it.</summary>
    public int NextVariant(long learnerId, string exerciseId) => database.Write((connection, transaction) =>
    {
        using var upsert = Command(connection, transaction, """
            INSERT INTO exercise_variants (learner_id, exercise_id, variant) VALUES ($learner, $exercise, 1)
            ON CONFLICT (learner_id, exercise_id) DO UPDATE SET variant = min(variant + 1, $max)
            RETURNING variant;
            """);
        upsert.Parameters.AddWithValue("$learner", learnerId);
        upsert.Parameters.AddWithValue("$exercise", exerciseId);
        upsert.Parameters.AddWithValue("$max", ProgressFile.MaxVariant);
        return Convert.ToInt32(upsert.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    });

    /// <summary>
    /// Stores an attempt on <paramref name="variant"/> (the answer text as sent), and the module's completion when this
    /// attempt completes it. Refuses with 409 when the learner has moved to another variant meanwhile.
    /// </summary>
    /// <exception cref="WebRequestException">409: the variant is no longer the current one (nothing stored).</exception>
    public RecordedAttempt Record(long learnerId, string exerciseId, int variant, string answer, bool correct, string? mistake)
    {
        var module = course.Modules.First(m => m.Exercises.Any(e => e.Id == exerciseId));
        return database.Write((connection, transaction) =>
        {
            int current = CurrentVariant(connection, transaction, learnerId, exerciseId);
            if (current != variant)
            {
                throw Stale(variant, current);
            }

            using var insert = Command(connection, transaction, """
                INSERT INTO attempts (learner_id, exercise_id, variant, answer, correct, mistake, created_at)
                VALUES ($learner, $exercise, $variant, $answer, $correct, $mistake, $now);
                """);
            insert.Parameters.AddWithValue("$learner", learnerId);
            insert.Parameters.AddWithValue("$exercise", exerciseId);
            insert.Parameters.AddWithValue("$variant", variant);
            insert.Parameters.AddWithValue("$answer", answer);
            insert.Parameters.AddWithValue("$correct", correct ? 1 : 0);
            insert.Parameters.AddWithValue("$mistake", (object?)mistake ?? DBNull.Value);
            insert.Parameters.AddWithValue("$now", LearnDatabase.Now());
            insert.ExecuteNonQuery();

            var solved = Solved(connection, transaction, learnerId);
            if (correct)
            {
                CompleteModules(connection, transaction, learnerId, solved, [module]);
            }

            var after = Progress(connection, transaction, learnerId, exerciseId);
            return new RecordedAttempt(after.Attempts, solved.Contains(exerciseId), Completed(connection, transaction, learnerId).Contains(module.Id));
        });
    }

    /// <summary>The 409 for an answer to <paramref name="sent"/> when the learner is on <paramref name="current"/>.</summary>
    public static WebRequestException Stale(int sent, int current) => new(
        StatusCodes.Status409Conflict,
        $"This answer is for variant {sent}, but the exercise has moved on to variant {current} (in another tab?). Reload the exercise to see its numbers.");

    /// <summary>Everything of <paramref name="learnerId"/>'s progress, as the export file holds it.</summary>
    public ProgressFile Export(long learnerId, string learnerName) => database.Read(connection =>
    {
        var variants = new List<ProgressFile.VariantEntry?>();
        using (var select = Command(connection, null, "SELECT exercise_id, variant FROM exercise_variants WHERE learner_id = $learner ORDER BY exercise_id;"))
        {
            select.Parameters.AddWithValue("$learner", learnerId);
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                variants.Add(new ProgressFile.VariantEntry(reader.GetString(0), reader.GetInt32(1)));
            }
        }

        var attempts = new List<ProgressFile.AttemptEntry?>();
        using (var select = Command(connection, null, "SELECT exercise_id, variant, answer, correct, mistake, created_at FROM attempts WHERE learner_id = $learner ORDER BY id;"))
        {
            select.Parameters.AddWithValue("$learner", learnerId);
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                attempts.Add(new ProgressFile.AttemptEntry(
                    reader.GetString(0), reader.GetInt32(1), reader.GetString(2), reader.GetInt32(3) == 1, reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetString(5)));
            }
        }

        var completions = new List<ProgressFile.CompletionEntry?>();
        using (var select = Command(connection, null, "SELECT module_id, completed_at FROM completions WHERE learner_id = $learner ORDER BY module_id;"))
        {
            select.Parameters.AddWithValue("$learner", learnerId);
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                completions.Add(new ProgressFile.CompletionEntry(reader.GetString(0), reader.GetString(1)));
            }
        }

        return new ProgressFile(ProgressFile.FormatName, ProgressFile.CurrentVersion, LearnDatabase.Now(), learnerName, variants, attempts, completions);
    });

    /// <summary>
    /// Merges a validated <paramref name="file"/> into <paramref name="learnerId"/>'s progress in one transaction:
    /// attempts already present (same exercise, variant, answer, verdict, mistake and time) are skipped, variants only
    /// move forward, completions are kept, and modules the merged attempts complete are recorded. Importing the same file
    /// twice changes nothing the second time.
    /// </summary>
    /// <returns>The attempts and completions added.</returns>
    public (int Attempts, int Completions) Import(long learnerId, ProgressFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return database.Write((connection, transaction) =>
        {
            int before = Completed(connection, transaction, learnerId).Count;
            foreach (var entry in file.Variants ?? [])
            {
                using var upsert = Command(connection, transaction, """
                    INSERT INTO exercise_variants (learner_id, exercise_id, variant) VALUES ($learner, $exercise, $variant)
                    ON CONFLICT (learner_id, exercise_id) DO UPDATE SET variant = max(variant, excluded.variant);
                    """);
                upsert.Parameters.AddWithValue("$learner", learnerId);
                upsert.Parameters.AddWithValue("$exercise", entry!.Exercise);
                upsert.Parameters.AddWithValue("$variant", entry.Variant!.Value);
                upsert.ExecuteNonQuery();
            }

            int added = 0;
            foreach (var entry in file.Attempts ?? [])
            {
                using var insert = Command(connection, transaction, """
                    INSERT INTO attempts (learner_id, exercise_id, variant, answer, correct, mistake, created_at)
                    SELECT $learner, $exercise, $variant, $answer, $correct, $mistake, $created
                    WHERE NOT EXISTS (
                        SELECT 1 FROM attempts WHERE learner_id = $learner AND exercise_id = $exercise AND variant = $variant
                            AND answer = $answer AND correct = $correct AND mistake IS $mistake AND created_at = $created);
                    """);
                insert.Parameters.AddWithValue("$learner", learnerId);
                insert.Parameters.AddWithValue("$exercise", entry!.Exercise);
                insert.Parameters.AddWithValue("$variant", entry.Variant!.Value);
                insert.Parameters.AddWithValue("$answer", entry.Answer);
                insert.Parameters.AddWithValue("$correct", entry.Correct == true ? 1 : 0);
                insert.Parameters.AddWithValue("$mistake", (object?)entry.Mistake ?? DBNull.Value);
                insert.Parameters.AddWithValue("$created", entry.Created);
                added += insert.ExecuteNonQuery();
            }

            foreach (var entry in file.Completions ?? [])
            {
                using var insert = Command(connection, transaction, """
                    INSERT INTO completions (learner_id, module_id, completed_at) VALUES ($learner, $module, $completed)
                    ON CONFLICT (learner_id, module_id) DO NOTHING;
                    """);
                insert.Parameters.AddWithValue("$learner", learnerId);
                insert.Parameters.AddWithValue("$module", entry!.Module);
                insert.Parameters.AddWithValue("$completed", entry.Completed);
                insert.ExecuteNonQuery();
            }

            CompleteModules(connection, transaction, learnerId, Solved(connection, transaction, learnerId), course.Modules);
            return (added, Completed(connection, transaction, learnerId).Count - before);
        });
    }

    private static void CompleteModules(SqliteConnection connection, SqliteTransaction transaction, long learnerId, IReadOnlySet<string> solved, IEnumerable<CourseModule> modules)
    {
        foreach (var module in modules.Where(m => m.Exercises.Count > 0 && m.Exercises.All(e => solved.Contains(e.Id))))
        {
            using var insert = Command(connection, transaction, """
                INSERT INTO completions (learner_id, module_id, completed_at) VALUES ($learner, $module, $now)
                ON CONFLICT (learner_id, module_id) DO NOTHING;
                """);
            insert.Parameters.AddWithValue("$learner", learnerId);
            insert.Parameters.AddWithValue("$module", module.Id);
            insert.Parameters.AddWithValue("$now", LearnDatabase.Now());
            insert.ExecuteNonQuery();
        }
    }

    private static HashSet<string> Solved(SqliteConnection connection, SqliteTransaction? transaction, long learnerId)
    {
        using var select = Command(connection, transaction, "SELECT DISTINCT exercise_id FROM attempts WHERE learner_id = $learner AND correct = 1;");
        select.Parameters.AddWithValue("$learner", learnerId);
        using var reader = select.ExecuteReader();
        var solved = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            solved.Add(reader.GetString(0));
        }

        return solved;
    }

    private static HashSet<string> Completed(SqliteConnection connection, SqliteTransaction? transaction, long learnerId)
    {
        using var select = Command(connection, transaction, "SELECT module_id FROM completions WHERE learner_id = $learner;");
        select.Parameters.AddWithValue("$learner", learnerId);
        using var reader = select.ExecuteReader();
        var modules = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            modules.Add(reader.GetString(0));
        }

        return modules;
    }

    private static int CurrentVariant(SqliteConnection connection, SqliteTransaction? transaction, long learnerId, string exerciseId)
    {
        using var select = Command(connection, transaction, "SELECT variant FROM exercise_variants WHERE learner_id = $learner AND exercise_id = $exercise;");
        select.Parameters.AddWithValue("$learner", learnerId);
        select.Parameters.AddWithValue("$exercise", exerciseId);
        return select.ExecuteScalar() is long variant ? (int)variant : 0;
    }

    private static VariantProgress Progress(SqliteConnection connection, SqliteTransaction? transaction, long learnerId, string exerciseId)
    {
        int variant = CurrentVariant(connection, transaction, learnerId, exerciseId);
        using var select = Command(connection, transaction, """
            SELECT
                coalesce(sum(variant = $variant), 0),
                coalesce(sum(variant = $variant AND correct = 0), 0),
                coalesce(max(variant = $variant AND correct = 1), 0),
                coalesce(max(correct), 0)
            FROM attempts WHERE learner_id = $learner AND exercise_id = $exercise;
            """);
        select.Parameters.AddWithValue("$learner", learnerId);
        select.Parameters.AddWithValue("$exercise", exerciseId);
        select.Parameters.AddWithValue("$variant", variant);
        using var reader = select.ExecuteReader();
        reader.Read();
        return new VariantProgress(variant, reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2) == 1, reader.GetInt32(3) == 1);
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }
}
