using System.Net;

namespace Nonlinear.Web.Classroom;

/// <summary>
/// Wrong classroom codes per client address in the current minute: after <see cref="MaxWrongPerMinute"/> the address
/// is turned away until its minute ends, even with the right code, so nobody can try the 10⁹ join codes one by one.
/// Memory is bounded: at most <see cref="MaxAddresses"/> addresses are tracked; past that, newcomers share one count
/// (a flood from thousands of addresses then slows down every newcomer, while the class already seen is unaffected).
/// An IPv6 client counts by its /64 network, since one machine commonly holds a whole /64.
/// </summary>
internal sealed class CodeGuesses(TimeProvider clock)
{
    /// <summary>Wrong codes one address may send per minute.</summary>
    public const int MaxWrongPerMinute = 10;

    /// <summary>The most addresses remembered at once.</summary>
    public const int MaxAddresses = 4096;

    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private static readonly IPAddress Overflow = IPAddress.None;

    private readonly Dictionary<IPAddress, (DateTimeOffset Start, int Wrong)> _wrong = [];
    private readonly Lock _lock = new();

    /// <summary>A tracker on the system clock.</summary>
    public CodeGuesses()
        : this(TimeProvider.System)
    {
    }

    /// <summary>How long <paramref name="address"/> must wait before trying again; null when it may try now.</summary>
    public TimeSpan? Wait(IPAddress? address)
    {
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            var key = Key(address);
            if (!_wrong.TryGetValue(key, out var entry) && (_wrong.Count < MaxAddresses || !_wrong.TryGetValue(Overflow, out entry)))
            {
                return null;
            }

            var end = entry.Start + Window;
            return entry.Wrong >= MaxWrongPerMinute && end > now ? end - now : null;
        }
    }

    /// <summary>Counts a wrong code from <paramref name="address"/>.</summary>
    public void Wrong(IPAddress? address)
    {
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            var key = Key(address);
            if (!_wrong.ContainsKey(key) && _wrong.Count >= MaxAddresses)
            {
                foreach (var old in _wrong.Where(e => e.Value.Start + Window <= now).Select(e => e.Key).ToList())
                {
                    _wrong.Remove(old);
                }

                if (_wrong.Count >= MaxAddresses)
                {
                    key = Overflow;
                }
            }

            _wrong[key] = _wrong.TryGetValue(key, out var entry) && entry.Start + Window > now ? (entry.Start, entry.Wrong + 1) : (now, 1);
        }
    }

    /// <summary>The number of addresses tracked (for the test of the bound).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _wrong.Count;
            }
        }
    }

    // An IPv4 client seen on a dual-stack socket counts as itself; a missing address (in-memory test server) as one client.
    private static IPAddress Key(IPAddress? address)
    {
        if (address is null)
        {
            return IPAddress.Loopback;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            return address;
        }

        byte[] bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes);
    }
}
