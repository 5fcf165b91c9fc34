using System.Security.Cryptography;
using System.Text;
using Nonlinear.Web.Storage;

namespace Nonlinear.Web.Security;

/// <summary>
/// The server's secret for the forgery token: <c>nl_csrf</c> = HMAC-SHA256(key, session token), base64url. The page
/// reads that cookie and echoes it in <c>X-CSRF-Token</c>; another site can neither read it nor compute it (a cookie it
/// plants does not match the session). The key is random per database and kept in its settings table, so tokens
/// stay valid across restarts.
/// </summary>
internal sealed class CsrfKey
{
    /// <summary>The cookie the page reads the token from (not HttpOnly, SameSite=Strict).</summary>
    public const string CookieName = "nl_csrf";

    /// <summary>The header that carries the token on every state-changing request.</summary>
    public const string HeaderName = "X-CSRF-Token";

    private const string SettingName = "csrf-key";

    private readonly byte[] _key;

    /// <summary>The key of <paramref name="database"/>, made and stored on first use.</summary>
    public CsrfKey(LearnDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _key = database.Write((connection, transaction) =>
        {
            // Two servers opening the same new file at once both insert; the first wins and both read its key.
            using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO settings (key, value) VALUES ($key, $value) ON CONFLICT (key) DO NOTHING;";
            insert.Parameters.AddWithValue("$key", SettingName);
            insert.Parameters.AddWithValue("$value", RandomNumberGenerator.GetBytes(32));
            insert.ExecuteNonQuery();

            using var select = connection.CreateCommand();
            select.Transaction = transaction;
            select.CommandText = "SELECT value FROM settings WHERE key = $key;";
            select.Parameters.AddWithValue("$key", SettingName);
            return (byte[])select.ExecuteScalar()!;
        });
    }

    /// <summary>The forgery token that goes with <paramref name="sessionToken"/>.</summary>
    public string Token(string sessionToken)
    {
        ArgumentNullException.ThrowIfNull(sessionToken);
        return Base64Url(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(sessionToken)));
    }

    /// <summary>Whether <paramref name="token"/> is the forgery token of <paramref name="sessionToken"/> (constant time).</summary>
    public bool Matches(string sessionToken, string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 100)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Token(sessionToken)), Encoding.ASCII.GetBytes(token));
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
