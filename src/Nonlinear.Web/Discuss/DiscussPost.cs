namespace Nonlinear.Web.Discuss;

/// <summary>A stored post: its Markdown as written and who wrote it.</summary>
/// <param name="Id">The post's id.</param>
/// <param name="ThreadId">The thread it belongs to.</param>
/// <param name="LearnerId">Its author's learner id.</param>
/// <param name="Author">Its author's profile name.</param>
/// <param name="Body">The Markdown as written (rendered on reading).</param>
/// <param name="Created">When it was written (ISO 8601, UTC).</param>
/// <param name="Hidden">Whether the instructor hid it.</param>
internal sealed record DiscussPost(long Id, long ThreadId, long LearnerId, string Author, string Body, string Created, bool Hidden);
