using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Nonlinear.Web.Storage;

namespace Nonlinear.Web.Learners;

/// <summary>Learner profiles and their browser sessions (tables learners and sessions).</summary>
internal sealed class IdentityStore(LearnDatabase database)
{
    /// <summary>The longest profile name.</summary>
    public const int MaxNameLength = 40;

    /// <summary>The name of the classroom instructor's profile (kept from learners in a classroom).</summary>
    public const string InstructorName = "Instructor";

    /// <summary>
    /// The profile named <paramref name="name"/> (names compare case-insensitively), created when missing.
    /// </summary>
    public SignedIn Profile(string name, string role)
    {
        string clean = CleanName(name);
        return database.Write((connection, transaction) => Upsert(connection, transaction, clean, role));
    }

    /// <summary>The names of all profiles, in the order they were made.</summary>
    public IReadOnlyList<string> Names() => database.Read(connection =>
    {
        using var select = connection.CreateCommand();
        select.CommandText = "SELECT name FROM learners ORDER BY id;";
        using var reader = select.ExecuteReader();
        var names = new List<string>();
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    });

    /// <summary>Starts a session for <paramref name="who"/>; returns the token the cookie carries.</summary>
    public string StartSession(SignedIn who)
    {
        ArgumentNullException.ThrowIfNull(who);
        return database.Write((connection, transaction) => InsertSession(connection, transaction, who));
    }

    /// <summary>
    /// A classroom learner joining as <paramref name="name"/>: the profile (made when missing) and a new session's
    /// token; null when the name is taken, i.e. its profile has a session that has not signed out (another learner is
    /// using it). Checked and claimed in one transaction, so two learners joining with one name at once cannot both
    /// get it.
    /// </summary>
    public (SignedIn Who, string Token)? Join(string name)
    {
        string clean = CleanName(name);
        return database.Write<(SignedIn, string)?>((connection, transaction) =>
        {
            using var taken = connection.CreateCommand();
            taken.Transaction = transaction;
            taken.CommandText = "SELECT EXISTS (SELECT 1 FROM sessions s JOIN learners l ON l.id = s.learner_id WHERE l.name = $name);";
            taken.Parameters.AddWithValue("$name", clean);
            if (Convert.ToInt64(taken.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) != 0)
            {
                return null;
            }

            var who = Upsert(connection, transaction, clean, SignedIn.LearnerRole);
            return (who, InsertSession(connection, transaction, who));
        });
    }

    private static SignedIn Upsert(SqliteConnection connection, SqliteTransaction transaction, string clean, string role)
    {
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO learners (name, created_at) VALUES ($name, $now) ON CONFLICT (name) DO NOTHING;";
        insert.Parameters.AddWithValue("$name", clean);
        insert.Parameters.AddWithValue("$now", LearnDatabase.Now());
        insert.ExecuteNonQuery();

        using var select = connection.CreateCommand();
        select.Transaction = transaction;
        select.CommandText = "SELECT id, name FROM learners WHERE name = $name;";
        select.Parameters.AddWithValue("$name", clean);
        using var reader = select.ExecuteReader();
        reader.Read();
        return new SignedIn(reader.GetInt64(0), reader.GetString(1), role);
    }

    private static string InsertSession(SqliteConnection connection, SqliteTransaction transaction, SignedIn who)
    {
        string token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO sessions (token_hash, learner_id, role, created_at, last_seen) VALUES ($hash, $learner, $role, $now, $now);";
        insert.Parameters.AddWithValue("$hash", Hash(token));
        insert.Parameters.AddWithValue("$learner", who.LearnerId);
        insert.Parameters.AddWithValue("$role", who.Role);
        insert.Parameters.AddWithValue("$now", LearnDatabase.Now());
        insert.ExecuteNonQuery();
        return token;
    }

    /// <summary>Who holds <paramref name="token"/>, or null for an unknown or ended session.</summary>
    public SignedIn? Find(string token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 100)
        {
            return null;
        }

        return database.Read(connection =>
        {
            using var select = connection.CreateCommand();
            select.CommandText = "SELECT l.id, l.name, s.role FROM sessions s JOIN learners l ON l.id = s.learner_id WHERE s.token_hash = $hash;";
            select.Parameters.AddWithValue("$hash", Hash(token));
            using var reader = select.ExecuteReader();
            return reader.Read() ? new SignedIn(reader.GetInt64(0), reader.GetString(1), reader.GetString(2)) : null;
        });
    }

    /// <summary>Ends the session of <paramref name="token"/> (signing out).</summary>
    public void EndSession(string token) => database.Write((connection, transaction) =>
    {
        using var delete = connection.CreateCommand();
        delete.Transaction = transaction;
        delete.CommandText = "DELETE FROM sessions WHERE token_hash = $hash;";
        delete.Parameters.AddWithValue("$hash", Hash(token));
        return delete.ExecuteNonQuery();
    });

    /// <summary>The SHA-256 of a token: what the table keeps, so a copy of the file signs nobody in.</summary>
    public static byte[] Hash(string token) => SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token));

    /// <summary>A name trimmed and checked: 1-40 characters, letters, digits, spaces and . _ ' -.</summary>
    public static string CleanName(string? name)
    {
        string clean = (name ?? "").Trim();
        if (clean.Length == 0)
        {
            throw WebRequestException.BadRequest("Give a name for your profile (1-40 characters).");
        }

        if (clean.Length > MaxNameLength)
        {
            throw WebRequestException.BadRequest($"A profile name has at most {MaxNameLength} characters; this one has {clean.Length}.");
        }

        foreach (char c in clean)
        {
            if (!(char.IsLetterOrDigit(c) || c is ' ' or '.' or '_' or '\'' or '-'))
            {
                throw WebRequestException.BadRequest($"A profile name may hold letters, digits, spaces and . _ ' - only; '{c}' is not allowed.");
            }
        }

        return clean;
    }
}
