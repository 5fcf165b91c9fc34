using System.Net.Http.Json;
using System.Text.Json;
using Nonlinear.Web.Playground;
using Nonlinear.Web.Sessions;
using Xunit;

namespace Nonlinear.Web.Tests;

public sealed class FrameTests(WebAppFactory factory) : IClassFixture<WebAppFactory>
{
    [Fact]
    public void Quantize_maps_every_value_as_the_scalar_rule_does_at_every_length_including_nan_and_infinities()
    {
        var random = new Random(7);
        float[] specials = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, -3f, 4f, 0f, 1f, 0.5f];
        foreach (var (lo, hi) in new[] { (0f, 1f), (-1.5f, 2.25f), (0.3f, 0.3f), (5f, -5f) })
        {
            for (int length = 0; length <= 150; length++)
            {
                var values = new float[length];
                for (int i = 0; i < length; i++)
                {
                    values[i] = random.Next(5) == 0 ? specials[random.Next(specials.Length)] : (float)((random.NextDouble() * 4) - 1.5);
                }

                var bytes = new byte[length];
                FrameWriter.Quantize(values, lo, hi, bytes);
                float scale = hi > lo ? 255f / (hi - lo) : 0f;
                for (int i = 0; i < length; i++)
                {
                    float q = float.IsNaN(values[i]) ? 0f : ((values[i] - lo) * scale) + 0.5f;
                    byte expected = float.IsNaN(q) ? (byte)0 : (byte)Math.Clamp(q, 0f, 255f);
                    Assert.True(expected == bytes[i], $"lo {lo}, hi {hi}, length {length}, [{i}] = {values[i]}: expected {expected}, got {bytes[i]}");
                }
            }
        }
    }

    [Fact]
    public async Task Every_neuron_thumbnail_is_that_neuron_at_every_second_grid_point_under_the_weights_the_frame_carries()
    {
        using var client = factory.CreateClient();
        var created = await client.PostAsJsonAsync("/api/sessions", new { config = new { dataset = "circle", layers = new[] { new { units = 3 }, new { units = 2 } }, activation = "tanh" } });
        created.EnsureSuccessStatusCode();
        string id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await using var stream = await FrameStream.OpenAsync(factory, id);
        var frame = await stream.NextAsync(TimeSpan.FromSeconds(30)) ?? throw new TimeoutException("no frame within 30 s");

        var neurons = frame.Header.GetProperty("neurons").EnumerateArray().ToArray();
        var layers = frame.Header.GetProperty("weights").EnumerateArray()
            .Select(l => (W: l.GetProperty("w").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray(), B: l.GetProperty("b").EnumerateArray().Select(v => v.GetDouble()).ToArray()))
            .ToArray();
        const int grid = PlaygroundSession.GridSize, thumb = PlaygroundSession.ThumbSize;
        Assert.Equal(5, neurons.Length);
        Assert.Equal((grid * grid) + (neurons.Length * thumb * thumb), frame.Grids.Length);

        int offset = grid * grid;
        for (int k = 0; k < neurons.Length; k++, offset += thumb * thumb)
        {
            int layer = neurons[k].GetProperty("layer").GetInt32(), unit = neurons[k].GetProperty("unit").GetInt32();
            double lo = neurons[k].GetProperty("lo").GetDouble(), hi = neurons[k].GetProperty("hi").GetDouble();
            for (int r = 0; r < thumb; r++)
            {
                for (int c = 0; c < thumb; c++)
                {
                    // Row 0 is the top (y = +6), column 0 the left (x = -6); the thumbnail takes every second grid cell.
                    double[] activations = [PlaygroundSession.GridCoordinate(2 * c), -PlaygroundSession.GridCoordinate(2 * r)];
                    for (int l = 0; l <= layer; l++)
                    {
                        activations = [.. layers[l].W.Select((row, u) => Math.Tanh(row.Select((w, i) => w * activations[i]).Sum() + layers[l].B[u]))];
                    }

                    double shown = lo + ((hi - lo) * frame.Grids[offset + (r * thumb) + c] / 255);
                    Assert.True(Math.Abs(shown - activations[unit]) <= ((hi - lo) / 255) + 1e-4, $"neuron {layer}.{unit} at ({r}, {c}): shown {shown}, computed {activations[unit]}");
                }
            }
        }
    }
}
