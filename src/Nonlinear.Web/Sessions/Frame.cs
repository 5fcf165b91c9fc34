using System.Buffers;

namespace Nonlinear.Web.Sessions;

/// <summary>One encoded frame in a pooled buffer: return it with <see cref="Release"/> once sent or dropped.</summary>
internal sealed class Frame(byte[] buffer, int length, long number)
{
    private byte[]? _buffer = buffer;

    public int Length { get; } = length;

    public long Number { get; } = number;

    /// <summary>The page the frame was built for (its unanswered count includes it).</summary>
    public object? Target { get; set; }

    public ReadOnlyMemory<byte> Memory => _buffer is null ? ReadOnlyMemory<byte>.Empty : _buffer.AsMemory(0, Length);

    public void Release()
    {
        var b = Interlocked.Exchange(ref _buffer, null);
        if (b is not null)
        {
            ArrayPool<byte>.Shared.Return(b);
        }
    }
}
