namespace Nonlinear.Web.Discuss;

/// <summary>A stored thread: its board, title, who opened it and how many posts it has.</summary>
/// <param name="Id">The thread's id.</param>
/// <param name="Board">"general" or a module id (m1..m9).</param>
/// <param name="Title">The title as written (trimmed).</param>
/// <param name="LearnerId">Who opened it.</param>
/// <param name="Author">Their profile name.</param>
/// <param name="Created">When it was opened (ISO 8601, UTC).</param>
/// <param name="Hidden">Whether the instructor hid it (by hiding its first post).</param>
/// <param name="Posts">Its posts, the first one included.</param>
internal sealed record DiscussThread(long Id, string Board, string Title, long LearnerId, string Author, string Created, bool Hidden, int Posts);
