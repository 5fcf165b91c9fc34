namespace Nonlinear.Web;

/// <summary>
/// Caps that keep one server usable by a class: each refusal is a 4xx whose message names the cap. All are
/// configurable (configuration section "Nonlinear:Limits", e.g. <c>Nonlinear__Limits__MaxSessions=64</c>).
/// </summary>
public sealed class PlaygroundLimits
{
    /// <summary>Sessions (browser tabs) open at once.</summary>
    public int MaxSessions { get; set; } = 40;

    /// <summary>Hidden layers per network.</summary>
    public int MaxHiddenLayers { get; set; } = 6;

    /// <summary>Neurons per hidden layer.</summary>
    public int MaxNeurons { get; set; } = 8;

    /// <summary>Points in a generated 2-D dataset (train and test together).</summary>
    public int MaxSamples { get; set; } = 2000;

    /// <summary>Bytes of an uploaded CSV file.</summary>
    public long MaxUploadBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>Rows of an uploaded CSV file.</summary>
    public int MaxUploadRows { get; set; } = 100_000;

    /// <summary>Uploaded tables kept at once (the least recently used goes first).</summary>
    public int MaxUploads { get; set; } = 32;

    /// <summary>Memory of all uploaded tables together, in bytes of their numbers (the least recently used goes first).</summary>
    public long MaxUploadMemoryBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>An uploaded table is forgotten this long after its upload (sessions already training on it keep it).</summary>
    public TimeSpan UploadLifetime { get; set; } = TimeSpan.FromHours(4);

    /// <summary>Bytes of an uploaded model file (.nlm, .onnx) for the Model tab.</summary>
    public long MaxModelBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Uploaded model files kept at once (the least recently used goes first); each for <see cref="UploadLifetime"/>.</summary>
    public int MaxModels { get; set; } = 16;

    /// <summary>
    /// Multiply-adds one test image may cost the Model tab's evaluation (estimated from the layers' weights and
    /// output sizes); a model beyond it is described and advised on but not evaluated. The CNN of the Images tab costs about 2.6 million.
    /// </summary>
    public long MaxModelMultiplyAdds { get; set; } = 50_000_000;

    /// <summary>Bytes of a JSON request body.</summary>
    public int MaxJsonBytes { get; set; } = 64 * 1024;

    /// <summary>A session with no open stream and no request for this long is closed and its memory freed.</summary>
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>A session is closed after this long, whatever it is doing.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(4);

    /// <summary>Frames per second sent to one page at most.</summary>
    public int MaxFramesPerSecond { get; set; } = 60;

    /// <summary>Throws <see cref="ArgumentException"/> when a cap is not positive.</summary>
    public void Validate()
    {
        Positive(MaxSessions, nameof(MaxSessions));
        Positive(MaxHiddenLayers, nameof(MaxHiddenLayers));
        Positive(MaxNeurons, nameof(MaxNeurons));
        Positive(MaxSamples, nameof(MaxSamples));
        Positive(MaxUploadBytes, nameof(MaxUploadBytes));
        Positive(MaxUploadRows, nameof(MaxUploadRows));
        Positive(MaxUploads, nameof(MaxUploads));
        Positive(MaxUploadMemoryBytes, nameof(MaxUploadMemoryBytes));
        Positive(MaxModelBytes, nameof(MaxModelBytes));
        Positive(MaxModels, nameof(MaxModels));
        Positive(MaxModelMultiplyAdds, nameof(MaxModelMultiplyAdds));
        Positive(MaxJsonBytes, nameof(MaxJsonBytes));
        Positive(MaxFramesPerSecond, nameof(MaxFramesPerSecond));
        if (SessionIdleTimeout <= TimeSpan.Zero || SessionLifetime <= TimeSpan.Zero)
        {
            throw new ArgumentException("Session timeouts must be positive.");
        }

        if (UploadLifetime <= TimeSpan.Zero)
        {
            throw new ArgumentException("UploadLifetime must be positive.");
        }
    }

    private static void Positive(long value, string name)
    {
        if (value <= 0)
        {
            throw new ArgumentException($"The limit {name} must be positive; found {value}.");
        }
    }
}
