namespace Nonlinear.Web.Storage;

/// <summary>
/// The schema, one script per version: <c>PRAGMA user_version</c> is the number of scripts applied. A released
/// script never changes; a change of schema is a new script appended here (tests open a database of every
/// earlier version and migrate it).
/// </summary>
internal static class Migrations
{
    /// <summary>The scripts in order; version N is reached by running scripts 1..N.</summary>
    public static IReadOnlyList<string> Scripts { get; } =
    [
        // 1: learners and their sessions, exercise attempts and completed modules, discussion threads and posts.
        """
        CREATE TABLE learners (
            id         INTEGER PRIMARY KEY,
            name       TEXT NOT NULL COLLATE NOCASE UNIQUE,
            created_at TEXT NOT NULL
        );

        -- A browser's sign-in: the cookie holds a random token, the table only its SHA-256.
        CREATE TABLE sessions (
            token_hash BLOB PRIMARY KEY,
            learner_id INTEGER REFERENCES learners(id) ON DELETE CASCADE,
            role       TEXT NOT NULL CHECK (role IN ('learner', 'instructor')),
            created_at TEXT NOT NULL,
            last_seen  TEXT NOT NULL
        );

        -- The variant a learner is working on per exercise (the numbers come from a seed of learner, exercise, variant).
        CREATE TABLE exercise_variants (
            learner_id  INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
            exercise_id TEXT NOT NULL,
            variant     INTEGER NOT NULL,
            PRIMARY KEY (learner_id, exercise_id)
        );

        CREATE TABLE attempts (
            id          INTEGER PRIMARY KEY,
            learner_id  INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
            exercise_id TEXT NOT NULL,
            variant     INTEGER NOT NULL,
            answer      TEXT NOT NULL,
            correct     INTEGER NOT NULL CHECK (correct IN (0, 1)),
            mistake     TEXT,
            created_at  TEXT NOT NULL
        );
        CREATE INDEX attempts_by_learner ON attempts (learner_id, exercise_id);
        CREATE INDEX attempts_by_exercise ON attempts (exercise_id);

        CREATE TABLE completions (
            learner_id   INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
            module_id    TEXT NOT NULL,
            completed_at TEXT NOT NULL,
            PRIMARY KEY (learner_id, module_id)
        );

        -- board: a module id (m1..m9) or 'general'.
        CREATE TABLE threads (
            id         INTEGER PRIMARY KEY,
            board      TEXT NOT NULL,
            title      TEXT NOT NULL,
            learner_id INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            hidden     INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1))
        );
        CREATE INDEX threads_by_board ON threads (board, id);

        CREATE TABLE posts (
            id         INTEGER PRIMARY KEY,
            thread_id  INTEGER NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
            learner_id INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
            body       TEXT NOT NULL,
            created_at TEXT NOT NULL,
            hidden     INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1))
        );
        CREATE INDEX posts_by_thread ON posts (thread_id, id);
        """,

        // 2: the server's own settings, e.g. the random key that signs the forgery-protection cookie (kept here, so
        // sessions and their cookies survive a restart).
        """
        CREATE TABLE settings (
            key   TEXT PRIMARY KEY,
            value BLOB NOT NULL
        );
        """,
    ];
}
