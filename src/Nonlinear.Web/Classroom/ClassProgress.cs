using Microsoft.Data.Sqlite;
using Nonlinear.Web.Learn;
using Nonlinear.Web.Learners;
using Nonlinear.Web.Storage;

namespace Nonlinear.Web.Classroom;

/// <summary>
/// The class at a glance for the instructor: each learner's completed modules (table completions, or every exercise
/// of the module solved) and solved exercises, and per exercise how many tried, answered right and solved it. The
/// instructor's own profile is not a learner and its attempts do not count.
/// </summary>
internal sealed class ClassProgress(LearnDatabase database, Course course)
{
    /// <summary>The whole table, read in one snapshot.</summary>
    public ClassProgressReport Read() => database.Read(connection =>
    {
        // One read transaction: every query sees the same moment, even while learners keep answering.
        using var snapshot = connection.BeginTransaction(deferred: true);
        var learners = Learners(connection, snapshot);
        var completed = Pairs(connection, snapshot, "SELECT learner_id, module_id FROM completions;");
        var solved = Pairs(connection, snapshot, "SELECT DISTINCT learner_id, exercise_id FROM attempts WHERE correct = 1;");
        var lastSeen = LastSeen(connection, snapshot);
        var tries = Tries(connection, snapshot);

        var rows = learners.Select(l =>
        {
            var modules = new Dictionary<string, bool>(StringComparer.Ordinal);
            var moduleSolved = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var module in course.Modules)
            {
                int count = module.Exercises.Count(e => solved.Contains((l.Id, e.Id)));
                moduleSolved[module.Id] = count;
                modules[module.Id] = completed.Contains((l.Id, module.Id)) || (module.Exercises.Count > 0 && count == module.Exercises.Count);
            }

            return new ClassProgressReport.Learner(l.Id, l.Name, moduleSolved.Values.Sum(), modules, moduleSolved, lastSeen.GetValueOrDefault(l.Id));
        }).ToList();

        var ids = learners.Select(l => l.Id).ToHashSet();
        var exercises = course.Modules.SelectMany(m => m.Exercises).Select(e =>
        {
            var counted = tries.GetValueOrDefault(e.Id, []).Where(t => ids.Contains(t.LearnerId)).ToList();
            int attempts = counted.Sum(t => t.Attempts);
            int solvedBy = counted.Count(t => t.Correct > 0);
            return new ClassProgressReport.Exercise(
                e.Id,
                e.ModuleId,
                e.Title,
                attempts,
                counted.Sum(t => t.Correct),
                counted.Count,
                solvedBy,
                counted.Count == 0 ? null : (double)solvedBy / counted.Count);
        }).ToList();

        var modules = course.Modules.Select(m => new ClassProgressReport.Module(m.Id, m.Number, m.Title, m.Exercises.Count)).ToList();
        return new ClassProgressReport(rows, modules, exercises);
    });

    private static List<(long Id, string Name)> Learners(SqliteConnection connection, SqliteTransaction snapshot)
    {
        using var select = connection.CreateCommand();
        select.Transaction = snapshot;

        // The instructor's profile: its name is kept for it, and any profile that signed in as instructor.
        select.CommandText = """
            SELECT id, name FROM learners
            WHERE name <> $instructor
              AND id NOT IN (SELECT learner_id FROM sessions WHERE role = 'instructor' AND learner_id IS NOT NULL)
            ORDER BY name COLLATE NOCASE, id;
            """;
        select.Parameters.AddWithValue("$instructor", IdentityStore.InstructorName);
        using var reader = select.ExecuteReader();
        var learners = new List<(long, string)>();
        while (reader.Read())
        {
            learners.Add((reader.GetInt64(0), reader.GetString(1)));
        }

        return learners;
    }

    private static HashSet<(long, string)> Pairs(SqliteConnection connection, SqliteTransaction snapshot, string sql)
    {
        using var select = connection.CreateCommand();
        select.Transaction = snapshot;
        select.CommandText = sql;
        using var reader = select.ExecuteReader();
        var pairs = new HashSet<(long, string)>();
        while (reader.Read())
        {
            pairs.Add((reader.GetInt64(0), reader.GetString(1)));
        }

        return pairs;
    }

    private static Dictionary<long, string> LastSeen(SqliteConnection connection, SqliteTransaction snapshot)
    {
        using var select = connection.CreateCommand();
        select.Transaction = snapshot;

        // Times are stored as ISO 8601 UTC strings of one width, so the largest string is the latest time.
        select.CommandText = """
            SELECT learner_id, max(at) FROM (
                SELECT learner_id, created_at AS at FROM attempts
                UNION ALL SELECT learner_id, last_seen FROM sessions WHERE learner_id IS NOT NULL
                UNION ALL SELECT learner_id, created_at FROM posts)
            GROUP BY learner_id;
            """;
        using var reader = select.ExecuteReader();
        var seen = new Dictionary<long, string>();
        while (reader.Read())
        {
            seen[reader.GetInt64(0)] = reader.GetString(1);
        }

        return seen;
    }

    private static Dictionary<string, List<(long LearnerId, int Attempts, int Correct)>> Tries(SqliteConnection connection, SqliteTransaction snapshot)
    {
        using var select = connection.CreateCommand();
        select.Transaction = snapshot;
        select.CommandText = "SELECT exercise_id, learner_id, count(*), sum(correct) FROM attempts GROUP BY exercise_id, learner_id;";
        using var reader = select.ExecuteReader();
        var tries = new Dictionary<string, List<(long, int, int)>>(StringComparer.Ordinal);
        while (reader.Read())
        {
            string exercise = reader.GetString(0);
            if (!tries.TryGetValue(exercise, out var list))
            {
                tries[exercise] = list = [];
            }

            list.Add((reader.GetInt64(1), reader.GetInt32(2), reader.GetInt32(3)));
        }

        return tries;
    }
}
