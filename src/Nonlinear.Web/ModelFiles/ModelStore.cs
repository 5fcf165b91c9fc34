using System.Security.Cryptography;
using Nonlinear.Serialization;
using Nonlinear.Web.Uploads;

namespace Nonlinear.Web.ModelFiles;

/// <summary>
/// The model files opened in the Model tab, in memory: at most <see cref="PlaygroundLimits.MaxModels"/> of them (the
/// least recently used is dropped to make room), each for <see cref="PlaygroundLimits.UploadLifetime"/>, as the CSV
/// uploads are kept.
/// </summary>
internal sealed class ModelStore(PlaygroundLimits limits)
{
    private readonly Dictionary<string, ModelUpload> _models = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>One evaluation at a time on the server: each is a few passes over 500 images, and the cores are shared with training sessions.</summary>
    public SemaphoreSlim Evaluations { get; } = new(1, 1);

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _models.Count;
            }
        }
    }

    /// <summary>Stores <paramref name="saved"/> under a new id.</summary>
    public ModelUpload Add(SavedModel saved, string name, string format, long bytes)
    {
        ArgumentNullException.ThrowIfNull(saved);
        var upload = new ModelUpload(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)), name, format, saved, bytes);
        lock (_gate)
        {
            Expire();
            while (_models.Count >= limits.MaxModels)
            {
                _models.Remove(_models.Values.MinBy(m => m.LastUsed)!.Id);
            }

            _models[upload.Id] = upload;
        }

        return upload;
    }

    /// <summary>The model of that id, or a 404 saying how long models are kept.</summary>
    public ModelUpload Get(string? id)
    {
        lock (_gate)
        {
            Expire();
            if (id is not null && _models.TryGetValue(id, out var upload))
            {
                upload.LastUsed = Environment.TickCount64;
                return upload;
            }
        }

        throw WebRequestException.NotFound(
            $"No model file '{id}' on this server: model files are kept for {limits.UploadLifetime.TotalMinutes:0} minutes and the {limits.MaxModels} most recent only. Open the file again.");
    }

    public bool Remove(string id)
    {
        lock (_gate)
        {
            return _models.Remove(id);
        }
    }

    private void Expire()
    {
        long now = Environment.TickCount64;
        foreach (var old in _models.Values.Where(m => now - m.Created > limits.UploadLifetime.TotalMilliseconds).ToArray())
        {
            _models.Remove(old.Id);
        }
    }

    internal static string Megabytes(long bytes) => UploadStore.Megabytes(bytes);
}
