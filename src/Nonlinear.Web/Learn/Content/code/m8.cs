// <show>
using Nonlinear.Layers;
using Nonlinear.Losses;
using Nonlinear.Models;
using Nonlinear.Tensors;
// </show>

namespace Nonlinear.Learn.Code;

/// <summary>Module 8's code panel: the gradient of one weight of a 2-2-1 sigmoid network, by the chain rule and by the engine.</summary>
public static class BackpropByHand
{
    /// <summary>Prints the network and sample, every term of the chain rule for dL/dW1[0,0], their product and the engine's gradient.</summary>
    public static void Run(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        // <show>
        // h = sigmoid(W1·x + b1), y = sigmoid(w2·h + b2), L = (y - t)^2.
        var model = Sequential.Parse("dense:2,sigmoid,dense:1,sigmoid");
        model.Build(new TensorShape(2), seed: 1);
        var hidden = (Dense)model.Layers[0];
        var last = (Dense)model.Layers[2];
        float[] w1 = [0.15f, 0.20f, 0.25f, 0.30f], b1 = [0.35f, 0.35f], w2 = [0.40f, 0.45f], b2 = [0.60f];
        w1.CopyTo(hidden.Weight.Value.Span);
        b1.CopyTo(hidden.Bias.Value.Span);
        w2.CopyTo(last.Weight.Value.Span);
        b2.CopyTo(last.Bias.Value.Span);
        float[] x = [0.05f, 0.10f];
        float t = 0.01f;
        output.WriteLine($"W1 = {string.Join(" ", w1)}  b1 = {string.Join(" ", b1)}  w2 = {string.Join(" ", w2)}  b2 = {b2[0]}");
        output.WriteLine($"x = {x[0]} {x[1]}  t = {t}");

        // By hand, in double: the forward pass, then the chain rule for the weight from x1 to hidden unit 1.
        static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));
        double h1 = Sigmoid(w1[0] * x[0] + w1[1] * x[1] + b1[0]);
        double h2 = Sigmoid(w1[2] * x[0] + w1[3] * x[1] + b1[1]);
        double y = Sigmoid(w2[0] * h1 + w2[1] * h2 + b2[0]);
        double dLdy = 2 * (y - t);               // L = (y - t)^2
        double dydz = y * (1 - y);               // sigmoid' from its output
        double dzdh1 = w2[0];
        double dh1dz1 = h1 * (1 - h1);
        double dz1dw = x[0];
        double byHand = dLdy * dydz * dzdh1 * dh1dz1 * dz1dw;
        output.WriteLine($"h1 = {h1}  h2 = {h2}  y = {y}");
        output.WriteLine($"dL/dy = {dLdy}  dy/dz = {dydz}  dz/dh1 = {dzdh1}  dh1/dz1 = {dh1dz1}  dz1/dW = {dz1dw}");
        output.WriteLine($"by hand: dL/dW1[0,0] = {byHand}");

        // The engine: forward, the loss's gradient, backward; the gradient lands in the weight's Gradient tensor.
        model.ZeroGradients();
        Tensor prediction = model.Forward(Tensor.FromArray(x, 1, 2), training: true);
        var dLoss = new Tensor(prediction.Shape);
        new MeanSquaredError().Compute(prediction, Tensor.FromArray([t], 1, 1), dLoss);
        model.Backward(dLoss);
        output.WriteLine($"engine: dL/dW1[0,0] = {hidden.Weight.Gradient[0, 0]}");
        // </show>
    }
}
