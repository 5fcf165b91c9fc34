using System.Security.Cryptography;
using System.Text;

namespace Nonlinear.Serialization.PyTorch;

/// <summary>
/// Writes a saved model as readable PyTorch source: a Python file defining <c>Model(nn.Module)</c> with the same
/// layers, activations and parameters in PyTorch's layout, and a <c>load()</c> that reads the weights from the
/// Nonlinear model file itself, so training can carry on in PyTorch (GPUs, distributed training, ...).
/// </summary>
/// <remarks>
/// <para>Layers map to PyTorch's built-ins where they compute exactly the same thing (<c>nn.Linear</c>,
/// <c>nn.Conv2d</c> with our stride and padding, <c>nn.MaxPool2d</c>, <c>nn.BatchNorm1d/2d</c> with eps 1e-5 and
/// momentum 0.1, <c>nn.PReLU</c>, <c>nn.Dropout</c>, <c>nn.Flatten</c>, <c>nn.Embedding</c>, <c>nn.LayerNorm</c>,
/// <c>nn.RNN/LSTM/GRU</c> with batch_first, and every catalog activation PyTorch has, with our parameters), and to
/// small documented modules otherwise (sin, gaussian, step, an RNN with another activation, self-attention, the
/// transformer block, positional encodings, sequence pooling). The saved input normalisation is a step of
/// <c>forward()</c>; <c>forward()</c> returns logits (what PyTorch's losses take) and <c>predict()</c> applies
/// the model's output activation. See docs/pytorch-export.md.</para>
/// <para>The tests import the generated module in PyTorch 1.13 and match <see cref="SavedModel.Predict(Nonlinear.Tensors.Tensor)"/> within
/// 1e-5 for MLPs, CNNs, every activation and the sequence models.</para>
/// </remarks>
/// <example><c>PyTorchExport.Save("model.py", ModelFile.Load("model.nlm"), "model.nlm")</c>, then in Python
/// <c>from model import load; net = load()</c>.</example>
public static class PyTorchExport
{
    /// <summary>
    /// Writes the PyTorch source for <paramref name="model"/> to <paramref name="path"/>, atomically (a temporary
    /// file in the same folder, then a rename). The generated <c>load()</c> reads <paramref name="modelFilePath"/> by
    /// default, stored relative to the folder of <paramref name="path"/> (so the two files can move together).
    /// </summary>
    /// <exception cref="ArgumentException">A path is empty, or the model's output activation is invalid.</exception>
    /// <exception cref="NotSupportedException">A layer or activation has no PyTorch translation (the message names it).</exception>
    /// <exception cref="ModelFileException">The file cannot be written (missing folder, permissions, disk full).</exception>
    public static void Save(string path, SavedModel model, string modelFilePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelFilePath);
        string full, reference;
        try
        {
            full = Path.GetFullPath(path);
            string folder = Path.GetDirectoryName(full) ?? Directory.GetCurrentDirectory();
            reference = Path.GetRelativePath(folder, Path.GetFullPath(modelFilePath)).Replace('\\', '/');
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new ModelFileException(path, $"cannot save: not a valid path ({e.Message})", e);
        }

        string source = Generate(model, reference, Path.GetFileName(full));
        full = AtomicFile.FullPath(full);
        var bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(source);
        AtomicFile.Write(full, path, stream => stream.Write(bytes));
    }

    /// <summary>
    /// The PyTorch source for <paramref name="model"/>, whose <c>load()</c> reads <paramref name="modelFile"/> by
    /// default (a path relative to the folder the .py file will be in, '/'-separated).
    /// </summary>
    /// <param name="model">The saved model (architecture, weights and metadata).</param>
    /// <param name="modelFile">The default model file of the generated <c>load()</c>.</param>
    /// <param name="pythonFile">The name of the .py file, shown in its usage notes.</param>
    /// <exception cref="ArgumentException">The model's output activation is invalid.</exception>
    /// <exception cref="NotSupportedException">A layer or activation has no PyTorch translation (the message names it).</exception>
    public static string Generate(SavedModel model, string modelFile, string pythonFile = "model.py")
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelFile);
        ArgumentException.ThrowIfNullOrWhiteSpace(pythonFile);
        return PyTorchSource.Generate(model, modelFile, pythonFile);
    }
}
