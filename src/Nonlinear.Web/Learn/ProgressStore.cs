using Nonlinear.Web.Storage;

namespace Nonlinear.Web.Learn;

/// <summary>What a learner has done: attempts, solved exercises and completed modules (tables attempts, completions).</summary>
internal sealed class ProgressStore(LearnDatabase database)
{
    /// <summary>The ids of the exercises <paramref name="learnerId"/> has solved at least once.</summary>
    public IReadOnlySet<string> Solved(long learnerId) => database.Read(connection =>
    {
        using var select = connection.CreateCommand();
        select.CommandText = "SELECT DISTINCT exercise_id FROM attempts WHERE learner_id = $learner AND correct = 1;";
        select.Parameters.AddWithValue("$learner", learnerId);
        using var reader = select.ExecuteReader();
        var solved = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            solved.Add(reader.GetString(0));
        }

        return solved;
    });
}
