using System.Text.Json;

namespace Nonlinear.Web.Learn.Exercises;

/// <summary>
/// "concept": a multiple-choice question picked by the "question" parameter (<see cref="ConceptQuestions"/>); the seed
/// picks the wording (and any numbers in it) and shuffles the options. The reason is shown after every answer; a wrong
/// option is named by its misconception.
/// </summary>
internal sealed class ConceptKind : IExerciseKind
{
    /// <summary>The answer field's name.</summary>
    public const string Field = "choice";

    /// <inheritdoc/>
    public string Kind => "concept";

    /// <inheritdoc/>
    public Exercise Generate(ExerciseDefinition definition, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(definition);
        string id = definition.Text("question", "");
        var question = ConceptQuestions.Find(id)
            ?? throw new InvalidOperationException($"Concept exercise '{definition.Id}' asks for question '{id}', which is not in the bank.");
        var random = new SeededRandom(seed);
        var variant = question.Variants[random.Below(question.Variants.Count)](random);

        // Values are letters given after shuffling, so an option's value says nothing about whether it is right.
        var order = random.Shuffled(Enumerable.Range(-1, variant.Wrong.Count + 1));
        var options = new List<ChoiceOption>();
        var wrong = new Dictionary<string, ConceptOption>(StringComparer.Ordinal);
        string right = "";
        foreach (int index in order)
        {
            string value = ((char)('a' + options.Count)).ToString();
            if (index < 0)
            {
                right = value;
                options.Add(new ChoiceOption(value, variant.Right));
            }
            else
            {
                wrong[value] = variant.Wrong[index];
                options.Add(new ChoiceOption(value, variant.Wrong[index].Label));
            }
        }

        var fields = new[] { new AnswerField(Field, "Your answer", "choice", Options: options) };
        return new Exercise(definition, seed, variant.Prompt, fields, new ConceptSolution(options, right, wrong, variant, question.See));
    }

    /// <inheritdoc/>
    public Task<Verdict> CheckAsync(Exercise exercise, IReadOnlyDictionary<string, JsonElement> answers, int attempt, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(exercise);
        var solution = (ConceptSolution)exercise.Solution;
        string chosen = AnswerReader.Choice(answers, Field, solution.Options);
        bool correct = chosen == solution.RightValue;
        var picked = correct ? null : solution.WrongByValue[chosen];
        string rightLabel = solution.Options.First(o => o.Value == solution.RightValue).Label;
        return Task.FromResult(new Verdict(correct, new Dictionary<string, bool> { [Field] = correct }, picked?.Code, correct ? "<p>Right.</p>" : $"<p>Not this one. {picked!.WhyNot}</p>")
        {
            Reason = solution.Variant.Reason,
            Solution = correct || attempt >= Tutor.TriesBeforeSolution ? $"<p>The answer: {rightLabel}</p>" : null,
            See = solution.See,
        });
    }
}
