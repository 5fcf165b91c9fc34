using Nonlinear.Web.Playground;

namespace Nonlinear.Web.Endpoints;

/// <summary>Body of POST /api/sessions: a config, or a URL hash to read (TF Playground's links included).</summary>
internal sealed record SessionRequest(PlaygroundConfig? Config, string? Hash);

/// <summary>Body of POST /api/state/parse.</summary>
internal sealed record HashRequest(string? Hash);

/// <summary>Body of POST /api/sessions/{id}/weight: dense layer, neuron, input (-1: the bias) and the new value.</summary>
internal sealed record WeightRequest(int? Layer, int? To, int? From, double? Value);
