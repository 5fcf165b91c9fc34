using System.CommandLine;
using System.Globalization;
using Nonlinear.Cli.Output;
using Nonlinear.Data;
using Nonlinear.Data.Sequences;
using Nonlinear.Models;
using Nonlinear.Serialization;
using Spectre.Console;

namespace Nonlinear.Cli.Commands;

/// <summary>
/// <c>nonlinear generate --model words.nlm --count 20 --temperature 0.8 --seed 1 [--prefix st] [--json]</c>:
/// words sampled from a character-level model saved by <c>train --data words</c> (see <see cref="WordSampler"/>),
/// then the model's next-letter distribution after the prefix at temperatures 0.5, 0.8, 1 and 1.5 (and the one
/// asked for): the top letters and the entropy, which show how the temperature sharpens or flattens it.
/// </summary>
internal static class GenerateCommand
{
    /// <summary>The temperatures of the distribution table, besides the one used for sampling.</summary>
    private static readonly double[] ShownTemperatures = [0.5, 0.8, 1, 1.5];

    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model") { Description = "A word model saved by 'nonlinear train --data words --save <file>'", Required = true };
        var count = new Option<int>("--count") { Description = "Words to generate", DefaultValueFactory = _ => 20 };
        var temperature = new Option<double>("--temperature") { Description = "Divides the logits before the softmax: 1 samples the model's own distribution, lower is more conservative, higher more adventurous; 0 always takes the most likely letter (greedy)", DefaultValueFactory = _ => 1 };
        var seed = new Option<int>("--seed") { Description = "Seed of the sampling (the same seed gives the same words)", DefaultValueFactory = _ => 1 };
        var prefix = new Option<string>("--prefix") { Description = "Letters every word starts with (a-z)", DefaultValueFactory = _ => "" };
        var wordList = new Option<string?>("--words") { Description = $"The word list the model learned from, to mark which generated words are real words (default {WordList.StandardPath} when it exists)" };
        var top = new Option<int>("--top") { Description = "Most likely next letters shown per temperature", DefaultValueFactory = _ => 5 };
        var json = JsonOption.Create("the words and the next-letter distributions");
        var command = new Command("generate", "Generate words with a character-level model trained on the word list, and show how the temperature shapes its next-letter distribution")
        {
            model, count, temperature, seed, prefix, wordList, top, json,
        };
        command.SetAction(parseResult =>
        {
            string path = parseResult.GetValue(model)!;
            int n = parseResult.GetValue(count);
            double t = parseResult.GetValue(temperature);
            int topCount = parseResult.GetValue(top);
            DemoCommand.CheckPositive(n, "--count");
            DemoCommand.CheckPositive(topCount, "--top");
            if (n > 100_000)
            {
                throw new CliUsageException($"--count must be at most 100000; found {n}.");
            }

            if (!(t >= 0 && double.IsFinite(t)))
            {
                throw new CliUsageException($"--temperature must be a finite number >= 0 (0: greedy, always the most likely letter); found {t.ToString(CultureInfo.InvariantCulture)}.");
            }

            string start = parseResult.GetValue(prefix)!.Trim().ToLowerInvariant();
            var saved = ModelFile.Load(path);
            var sampler = WordSamplerFor(saved, path);
            var words = sampler.Sample(n, t, parseResult.GetValue(seed), start);
            var logits = sampler.NextLogits(start);
            var rows = ShownTemperatures.Append(t).Distinct().Order().Select(temp => Row(logits, temp, topCount)).ToList();
            var known = KnownWords(parseResult.GetValue(wordList));
            var result = new Result(path, saved.Model.Spec, sampler.Steps, n, t, parseResult.GetValue(seed), start, words, rows, known);
            if (parseResult.GetValue(json))
            {
                WriteJson(context, result);
            }
            else
            {
                WriteTable(context, result);
            }

            return 0;
        });
        return command;
    }

    /// <summary>A sampler over the saved model, or a usage error naming what the model is instead.</summary>
    private static WordSampler WordSamplerFor(SavedModel saved, string path)
    {
        var m = saved.Metadata;
        bool wordClasses = m.ClassNames is null || m.ClassNames.SequenceEqual(WordList.SymbolNames, StringComparer.Ordinal);
        if (m.Task != TaskKind.Sequence || !wordClasses)
        {
            string data = m.Extra is { } extra && extra.TryGetValue("data", out var d) ? $" trained on '{d}'" : "";
            throw new CliUsageException($"'{path}' is not a word model (it is a {m.Task.ToString().ToLowerInvariant()} model{data}); generate needs a model saved by 'nonlinear train --data words --save <file>'.");
        }

        try
        {
            return new WordSampler(saved.Model);
        }
        catch (ArgumentException e)
        {
            throw new CliUsageException($"'{path}' is not a word model: {e.Message.Replace(" (Parameter 'model')", "", StringComparison.Ordinal)}");
        }
    }

    /// <summary>The word list's words; null when no list was given and the standard one is not installed.</summary>
    private static HashSet<string>? KnownWords(string? path)
    {
        if (path is null && !File.Exists(WordList.StandardPath))
        {
            return null;
        }

        return new HashSet<string>(WordList.Load(path).All, StringComparer.Ordinal);
    }

    private static DistributionRow Row(float[] logits, double temperature, int top)
    {
        var p = new float[logits.Length];
        WordSampler.Distribution(logits, temperature, p);
        var best = Enumerable.Range(0, p.Length).Where(i => p[i] > 0).OrderByDescending(i => p[i]).ThenBy(i => i).Take(top).ToArray();
        return new DistributionRow(temperature, WordSampler.Entropy(p), p, best);
    }

    private sealed record DistributionRow(double Temperature, double Entropy, float[] Probabilities, int[] Top);

    private sealed record Result(string Path, string Spec, int Steps, int Count, double Temperature, int Seed, string Prefix, IReadOnlyList<SampledWord> Words, IReadOnlyList<DistributionRow> Rows, HashSet<string>? Known);

    private static string Symbol(int id) => id == CharacterVocabulary.Boundary ? "^ (end)" : CharacterVocabulary.SymbolName(id).ToString();

    private static void WriteTable(CliContext context, Result r)
    {
        var console = context.CreateConsole();
        var ci = CultureInfo.InvariantCulture;
        console.WriteLine($"{r.Path}: {r.Spec} (words of up to {r.Steps} letters)");
        string from = r.Prefix.Length == 0 ? "" : $", prefix '{r.Prefix}'";
        string how = r.Temperature == 0 ? "greedy (temperature 0)" : string.Create(ci, $"temperature {r.Temperature}, seed {r.Seed}");
        console.WriteLine(string.Create(ci, $"{r.Count} word(s), {how}{from}:"));
        int width = r.Words.Max(w => w.Text.Length);
        foreach (var w in r.Words)
        {
            string text = w.Text.Length == 0 ? "(empty: the model ended the word at once)" : w.Text.PadRight(width);
            string note = !w.Ended ? $"  (cut at {r.Steps} letters)" : r.Known?.Contains(w.Text) == true ? "  (in the word list)" : "";
            console.WriteLine($"  {text}{note}".TrimEnd());
        }

        if (r.Known is not null)
        {
            int fresh = r.Words.Count(w => !r.Known.Contains(w.Text));
            console.WriteLine(string.Create(ci, $"{fresh} of {r.Words.Count} are not in the word list ({r.Known.Count:N0} words): new words in the style of the list, not recalled ones."));
        }

        console.WriteLine();
        console.WriteLine($"next letter after '^{r.Prefix}': softmax(logits / temperature); lower temperatures sharpen it, higher flatten it (uniform: {Math.Log(CharacterVocabulary.SymbolCount).ToString("F2", ci)} nats)");
        var table = new Table().AddColumns("temperature", "entropy (nats)", "e^entropy", "most likely next letters");
        foreach (var row in r.Rows)
        {
            string letters = string.Join("  ", row.Top.Select(i => $"{Symbol(i)} {row.Probabilities[i].ToString("F3", ci)}"));
            string mark = row.Temperature == r.Temperature ? " (sampled)" : "";
            table.AddRow(
                Markup.Escape(row.Temperature.ToString(ci) + mark),
                row.Entropy.ToString("F3", ci),
                Math.Exp(row.Entropy).ToString("F1", ci),
                Markup.Escape(letters));
        }

        console.Write(table);
    }

    private static void WriteJson(CliContext context, Result r)
    {
        Json.Write(context.Out, w =>
        {
            w.WriteStartObject();
            w.WriteString("model", r.Path);
            w.WriteString("spec", r.Spec);
            w.WriteNumber("steps", r.Steps);
            w.WriteNumber("count", r.Count);
            Json.WriteNumber(w, "temperature", r.Temperature);
            w.WriteNumber("seed", r.Seed);
            w.WriteString("prefix", r.Prefix);
            w.WriteStartArray("words");
            foreach (var word in r.Words)
            {
                w.WriteStartObject();
                w.WriteString("text", word.Text);
                w.WriteBoolean("ended", word.Ended);
                if (r.Known is not null)
                {
                    w.WriteBoolean("inWordList", r.Known.Contains(word.Text));
                }
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartObject("next");
            w.WriteString("context", "^" + r.Prefix);
            w.WriteStartArray("symbols");
            foreach (var name in WordList.SymbolNames)
            {
                w.WriteStringValue(name);
            }

            w.WriteEndArray();
            w.WriteStartArray("distributions");
            foreach (var row in r.Rows)
            {
                w.WriteStartObject();
                Json.WriteNumber(w, "temperature", row.Temperature);
                Json.WriteNumber(w, "entropy", row.Entropy);
                w.WriteStartArray("probabilities");
                foreach (float p in row.Probabilities)
                {
                    Json.WriteNumber(w, p);
                }

                w.WriteEndArray();
                w.WriteStartArray("top");
                foreach (int i in row.Top)
                {
                    w.WriteStartObject();
                    w.WriteString("symbol", WordList.SymbolNames[i]);
                    Json.WriteNumber(w, "probability", row.Probabilities[i]);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
        });
    }
}
