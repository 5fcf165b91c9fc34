using System.Security.Cryptography;
using Nonlinear.Data;

namespace Nonlinear.Web.Uploads;

/// <summary>
/// The uploaded tables, in memory: at most <see cref="PlaygroundLimits.MaxUploads"/> of them and
/// <see cref="PlaygroundLimits.MaxUploadMemoryBytes"/> together (the least recently used is dropped to make room),
/// each for <see cref="PlaygroundLimits.UploadLifetime"/>. A session holds on to the table it trains on, so dropping
/// one only stops new sessions from using it.
/// </summary>
internal sealed class UploadStore(PlaygroundLimits limits)
{
    private readonly Dictionary<string, CsvUpload> _uploads = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _uploads.Count;
            }
        }
    }

    /// <summary>Stores <paramref name="data"/> under a new id; 413 when the table alone is larger than the memory cap.</summary>
    public CsvUpload Add(Dataset data, string name)
    {
        ArgumentNullException.ThrowIfNull(data);
        long bytes = 4L * (data.Features.Length + data.Targets.Length);
        if (bytes > limits.MaxUploadMemoryBytes)
        {
            throw new WebRequestException(StatusCodes.Status413PayloadTooLarge,
                $"The table takes {Megabytes(bytes)} in memory; this server keeps at most {Megabytes(limits.MaxUploadMemoryBytes)} of uploads.");
        }

        var upload = new CsvUpload(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)), name, data, bytes);
        lock (_gate)
        {
            Expire();
            while (_uploads.Count > 0 && (_uploads.Count >= limits.MaxUploads || _uploads.Values.Sum(u => u.Bytes) + bytes > limits.MaxUploadMemoryBytes))
            {
                _uploads.Remove(_uploads.Values.MinBy(u => u.LastUsed)!.Id);
            }

            _uploads[upload.Id] = upload;
        }

        return upload;
    }

    /// <summary>
    /// The upload of that id, or a refusal saying how long uploads are kept: 404 by default (GET /api/uploads/{id}),
    /// 400 for a config that names it (the session exists; its config is what cannot be used).
    /// </summary>
    public CsvUpload Get(string? id, int status = StatusCodes.Status404NotFound)
    {
        lock (_gate)
        {
            Expire();
            if (id is not null && _uploads.TryGetValue(id, out var upload))
            {
                upload.LastUsed = Environment.TickCount64;
                return upload;
            }
        }

        throw new WebRequestException(status,
            $"No uploaded table '{id}' on this server: uploads are kept for {limits.UploadLifetime.TotalMinutes:0} minutes and the {limits.MaxUploads} most recent only. Upload the CSV file again.");
    }

    public bool Remove(string id)
    {
        lock (_gate)
        {
            return _uploads.Remove(id);
        }
    }

    private void Expire()
    {
        long now = Environment.TickCount64;
        foreach (var old in _uploads.Values.Where(u => now - u.Created > limits.UploadLifetime.TotalMilliseconds).ToArray())
        {
            _uploads.Remove(old.Id);
        }
    }

    internal static string Megabytes(long bytes) => bytes >= 1024 * 1024
        ? $"{bytes / (1024.0 * 1024.0):0.#} MB ({bytes} bytes)"
        : $"{bytes} bytes";
}
