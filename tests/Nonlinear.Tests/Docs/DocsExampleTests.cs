using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Nonlinear.Models;
using Xunit;
using Xunit.Abstractions;

namespace Nonlinear.Tests.Docs;

/// <summary>
/// Every C# example in the documentation (each <c>```csharp</c> block of README.md, docs/library.md and the package
/// readme) compiles, without a warning, against the current library as a program of its own (top-level statements
/// with a console project's implicit usings). Compiling only: running them takes minutes (a CNN trains for ten
/// epochs). With <c>NONLINEAR_DOCS_RUN=1</c> the test also runs each block, in a temporary folder that sees the
/// repository's data/, and prints its output (for checking the outputs the documents quote).
/// </summary>
public sealed partial class DocsExampleTests(ITestOutputHelper output)
{
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    public static TheoryData<string> Documents => new() { "README.md", "docs/library.md", "docs/package-readme.md" };

    [Theory]
    [MemberData(nameof(Documents))]
    public void Every_csharp_example_compiles_without_warnings(string document)
    {
        string root = RepositoryRoot();
        string text = File.ReadAllText(Path.Combine(root, document));
        var blocks = CSharpBlocks(text);
        if (document != "README.md")
        {
            Assert.NotEmpty(blocks);
        }

        foreach (var (line, code) in blocks)
        {
            var compilation = Compile(code, $"{document}:{line}");
            var problems = compilation.GetDiagnostics()
                .Where(d => d.Severity >= DiagnosticSeverity.Warning)
                .Select(d => $"{document}, the block at line {line}: {d}")
                .ToList();
            Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));

            if (Environment.GetEnvironmentVariable("NONLINEAR_DOCS_RUN") == "1")
            {
                output.WriteLine($"== {document}:{line}");
                output.WriteLine(Run(compilation, root));
            }
        }
    }

    [Fact]
    public void Blocks_are_found_with_their_line_numbers()
    {
        var blocks = CSharpBlocks("text\n```csharp\nint a = 1;\n```\nmore\n```\nnot C#\n```\n```csharp\nint b = 2;\n```\n");

        Assert.Equal([(3, "int a = 1;\n"), (10, "int b = 2;\n")], blocks);
    }

    private static List<(int Line, string Code)> CSharpBlocks(string markdown)
    {
        var blocks = new List<(int, string)>();
        foreach (Match match in CSharpBlock().Matches(markdown.Replace("\r\n", "\n", StringComparison.Ordinal)))
        {
            int line = markdown.AsSpan(0, match.Groups["code"].Index).Count('\n') + 1;
            blocks.Add((line, match.Groups["code"].Value));
        }

        return blocks;
    }

    private static CSharpCompilation Compile(string code, string name)
    {
        var options = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = new[]
        {
            CSharpSyntaxTree.ParseText(code, options, path: name),
            CSharpSyntaxTree.ParseText(ImplicitUsings, options, path: "ImplicitUsings.cs"),
        };
        return CSharpCompilation.Create(
            "DocsExample",
            trees,
            References.Value,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
    }

    // Read once: about 170 framework assemblies.
    private static readonly Lazy<List<MetadataReference>> References = new(() =>
    {
        // The framework the tests run on, plus the library (and its dependencies, all beside the test assembly).
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Append(typeof(Sequential).Assembly.Location)
            .Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            .DistinctBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase);
        return [.. paths.Select(p => MetadataReference.CreateFromFile(p))];
    });

    private static string Run(CSharpCompilation compilation, string root)
    {
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        Assert.True(emitted.Success, string.Join(Environment.NewLine, emitted.Diagnostics));
        var assembly = Assembly.Load(image.ToArray());
        string folder = Directory.CreateTempSubdirectory("nonlinear-docs-").FullName;
        Directory.CreateSymbolicLink(Path.Combine(folder, "data"), Path.Combine(root, "data"));
        string previousFolder = Environment.CurrentDirectory;
        var previousOut = Console.Out;
        using var captured = new StringWriter();
        try
        {
            Environment.CurrentDirectory = folder;
            Console.SetOut(captured);
            var entry = assembly.EntryPoint!;
            entry.Invoke(null, entry.GetParameters().Length == 0 ? null : [Array.Empty<string>()]);
        }
        finally
        {
            Console.SetOut(previousOut);
            Environment.CurrentDirectory = previousFolder;
            Directory.Delete(folder, recursive: true);
        }

        return captured.ToString();
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Nonlinear.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (Nonlinear.slnx) is not above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^```csharp\n(?<code>.*?)^```$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
