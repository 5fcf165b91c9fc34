using Microsoft.Data.Sqlite;
using Nonlinear.Web.Storage;

namespace Nonlinear.Web.Discuss;

/// <summary>
/// Threads and posts (tables threads and posts). Every value goes in as a parameter; text is stored exactly as
/// given. A thread's <c>hidden</c> flag follows its first post's, so hiding the post that opened a thread hides its
/// title too.
/// </summary>
internal sealed class DiscussStore(LearnDatabase database)
{
    private const string ThreadColumns = """
        SELECT t.id, t.board, t.title, t.learner_id, l.name, t.created_at, t.hidden,
               (SELECT count(*) FROM posts p WHERE p.thread_id = t.id)
        FROM threads t JOIN learners l ON l.id = t.learner_id
        """;

    private const string PostColumns = """
        SELECT p.id, p.thread_id, p.learner_id, l.name, p.body, p.created_at, p.hidden
        FROM posts p JOIN learners l ON l.id = p.learner_id
        """;

    /// <summary>Up to <paramref name="count"/> threads of <paramref name="board"/> older than <paramref name="before"/>, newest first.</summary>
    public IReadOnlyList<DiscussThread> Threads(string board, long before, int count) => database.Read(connection =>
    {
        using var select = connection.CreateCommand();
        select.CommandText = ThreadColumns + " WHERE t.board = $board AND t.id < $before ORDER BY t.id DESC LIMIT $count;";
        select.Parameters.AddWithValue("$board", board);
        select.Parameters.AddWithValue("$before", before);
        select.Parameters.AddWithValue("$count", count);
        using var reader = select.ExecuteReader();
        var threads = new List<DiscussThread>();
        while (reader.Read())
        {
            threads.Add(ReadThread(reader));
        }

        return threads;
    });

    /// <summary>Thread <paramref name="id"/> and its posts in order, or null when there is none.</summary>
    public (DiscussThread Thread, IReadOnlyList<DiscussPost> Posts)? Thread(long id) => database.Read(connection =>
    {
        // One connection and one read transaction, so the posts match the thread (WAL: a snapshot).
        using var transaction = connection.BeginTransaction(deferred: true);
        var thread = FindThread(connection, transaction, id);
        if (thread is null)
        {
            return ((DiscussThread, IReadOnlyList<DiscussPost>)?)null;
        }

        using var select = connection.CreateCommand();
        select.Transaction = transaction;
        select.CommandText = PostColumns + " WHERE p.thread_id = $thread ORDER BY p.id;";
        select.Parameters.AddWithValue("$thread", id);
        using var reader = select.ExecuteReader();
        var posts = new List<DiscussPost>();
        while (reader.Read())
        {
            posts.Add(ReadPost(reader));
        }

        return (thread, posts);
    });

    /// <summary>Thread <paramref name="id"/> without its posts, or null when there is none.</summary>
    public DiscussThread? Find(long id) => database.Read(connection => FindThread(connection, null, id));

    /// <summary>Opens a thread on <paramref name="board"/> with its first post; returns the thread's id.</summary>
    public long CreateThread(string board, string title, string body, long learnerId) => database.Write((connection, transaction) =>
    {
        string now = LearnDatabase.Now();
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO threads (board, title, learner_id, created_at) VALUES ($board, $title, $learner, $now) RETURNING id;";
        insert.Parameters.AddWithValue("$board", board);
        insert.Parameters.AddWithValue("$title", title);
        insert.Parameters.AddWithValue("$learner", learnerId);
        insert.Parameters.AddWithValue("$now", now);
        long threadId = (long)insert.ExecuteScalar()!;
        InsertPost(connection, transaction, threadId, learnerId, body, now);
        return threadId;
    });

    /// <summary>
    /// Adds a post to thread <paramref name="threadId"/> and returns it; null when the thread does not exist. A thread
    /// the instructor hid takes replies only from the instructor (<paramref name="instructor"/>): others get a 409.
    /// </summary>
    public DiscussPost? Reply(long threadId, long learnerId, string body, bool instructor) => database.Write((connection, transaction) =>
    {
        var thread = FindThread(connection, transaction, threadId);
        if (thread is null)
        {
            return null;
        }

        if (thread.Hidden && !instructor)
        {
            throw new WebRequestException(StatusCodes.Status409Conflict, "The instructor hid this thread; it takes no more replies.");
        }

        long postId = InsertPost(connection, transaction, threadId, learnerId, body, LearnDatabase.Now());
        return FindPost(connection, transaction, postId);
    });

    /// <summary>Hides or shows post <paramref name="postId"/> (and its thread when it is the first post); false when there is none.</summary>
    public bool SetHidden(long postId, bool hidden) => database.Write((connection, transaction) =>
    {
        using var update = connection.CreateCommand();
        update.Transaction = transaction;
        update.CommandText = """
            UPDATE posts SET hidden = $hidden WHERE id = $post;
            UPDATE threads SET hidden = $hidden
            WHERE id = (SELECT thread_id FROM posts WHERE id = $post)
              AND $post = (SELECT min(id) FROM posts WHERE thread_id = threads.id);
            """;
        update.Parameters.AddWithValue("$hidden", hidden ? 1 : 0);
        update.Parameters.AddWithValue("$post", postId);
        update.ExecuteNonQuery();
        return FindPost(connection, transaction, postId) is not null;
    });

    /// <summary>
    /// Deletes post <paramref name="postId"/>; deleting a thread's first post deletes the thread with all its posts.
    /// Null when there is no such post; otherwise the thread's id and whether the thread went too.
    /// </summary>
    public (long ThreadId, bool ThreadDeleted)? Delete(long postId) => database.Write((connection, transaction) =>
    {
        using var find = connection.CreateCommand();
        find.Transaction = transaction;
        find.CommandText = "SELECT thread_id, id = (SELECT min(id) FROM posts q WHERE q.thread_id = p.thread_id) FROM posts p WHERE id = $post;";
        find.Parameters.AddWithValue("$post", postId);
        long threadId;
        bool first;
        using (var reader = find.ExecuteReader())
        {
            if (!reader.Read())
            {
                return ((long, bool)?)null;
            }

            threadId = reader.GetInt64(0);
            first = reader.GetBoolean(1);
        }

        using var delete = connection.CreateCommand();
        delete.Transaction = transaction;

        // The posts of a deleted thread go with it (ON DELETE CASCADE; foreign keys are on for every connection).
        delete.CommandText = first ? "DELETE FROM threads WHERE id = $thread;" : "DELETE FROM posts WHERE id = $post;";
        delete.Parameters.AddWithValue("$thread", threadId);
        delete.Parameters.AddWithValue("$post", postId);
        delete.ExecuteNonQuery();
        return (threadId, first);
    });

    private static long InsertPost(SqliteConnection connection, SqliteTransaction transaction, long threadId, long learnerId, string body, string now)
    {
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO posts (thread_id, learner_id, body, created_at) VALUES ($thread, $learner, $body, $now) RETURNING id;";
        insert.Parameters.AddWithValue("$thread", threadId);
        insert.Parameters.AddWithValue("$learner", learnerId);
        insert.Parameters.AddWithValue("$body", body);
        insert.Parameters.AddWithValue("$now", now);
        return (long)insert.ExecuteScalar()!;
    }

    private static DiscussThread? FindThread(SqliteConnection connection, SqliteTransaction? transaction, long id)
    {
        using var select = connection.CreateCommand();
        select.Transaction = transaction;
        select.CommandText = ThreadColumns + " WHERE t.id = $id;";
        select.Parameters.AddWithValue("$id", id);
        using var reader = select.ExecuteReader();
        return reader.Read() ? ReadThread(reader) : null;
    }

    private static DiscussPost? FindPost(SqliteConnection connection, SqliteTransaction? transaction, long id)
    {
        using var select = connection.CreateCommand();
        select.Transaction = transaction;
        select.CommandText = PostColumns + " WHERE p.id = $id;";
        select.Parameters.AddWithValue("$id", id);
        using var reader = select.ExecuteReader();
        return reader.Read() ? ReadPost(reader) : null;
    }

    private static DiscussThread ReadThread(SqliteDataReader reader) => new(
        reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetString(4),
        reader.GetString(5), reader.GetInt64(6) != 0, reader.GetInt32(7));

    private static DiscussPost ReadPost(SqliteDataReader reader) => new(
        reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4),
        reader.GetString(5), reader.GetInt64(6) != 0);
}
