using Nonlinear.Layers;
using Nonlinear.Models;
using Nonlinear.Tensors;

namespace Nonlinear.Diagnostics;

public static partial class Advisor
{
    /// <summary>Each layer's per-sample input and output shape, as far as they are known.</summary>
    private sealed class ShapeWalk
    {
        private readonly TensorShape?[] _inputs;
        private readonly TensorShape?[] _outputs;

        private ShapeWalk(int count)
        {
            _inputs = new TensorShape?[count];
            _outputs = new TensorShape?[count];
        }

        /// <summary>
        /// Built layers give their shapes; with an input shape, copies of the layers are built (the originals are
        /// not touched) and a layer that cannot take its input is reported; otherwise widths are inferred from dense
        /// layers (activations, dropout and normalisation keep them).
        /// </summary>
        public static ShapeWalk Of(IReadOnlyList<Layer> layers, TensorShape? inputShape, List<Advice> found)
        {
            var walk = new ShapeWalk(layers.Count);
            if (layers.All(l => l.IsBuilt) && (inputShape is null || inputShape.Value == layers[0].InputShape))
            {
                for (int i = 0; i < layers.Count; i++)
                {
                    walk._inputs[i] = layers[i].InputShape;
                    walk._outputs[i] = layers[i].OutputShape;
                }

                return walk;
            }

            if (inputShape is { } shape)
            {
                var copies = ModelSpec.Parse(ModelSpec.Format(layers));
                var random = new Random(0);
                for (int i = 0; i < copies.Count; i++)
                {
                    walk._inputs[i] = shape;
                    try
                    {
                        copies[i].Build(shape, Initializer.Glorot, random);
                    }
                    catch (ArgumentException e)
                    {
                        found.Add(new Advice(
                            AdviceSeverity.Error,
                            AdviceCodes.ShapeMismatch,
                            i + 1,
                            $"Layer {I(i + 1)} cannot take per-sample input {shape}: {e.Message}",
                            "Every layer must accept the shape the previous one produces; the model cannot be built, let alone trained.",
                            "Fix the layer or what comes before it (dense layers need a flat vector: add flatten after convolutions and pooling; convolutions need [C, H, W] inputs)."));
                        return walk;
                    }

                    shape = copies[i].OutputShape;
                    walk._outputs[i] = shape;
                }

                return walk;
            }

            TensorShape? current = null;
            for (int i = 0; i < layers.Count; i++)
            {
                walk._inputs[i] = current;
                current = layers[i] switch
                {
                    Dense d => current is { Rank: 2 } steps ? new TensorShape(steps[0], d.Units) : new TensorShape(d.Units),
                    ActivationLayer or Dropout or BatchNorm or PRelu or PositionalEncoding => current,
                    SequencePool => current is { Rank: 2 } steps ? new TensorShape(steps[1]) : null,
                    _ => null,
                };
                walk._outputs[i] = current;
            }

            return walk;
        }

        /// <summary>The width of layer <paramref name="index"/>'s input or output when it is a flat vector; null otherwise or unknown.</summary>
        public int? Width(int index, bool input)
            => (input ? _inputs[index] : _outputs[index]) is { Rank: 1 } s ? s[0] : null;
    }
}
