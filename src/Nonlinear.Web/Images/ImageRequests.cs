namespace Nonlinear.Web.Images;

/// <summary>Body of POST /api/images/sessions: the settings (null or absent: the defaults).</summary>
internal sealed record ImageSessionRequest(ImageConfig? Config);

/// <summary>Body of POST /api/images/sessions/{id}/classify: 784 values in [0, 1], 28x28 row-major, white ink on black.</summary>
internal sealed record ClassifyRequest(double[]? Pixels);
