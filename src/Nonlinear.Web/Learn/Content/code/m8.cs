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
    /// <summary>Prints the network and sample, every factor of the chain rule for dL/dw11, their product and the engine's gradient.</summary>
    public static void Run(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        // <show>
        // The lesson's network: a = sigmoid(W·x + b), ŷ = sigmoid(v·a + c), L = (ŷ - y)^2.
        float[] w = [0.5f, -0.4f, 0.3f, 0.8f], b = [0.1f, -0.2f];   // hidden layer
        float[] v = [0.7f, -0.6f], c = [0.05f];                      // output unit
        float[] x = [1f, 0.5f];
        float y = 1f;
        output.WriteLine($"w = {string.Join(" ", w)}  b = {string.Join(" ", b)}  " +
            $"v = {string.Join(" ", v)}  c = {c[0]}");
        output.WriteLine($"x = {x[0]} {x[1]}  y = {y}");

        // By hand, in double: the forward pass, then the chain rule for w11
        // (the weight into hidden unit 1 from input 1).
        static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));
        double a1 = Sigmoid((double)w[0] * x[0] + (double)w[1] * x[1] + b[0]);
        double a2 = Sigmoid((double)w[2] * x[0] + (double)w[3] * x[1] + b[1]);
        double yHat = Sigmoid((double)v[0] * a1 + (double)v[1] * a2 + c[0]);
        double dLoss = 2 * (yHat - y);           // dL/dŷ
        double dOut = yHat * (1 - yHat);         // f'(z_out), from the sigmoid's output
        double dA1 = v[0];                       // dz_out/da1
        double dHidden = a1 * (1 - a1);          // g'(z1)
        double dW = x[0];                        // dz1/dw11
        double lossByHand = (yHat - y) * (yHat - y);
        output.WriteLine($"a1 = {a1:F4}  a2 = {a2:F4}  yhat = {yHat:F4}  L = {lossByHand:F4}");
        output.WriteLine($"factors = {dLoss:F4} {dOut:F4} {dA1:F4} {dHidden:F4} {dW:F4}");
        output.WriteLine($"by hand: dL/dw11 = {dLoss * dOut * dA1 * dHidden * dW:F8}");

        // The engine: forward, the loss's gradient, backward; each weight's
        // gradient lands in its Gradient tensor.
        var model = Sequential.Parse("dense:2,sigmoid,dense:1,sigmoid");
        model.Build(new TensorShape(2), seed: 1);
        var hidden = (Dense)model.Layers[0];
        var last = (Dense)model.Layers[2];
        w.CopyTo(hidden.Weight.Value.Span);
        b.CopyTo(hidden.Bias.Value.Span);
        v.CopyTo(last.Weight.Value.Span);
        c.CopyTo(last.Bias.Value.Span);

        model.ZeroGradients();
        Tensor prediction = model.Forward(Tensor.FromArray(x, 1, 2), training: true);
        var gradient = new Tensor(prediction.Shape);
        var target = Tensor.FromArray([y], 1, 1);
        double loss = new MeanSquaredError().Compute(prediction, target, gradient);
        model.Backward(gradient);
        output.WriteLine($"engine: yhat = {prediction[0, 0]:F4}  L = {loss:F4}  " +
            $"dL/dw11 = {hidden.Weight.Gradient[0, 0]:F8}");
        // </show>
    }
}
