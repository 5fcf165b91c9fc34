using Onnx;

namespace Nonlinear.Serialization.Onnx;

/// <summary>
/// A problem found while importing an ONNX graph, with the node it concerns (if any); <see cref="OnnxImport"/>
/// turns it into a <see cref="ModelFileException"/> whose message names the node and its operator.
/// </summary>
internal sealed class ImportException : Exception
{
    public ImportException(string problem)
        : base(problem)
    {
    }

    public ImportException(NodeProto? node, string problem)
        : base(node is null ? problem : $"{Describe(node)}: {problem}")
    {
    }

    public ImportException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ImportException()
    {
    }

    /// <summary>"node 'Conv_3' (op Conv)", or the node's first output when it has no name.</summary>
    public static string Describe(NodeProto node)
    {
        string name = node.Name.Length > 0 ? node.Name : node.Output.Count > 0 ? $"producing '{node.Output[0]}'" : "(unnamed)";
        return node.Name.Length > 0 ? $"node '{Shorten(name)}' (op {Shorten(node.OpType)})" : $"node {Shorten(name)} (op {Shorten(node.OpType)})";
    }

    public static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";
}
