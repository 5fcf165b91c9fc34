using System.CommandLine;
using System.Globalization;
using System.Text;
using Nonlinear.Activations;
using Nonlinear.Cli.Output;
using Spectre.Console;

namespace Nonlinear.Cli.Commands;

/// <summary>
/// <c>nonlinear eval &lt;name&gt; [x ...]</c>: f(x) and f'(x) for each input, or for a row-wise activation the
/// output vector and the full Jacobian of the inputs taken as one row. All values come from the library's
/// span kernels, the same code a network runs.
/// </summary>
internal static class EvalCommand
{
    public static Command Create(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "An activation name or spec, e.g. relu, leaky_relu:0.1, softplus:beta=2" };
        var values = new Argument<string[]>("x")
        {
            Arity = ArgumentArity.ZeroOrMore,
            Description = "Inputs (e.g. -2 0 3, or 1,2,3); read from stdin when none are given",
        };
        var json = JsonOption.Create("the result");
        var command = new Command("eval", "Evaluate an activation and its derivative at the given inputs (softmax and log_softmax: one row, with its Jacobian)")
        {
            name,
            values,
            json,
        };
        command.SetAction(parseResult =>
        {
            var activation = ActivationRegistry.Parse(parseResult.GetRequiredValue(name));
            var x = ReadInputs(context, parseResult.GetValue(values) ?? []);
            var y = new float[x.Length];
            activation.Forward(x, y);
            if (activation.IsRowWise)
            {
                var jacobian = new float[x.Length * x.Length];
                Jacobians.Compute(activation, x, jacobian);
                if (parseResult.GetValue(json))
                {
                    context.Out.WriteLine(JsonText(activation, x, y, "jacobian", Matrix(jacobian, x.Length)));
                }
                else
                {
                    WriteRowTables(context.CreateConsole(), activation, x, y, jacobian);
                }
            }
            else
            {
                var ones = Enumerable.Repeat(1f, x.Length).ToArray();
                var dx = new float[x.Length];
                activation.Backward(x, y, ones, dx);
                if (parseResult.GetValue(json))
                {
                    context.Out.WriteLine(JsonText(activation, x, y, "derivatives", Array(dx)));
                }
                else
                {
                    WriteElementwiseTable(context.CreateConsole(), activation, x, y, dx);
                }
            }

            return 0;
        });
        return command;
    }

    private static float[] ReadInputs(CliContext context, string[] arguments)
    {
        if (arguments.Length > 0)
        {
            return InputValues.FromArguments(arguments);
        }

        if (context.InputIsInteractiveConsole)
        {
            throw new CliUsageException("no inputs: give numbers after the activation (nonlinear eval relu -1 0 2) or pipe them in on stdin.");
        }

        var values = InputValues.FromReader(context.In);
        return values.Length > 0
            ? values
            : throw new CliUsageException("no inputs: stdin held no numbers; give numbers after the activation (nonlinear eval relu -1 0 2) or on stdin.");
    }

    private static void WriteElementwiseTable(IAnsiConsole console, Activation activation, float[] x, float[] y, float[] dx)
    {
        var table = new Table().Title(Markup.Escape(activation.Spec)).AddColumns("x", "f(x)", "f'(x)");
        foreach (var column in table.Columns)
        {
            column.RightAligned();
        }

        for (int i = 0; i < x.Length; i++)
        {
            table.AddRow(new Text(Numbers.Format(x[i])), new Text(Numbers.Format(y[i])), new Text(Numbers.Format(dx[i])));
        }

        console.Write(table);
    }

    private static void WriteRowTables(IAnsiConsole console, Activation activation, float[] x, float[] y, float[] jacobian)
    {
        int n = x.Length;
        // A title would wrap over such a narrow table; one plain line reads better.
        console.WriteLine($"{activation.Spec} is row-wise: the {n} inputs form one row.");
        var values = new Table().AddColumns("i", "x_i", "y_i");
        foreach (var column in values.Columns)
        {
            column.RightAligned();
        }

        for (int i = 0; i < n; i++)
        {
            values.AddRow(new Text(i.ToString(CultureInfo.InvariantCulture)), new Text(Numbers.Format(x[i])), new Text(Numbers.Format(y[i])));
        }

        console.Write(values);

        var matrix = new Table().Title(Markup.Escape("Jacobian J[i, j] = dy_i/dx_j")).AddColumn(new TableColumn("i \\ j").RightAligned());
        for (int j = 0; j < n; j++)
        {
            matrix.AddColumn(new TableColumn(j.ToString(CultureInfo.InvariantCulture)).RightAligned());
        }

        for (int i = 0; i < n; i++)
        {
            var cells = new List<string> { i.ToString(CultureInfo.InvariantCulture) };
            for (int j = 0; j < n; j++)
            {
                cells.Add(Numbers.Format(jacobian[i * n + j]));
            }

            matrix.AddRow(cells.Select(c => new Text(c)));
        }

        console.Write(matrix);
    }

    // Written by hand rather than with Utf8JsonWriter to keep the documented one-line shape,
    // {"activation": ..., "params": ..., ...}, which is easy to grep and to diff.
    private static string JsonText(Activation activation, float[] x, float[] y, string derivativeKey, string derivativeJson)
    {
        var parameters = activation.Descriptor.Parameters.Select(p =>
        {
            double value = activation.Parameters[p.Name];
            string text = p.Choices is null ? Json.NumberText(value) : Json.StringText(p.FormatValue(value));
            return $"{Json.StringText(p.Name)}: {text}";
        });
        return new StringBuilder()
            .Append("{\"activation\": ").Append(Json.StringText(activation.Spec))
            .Append(", \"params\": {").Append(string.Join(", ", parameters)).Append('}')
            .Append(", \"inputs\": ").Append(Array(x))
            .Append(", \"outputs\": ").Append(Array(y))
            .Append(", \"").Append(derivativeKey).Append("\": ").Append(derivativeJson)
            .Append('}')
            .ToString();
    }

    private static string Array(IEnumerable<float> values) => "[" + string.Join(", ", values.Select(Json.NumberText)) + "]";

    private static string Matrix(float[] values, int n)
        => "[" + string.Join(", ", Enumerable.Range(0, n).Select(i => Array(values.Skip(i * n).Take(n)))) + "]";
}
