using Spectre.Console;

namespace Nonlinear.Cli;

/// <summary>
/// The streams a command talks to. Commands never touch <see cref="Console"/> directly so that tests can run
/// the whole CLI in-process against string writers.
/// </summary>
internal sealed class CliContext(TextWriter output, TextWriter error, TextReader input)
{
    /// <summary>Wide enough for the catalog table without wrapping the formulas when the output is not a terminal.</summary>
    private const int RedirectedWidth = 160;

    public TextWriter Out { get; } = output;

    public TextWriter Error { get; } = error;

    public TextReader In { get; } = input;

    /// <summary>Where to wrap prose: the terminal's width (up to 120, past which lines get hard to read), else 100.</summary>
    public int TextWidth => IsTerminal ? Math.Clamp(Console.WindowWidth, 60, 120) : 100;

    private bool IsTerminal => ReferenceEquals(Out, Console.Out) && !Console.IsOutputRedirected;

    /// <summary>True when reading stdin would block on a person typing rather than read a pipe or file.</summary>
    public bool InputIsInteractiveConsole => ReferenceEquals(In, Console.In) && !Console.IsInputRedirected;

    /// <summary>
    /// A Spectre console over <see cref="Out"/>: plain text (no ANSI, no colour) unless <see cref="Out"/> is a real
    /// terminal, so that piped output and test output are stable.
    /// </summary>
    public IAnsiConsole CreateConsole()
    {
        bool terminal = IsTerminal;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Out),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!terminal)
        {
            console.Profile.Width = RedirectedWidth;
        }

        return console;
    }
}
