using System.Buffers.Binary;
using System.Text.Json;
using Nonlinear.Web.Learn;
using Nonlinear.Web.Learn.Exercises;
using Nonlinear.Web.Playground;
using Nonlinear.Web.Sessions;
using Xunit;

namespace Nonlinear.Web.Tests;

/// <summary>
/// The training exercises (make-it-learn, fix-network), checked by re-training on the server: each preset fails with
/// the mistake it is about, the course's solution passes within the budget, the same answer gives the same numbers,
/// replaced settings are named, bad answers are refused clearly, and a busy server answers 429 instead of hanging.
/// </summary>
public sealed class TrainingExerciseTests
{
    private static readonly Course Course = Course.Load();

    // Generous wait and limit: tests of other classes train at the same time on a shared machine.
    private readonly TrainingCheckGate _gate = new(1, TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5));

    private MakeItLearnKind MakeItLearn(PlaygroundLimits? limits = null) => new(_gate, limits ?? new PlaygroundLimits());

    private FixNetworkKind FixNetwork() => new(_gate);

    private static Dictionary<string, JsonElement> Answers(params (string Field, object? Value)[] answers) =>
        answers.ToDictionary(a => a.Field, a => JsonSerializer.SerializeToElement(a.Value));

    private static Exercise Generate(IExerciseKind kind, string id) => kind.Generate(Course.Exercise(id), seed: 7);

    private static string Preset(Exercise exercise, string field) => exercise.Fields.Single(f => f.Name == field).Preset!;

    private static TrainingReport Report(Verdict verdict) => Assert.IsType<TrainingReport>(verdict.Training);

    public static TheoryData<string> LearnExercises => ["m1-learn-xor", "m4-learn-circle", "m9-learn-spiral"];

    public static TheoryData<string> FixExercises => ["m1-fix-collapsed", "m5-fix-dead", "m6-fix-softmax-hidden", "m7-fix-deep-sigmoid", "m9-fix-sigmoid-exclusive"];

    [Fact]
    public void Every_training_exercise_of_the_course_generates_with_a_preset()
    {
        var kinds = new IExerciseKind[] { MakeItLearn(), FixNetwork() };
        var exercises = Course.Modules.SelectMany(m => m.Exercises).Where(e => e.Kind is "make-it-learn" or "fix-network").ToList();
        Assert.Equal(8, exercises.Count);
        foreach (var definition in exercises)
        {
            var exercise = kinds.Single(k => k.Kind == definition.Kind).Generate(definition, seed: 1);
            Assert.NotEmpty(exercise.PromptHtml);
            Assert.All(exercise.Fields.Where(f => f.Type is "playground" or "text"), f => Assert.False(string.IsNullOrEmpty(f.Preset)));

            // "See" points at a widget that is in the module's lesson.
            var see = Assert.IsType<SeeAlso>(exercise.Solution is LearnGoal goal ? goal.See : ((BrokenNetwork)exercise.Solution).See);
            var module = Course.Module(definition.ModuleId);
            Assert.Equal(module.Id, see.Module);
            using var lesson = new StreamReader(Course.OpenContent(module.Lesson));
            Assert.Contains($"id=\"{see.Anchor}\"", lesson.ReadToEnd(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Make_it_learn_preset_hides_the_data_controls_and_reads_back_without_warnings()
    {
        var exercise = Generate(MakeItLearn(), "m4-learn-circle");
        var field = Assert.Single(exercise.Fields);
        Assert.Equal("playground", field.Type);
        var parsed = PlaygroundState.Parse(field.Preset, new PlaygroundLimits());
        Assert.Empty(parsed.Warnings);
        Assert.Equal("circle", parsed.Config.Dataset);
        Assert.Equal("m4-learn-circle", parsed.Config.Seed);
        Assert.Subset(parsed.Config.Hidden.ToHashSet(), new HashSet<string> { "dataset", "noise", "percTrainData", "activation" });
    }

    [Theory]
    [InlineData("m1-learn-xor", "linear-network")]
    [InlineData("m4-learn-circle", "too-few-units")]
    [InlineData("m9-learn-spiral", "not-yet")]
    public async Task Make_it_learn_preset_misses_the_target_and_the_tutor_says_why(string id, string mistake)
    {
        var kind = MakeItLearn();
        var exercise = Generate(kind, id);
        var verdict = await kind.CheckAsync(exercise, Answers(("hash", Preset(exercise, "hash"))), attempt: 1, CancellationToken.None);

        Assert.False(verdict.Correct);
        Assert.Equal(mistake, verdict.Mistake);
        var report = Report(verdict);
        var goal = (LearnGoal)exercise.Solution;
        Assert.Equal(goal.Epochs, report.Epochs);
        Assert.True(report.TestAccuracy < goal.Target);
        Assert.Contains($"Test accuracy {TrainingTutor.Accuracy(report.TestAccuracy!.Value)} after {goal.Epochs} epochs", verdict.Feedback, StringComparison.Ordinal);
        Assert.Empty(report.Overridden);
        Assert.NotNull(verdict.Hint);
        Assert.Null(verdict.Solution);
    }

    [Fact]
    public async Task Linear_xor_feedback_names_the_activation_and_the_straight_boundary()
    {
        var kind = MakeItLearn();
        var exercise = Generate(kind, "m1-learn-xor");
        var verdict = await kind.CheckAsync(exercise, Answers(("hash", Preset(exercise, "hash"))), 1, CancellationToken.None);
        Assert.Contains("with activation linear every layer is one linear map", verdict.Feedback, StringComparison.Ordinal);
        Assert.Contains("straight line", verdict.Feedback, StringComparison.Ordinal);
        Assert.Contains(Report(verdict).Advice, a => a.Code == "linear-collapse" && a.Stage == "before training");
    }

    [Theory]
    [MemberData(nameof(LearnExercises))]
    public async Task Make_it_learn_reference_configuration_reaches_the_target_within_the_budget(string id)
    {
        var kind = MakeItLearn();
        var exercise = Generate(kind, id);
        var goal = (LearnGoal)exercise.Solution;
        var verdict = await kind.CheckAsync(exercise, Answers(("hash", PlaygroundState.Format(goal.Reference))), 1, CancellationToken.None);

        Assert.True(verdict.Correct, verdict.Feedback);
        Assert.Null(verdict.Mistake);
        var report = Report(verdict);
        Assert.InRange(report.Epochs, 1, goal.Epochs);
        Assert.True(report.TestAccuracy >= goal.Target);
        Assert.Equal(goal.Target, report.Target);
        Assert.NotNull(verdict.Solution);
        Assert.True(verdict.Fields["hash"]);
    }

    [Fact]
    public async Task The_same_answer_gives_the_same_numbers_twice()
    {
        var kind = MakeItLearn();
        var exercise = Generate(kind, "m1-learn-xor");
        string hash = Preset(exercise, "hash").Replace("activation=linear", "activation=sigmoid", StringComparison.Ordinal);
        var first = Report(await kind.CheckAsync(exercise, Answers(("hash", hash)), 1, CancellationToken.None));
        var second = Report(await kind.CheckAsync(Generate(kind, "m1-learn-xor"), Answers(("hash", hash)), 2, CancellationToken.None));
        Assert.Equal(first.Epochs, second.Epochs);
        Assert.Equal(first.TestAccuracy, second.TestAccuracy);
        Assert.Equal(first.TrainAccuracy, second.TrainAccuracy);
        Assert.Equal(first.Advice.Select(a => a.Message), second.Advice.Select(a => a.Message));

        var fix = FixNetwork();
        var broken = Generate(fix, "m5-fix-dead");
        var answers = Answers(("spec", Preset(broken, "spec")), ("learningRate", "0.3"));
        var a = Report(await fix.CheckAsync(broken, answers, 1, CancellationToken.None));
        var b = Report(await fix.CheckAsync(broken, answers, 1, CancellationToken.None));
        Assert.Equal((a.Epochs, a.TestAccuracy, a.TrainAccuracy), (b.Epochs, b.TestAccuracy, b.TrainAccuracy));
    }

    [Fact]
    public async Task Checker_measures_what_the_playground_session_shows_after_as_many_epochs()
    {
        // The session has its own evaluation (model copies, loss and confusion matrix); both must agree on a config
        // trained for the same epochs from the same seed, or the learner's playground and the verdict disagree.
        var kind = MakeItLearn();
        var exercise = Generate(kind, "m1-learn-xor");
        var goal = (LearnGoal)exercise.Solution;
        string hash = Preset(exercise, "hash").Replace("activation=linear", "activation=sigmoid", StringComparison.Ordinal);
        var verdict = await kind.CheckAsync(exercise, Answers(("hash", hash)), 1, CancellationToken.None);
        var report = Report(verdict);
        Assert.False(verdict.Correct);
        Assert.Equal(goal.Epochs, report.Epochs);

        var config = PlaygroundState.Parse(hash, new PlaygroundLimits()).Config;
        using var session = new PlaygroundSession(new PlaygroundLimits());
        session.Configure(config, []);
        for (int e = 0; e < goal.Epochs; e++)
        {
            session.TrainEpoch();
        }

        var writer = new FrameWriter();
        writer.Begin();
        session.WriteFrame(writer, 1, 0);
        var frame = writer.Finish(1);
        var bytes = frame.Memory.Span;
        int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes);
        using var header = JsonDocument.Parse(bytes.Slice(4, length).ToArray());
        frame.Release();
        Assert.Equal(goal.Epochs, header.RootElement.GetProperty("epoch").GetInt32());
        Assert.Equal(header.RootElement.GetProperty("testAccuracy").GetDouble(), report.TestAccuracy!.Value, 12);
        Assert.Equal(header.RootElement.GetProperty("trainAccuracy").GetDouble(), report.TrainAccuracy!.Value, 12);
    }

    [Fact]
    public async Task Settings_the_exercise_fixes_are_replaced_and_reported()
    {
        var kind = MakeItLearn();
        var exercise = Generate(kind, "m4-learn-circle");
        var goal = (LearnGoal)exercise.Solution;
        var honest = Report(await kind.CheckAsync(exercise, Answers(("hash", PlaygroundState.Format(goal.Reference))), 1, CancellationToken.None));

        // An easier problem (gauss, x² and y² as inputs) and another activation: all replaced, named, and the result is
        // the reference's own.
        var easier = goal.Reference with
        {
            Dataset = "gauss", Noise = 30, PercTrainData = 80, Seed = "lucky", Features = ["x", "y", "xSquared", "ySquared"], Activation = "tanh", Hidden = [],
        };
        var verdict = await kind.CheckAsync(exercise, Answers(("hash", PlaygroundState.Format(easier))), 1, CancellationToken.None);
        var report = Report(verdict);
        Assert.Contains("dataset circle (yours: gauss)", report.Overridden);
        Assert.Contains("noise 0 % (yours: 30 %)", report.Overridden);
        Assert.Contains("training share 50 % (yours: 80 %)", report.Overridden);
        Assert.Contains("seed 'm4-learn-circle' (yours: 'lucky')", report.Overridden);
        Assert.Contains("inputs x₁, x₂ (yours: x₁, x₂, x₁², x₂²)", report.Overridden);
        Assert.Contains("activation relu (yours: tanh)", report.Overridden);
        Assert.Contains("The exercise replaced:", verdict.Feedback, StringComparison.Ordinal);
        Assert.Equal((honest.Epochs, honest.TestAccuracy), (report.Epochs, report.TestAccuracy));
        Assert.True(verdict.Correct);
    }

    [Theory]
    [InlineData("activation=relux&networkShape=4", "activation")]
    [InlineData("networkShape=4,banana", "networkShape")]
    [InlineData("zzz=1", "zzz")]
    public async Task A_garbage_playground_link_is_refused_naming_what_is_wrong(string hash, string named)
    {
        var kind = MakeItLearn();
        var exercise = Generate(kind, "m1-learn-xor");
        var e = await Assert.ThrowsAsync<WebRequestException>(() => kind.CheckAsync(exercise, Answers(("hash", hash)), 1, CancellationToken.None));
        Assert.Equal(400, e.Status);
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Oversized_missing_or_non_text_links_are_refused_with_400()
    {
        var kind = MakeItLearn();
        var exercise = Generate(kind, "m1-learn-xor");
        var huge = Preset(exercise, "hash") + "&seed=" + new string('7', MakeItLearnKind.MaxHashLength);
        foreach (var answers in new[] { Answers(("hash", huge)), Answers(("hash", 42)), Answers(("hash", "")), Answers(("hash", "#")), Answers() })
        {
            var e = await Assert.ThrowsAsync<WebRequestException>(() => kind.CheckAsync(exercise, answers, 1, CancellationToken.None));
            Assert.Equal(400, e.Status);
            Assert.Contains("'hash'", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_network_over_the_server_caps_is_refused_with_400()
    {
        var kind = MakeItLearn(new PlaygroundLimits { MaxNeurons = 5 });
        var exercise = Generate(kind, "m1-learn-xor");
        var e = await Assert.ThrowsAsync<WebRequestException>(() => kind.CheckAsync(exercise, Answers(("hash", "activation=tanh&networkShape=8")), 1, CancellationToken.None));
        Assert.Equal(400, e.Status);
        Assert.Contains("networkShape", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_diverging_learning_rate_is_named()
    {
        var kind = MakeItLearn();
        var exercise = Generate(kind, "m1-learn-xor");
        var verdict = await kind.CheckAsync(exercise, Answers(("hash", "activation=leaky_relu&networkShape=8,8,8&learningRate=10")), 1, CancellationToken.None);
        Assert.False(verdict.Correct);
        Assert.Equal("diverged", verdict.Mistake);
        Assert.Null(Report(verdict).TestAccuracy);
        Assert.Contains("learning rate 10", verdict.Feedback, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("activation=tanh&networkShape=4,2&initZero=true", "init-zero", "initZero")]
    [InlineData("activation=linear&networkShape=", "no-hidden-layer", "single neuron")]
    [InlineData("activation=tanh&networkShape=4,2&regularization=L2&regularizationRate=0.3", "too-much-regularization", "rate 0.3")]
    [InlineData("activation=tanh&networkShape=4,2&learningRate=0.0001", "learning-rate-too-small", "learning rate 0.0001")]
    [InlineData("activation=relu&networkShape=4,2&learningRate=1", "dead-units", "dead")]
    [InlineData("activation=tanh&networkShape=1", "too-few-units", "1 unit")]
    public async Task The_tutor_recognises_the_likely_mistake(string hash, string mistake, string words)
    {
        var kind = MakeItLearn();
        var verdict = await kind.CheckAsync(Generate(kind, "m1-learn-xor"), Answers(("hash", hash)), 1, CancellationToken.None);
        Assert.False(verdict.Correct);
        Assert.StartsWith(mistake, verdict.Mistake, StringComparison.Ordinal); // dead-units or dead-units-growing
        Assert.Contains(words, verdict.Feedback, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hints_come_in_steps_and_the_solution_after_the_third_wrong_try()
    {
        var kind = MakeItLearn();
        var exercise = Generate(kind, "m4-learn-circle");
        var goal = (LearnGoal)exercise.Solution;
        var answers = Answers(("hash", Preset(exercise, "hash")));
        var first = await kind.CheckAsync(exercise, answers, 1, CancellationToken.None);
        var second = await kind.CheckAsync(exercise, answers, 2, CancellationToken.None);
        var third = await kind.CheckAsync(exercise, answers, 3, CancellationToken.None);
        Assert.Equal(goal.Hints[0], first.Hint);
        Assert.Equal(goal.Hints[1], second.Hint);
        Assert.Null(first.Solution);
        Assert.Null(second.Solution);
        Assert.NotNull(third.Solution);
        Assert.Contains(System.Net.WebUtility.HtmlEncode(PlaygroundState.Format(goal.Reference)), third.Solution, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("m1-fix-collapsed", "linear-collapse")]
    [InlineData("m5-fix-dead", "dead-units")]
    [InlineData("m6-fix-softmax-hidden", "hidden-softmax")]
    [InlineData("m7-fix-deep-sigmoid", "deep-saturating")]
    [InlineData("m9-fix-sigmoid-exclusive", "sigmoid-multiclass")]
    public async Task Fix_network_preset_fails_with_the_advisor_naming_its_problem(string id, string mistake)
    {
        var kind = FixNetwork();
        var exercise = Generate(kind, id);
        var broken = (BrokenNetwork)exercise.Solution;
        var verdict = await kind.CheckAsync(exercise, PresetAnswers(exercise), 1, CancellationToken.None);

        Assert.False(verdict.Correct);
        Assert.StartsWith(mistake, verdict.Mistake, StringComparison.Ordinal);
        Assert.Contains("This is the network as given", verdict.Feedback, StringComparison.Ordinal);
        var report = Report(verdict);
        var named = report.Advice.First(a => a.Code == verdict.Mistake);
        Assert.Contains(System.Net.WebUtility.HtmlEncode(named.Message), verdict.Feedback, StringComparison.Ordinal);
        Assert.Equal(broken.Target, report.Target);
        Assert.NotNull(verdict.Hint);
    }

    [Fact]
    public async Task Dying_units_are_seen_only_during_training_and_cost_accuracy()
    {
        var kind = FixNetwork();
        var exercise = Generate(kind, "m5-fix-dead");
        var verdict = await kind.CheckAsync(exercise, PresetAnswers(exercise), 1, CancellationToken.None);
        var report = Report(verdict);
        Assert.DoesNotContain(report.Advice, a => a.Stage == "before training");
        Assert.Contains(report.Advice, a => a.Stage == "during training" && a.Code.StartsWith("dead-units", StringComparison.Ordinal));
        Assert.Equal(50, report.Epochs);
    }

    [Theory]
    [MemberData(nameof(FixExercises))]
    public async Task Fix_network_solution_passes(string id)
    {
        var kind = FixNetwork();
        var exercise = Generate(kind, id);
        var broken = (BrokenNetwork)exercise.Solution;
        var answers = new List<(string, object?)> { ("spec", broken.SolutionSpec) };
        if (broken.ChooseLoss)
        {
            answers.Add(("loss", broken.SolutionLoss));
        }

        if (broken.LearningRates.Count > 0)
        {
            answers.Add(("learningRate", TrainingTutor.Number(broken.SolutionLearningRate)));
        }

        var verdict = await kind.CheckAsync(exercise, Answers([.. answers]), 1, CancellationToken.None);
        Assert.True(verdict.Correct, verdict.Feedback);
        var report = Report(verdict);
        Assert.DoesNotContain(report.Advice, a => a.Severity != "info");
        Assert.Equal(broken.Epochs, report.Epochs);
        Assert.True(report.TestAccuracy >= broken.Target);
        Assert.NotNull(verdict.Solution);
    }

    [Fact]
    public async Task A_lower_learning_rate_also_saves_the_dying_relu_network()
    {
        var kind = FixNetwork();
        var exercise = Generate(kind, "m5-fix-dead");
        var verdict = await kind.CheckAsync(exercise, Answers(("spec", Preset(exercise, "spec")), ("learningRate", "0.03")), 1, CancellationToken.None);
        Assert.True(verdict.Correct, verdict.Feedback);
    }

    [Fact]
    public async Task The_right_spec_with_the_wrong_loss_is_not_trained_and_the_loss_is_marked()
    {
        var kind = FixNetwork();
        var exercise = Generate(kind, "m9-fix-sigmoid-exclusive");
        var verdict = await kind.CheckAsync(exercise, Answers(("spec", "dense:8,relu,dense:3"), ("loss", "bce_logits")), 1, CancellationToken.None);
        Assert.False(verdict.Correct);
        Assert.Equal("sigmoid-multiclass", verdict.Mistake);
        Assert.False(verdict.Fields["loss"]);
        Assert.Equal(0, Report(verdict).Epochs);
        Assert.Contains("not trained", verdict.Feedback, StringComparison.Ordinal);

        // Softmax as a layer and cross_entropy: the loss is right, the extra softmax is named.
        var doubled = await kind.CheckAsync(exercise, Answers(("spec", "dense:8,relu,dense:3,softmax"), ("loss", "cross_entropy")), 1, CancellationToken.None);
        Assert.False(doubled.Correct);
        Assert.Equal("activation-before-fused-loss", doubled.Mistake);
        Assert.True(doubled.Fields["loss"]);
    }

    [Fact]
    public async Task A_spec_that_does_not_parse_is_a_wrong_try_with_the_parsers_words()
    {
        var kind = FixNetwork();
        var exercise = Generate(kind, "m1-fix-collapsed");
        var verdict = await kind.CheckAsync(exercise, Answers(("spec", "dense:8,<b>relu</b>,dense:1")), 1, CancellationToken.None);
        Assert.False(verdict.Correct);
        Assert.Equal("spec-syntax", verdict.Mistake);
        Assert.Contains("token 2", verdict.Feedback, StringComparison.Ordinal);
        Assert.Contains("&lt;b&gt;relu&lt;/b&gt;", verdict.Feedback, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", verdict.Feedback, StringComparison.Ordinal);

        var empty = await kind.CheckAsync(exercise, Answers(("spec", "  ")), 1, CancellationToken.None);
        Assert.Equal("spec-syntax", empty.Mistake);
    }

    [Theory]
    [InlineData("conv:8x3,relu,dense:1", "spec-layer")]
    [InlineData("dense:8,relu,dense:2", "output-width")]
    [InlineData("relu", "no-dense")]
    public async Task A_spec_that_cannot_model_these_points_is_a_wrong_try(string spec, string mistake)
    {
        var kind = FixNetwork();
        var verdict = await kind.CheckAsync(Generate(kind, "m1-fix-collapsed"), Answers(("spec", spec)), 1, CancellationToken.None);
        Assert.False(verdict.Correct);
        Assert.Equal(mistake, verdict.Mistake);
    }

    [Fact]
    public async Task Oversized_or_non_text_specs_are_refused_with_400()
    {
        var kind = FixNetwork();
        var exercise = Generate(kind, "m1-fix-collapsed");
        string deep = string.Join(",", Enumerable.Repeat("dense:4,relu", FixNetworkKind.MaxDenseLayers)) + ",dense:1";
        foreach (var (spec, words) in new (object?, string)[]
        {
            ("dense:64,relu,dense:1", "32 units"),
            (deep, "12 dense layers"),
            (new string('x', FixNetworkKind.MaxSpecLength + 1), "at most 400"),
            (17, "must be text"),
            (null, "no value"),
        })
        {
            var e = await Assert.ThrowsAsync<WebRequestException>(() => kind.CheckAsync(exercise, Answers(("spec", spec)), 1, CancellationToken.None));
            Assert.Equal(400, e.Status);
            Assert.Contains(words, e.Message, StringComparison.Ordinal);
        }

        var loss = await Assert.ThrowsAsync<WebRequestException>(() =>
            kind.CheckAsync(Generate(kind, "m9-fix-sigmoid-exclusive"), Answers(("spec", "dense:8,relu,dense:3"), ("loss", "hinge")), 1, CancellationToken.None));
        Assert.Equal(400, loss.Status);
        Assert.Contains("'loss'", loss.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_busy_server_answers_429_instead_of_waiting_forever()
    {
        var gate = new TrainingCheckGate(1, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(1));
        var kind = new FixNetworkKind(gate);
        var exercise = kind.Generate(Course.Exercise("m1-fix-collapsed"), 1);
        using var hold = new ManualResetEventSlim();
        using var started = new ManualResetEventSlim();
        var busy = gate.RunAsync(_ => { started.Set(); hold.Wait(); return 0; }, CancellationToken.None);
        started.Wait();
        try
        {
            var e = await Assert.ThrowsAsync<WebRequestException>(() => kind.CheckAsync(exercise, Answers(("spec", "dense:8,relu,dense:1")), 1, CancellationToken.None));
            Assert.Equal(429, e.Status);
            Assert.Contains("not counted", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            hold.Set();
        }

        await busy;
        var verdict = await kind.CheckAsync(exercise, Answers(("spec", "dense:8,relu,dense:1")), 1, CancellationToken.None);
        Assert.NotNull(verdict.Training);
    }

    [Fact]
    public async Task Training_past_the_time_limit_stops_and_says_so()
    {
        var kind = new MakeItLearnKind(new TrainingCheckGate(1, TimeSpan.FromMinutes(1), TimeSpan.FromTicks(1)), new PlaygroundLimits());
        var exercise = Generate(kind, "m9-learn-spiral");
        var verdict = await kind.CheckAsync(exercise, Answers(("hash", Preset(exercise, "hash"))), 1, CancellationToken.None);
        Assert.False(verdict.Correct);
        Assert.Equal("time-limit", verdict.Mistake);
        Assert.True(Report(verdict).Epochs < 500);
    }

    [Fact]
    public async Task A_cancelled_request_cancels_the_check()
    {
        var kind = MakeItLearn();
        var exercise = Generate(kind, "m9-learn-spiral");
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => kind.CheckAsync(exercise, Answers(("hash", Preset(exercise, "hash"))), 1, cancelled.Token));
    }

    private static Dictionary<string, JsonElement> PresetAnswers(Exercise exercise) =>
        Answers([.. exercise.Fields.Select(f => (f.Name, (object?)f.Preset))]);
}
