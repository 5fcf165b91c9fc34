using static Nonlinear.Web.Learn.Exercises.MathMarkup;

namespace Nonlinear.Web.Learn.Exercises;

/// <summary>The bank of concept questions, by the "question" parameter of course.json.</summary>
internal static class ConceptQuestions
{
    private static readonly Dictionary<string, ConceptQuestion> Bank = new ConceptQuestion[]
    {
        new("deep-linear", new SeeAlso("m1", "w-collapse", "the collapse widget in module 1"), [DeepLinearDepth, DeepLinearXor]),
        new("binary-output", new SeeAlso("m2", "w-sigmoid", "the sigmoid widget in module 2"), [BinaryOutput]),
        new("zero-centred", new SeeAlso("m3", "w-tanh", "the tanh widget in module 3"), [ZeroCentredWhy, ZeroCentredPositiveInputs]),
        new("dying-relu", new SeeAlso("m5", "w-leaky", "the Leaky ReLU widget in module 5"), [DyingWhat, DyingCure]),
        new("one-logit", new SeeAlso("m6", "w-softmax", "the softmax widget in module 6"), [OneLogitValue, OneLogitClassifier]),
        new("vanishing", new SeeAlso("m7", "w-depth", "the depth widget in module 7"), [VanishingWhy, VanishingFactor]),
        new("chain-rule", new SeeAlso("m8", "w-backprop", "the backprop widget in module 8"), [ChainFactors, ChainDeadUnit]),
        new("output-and-loss", new SeeAlso("m9", null, "module 9, choosing an activation"), [OutputAndLoss]),
    }.ToDictionary(q => q.Id, StringComparer.Ordinal);

    /// <summary>Every question id in the bank.</summary>
    public static IReadOnlyCollection<string> Ids => Bank.Keys;

    /// <summary>The question <paramref name="id"/>, or null.</summary>
    public static ConceptQuestion? Find(string id) => Bank.GetValueOrDefault(id);

    private static ConceptOption No(string label, string code, string why) => new(label, code, why);

    private const string CollapseReason =
        "<p>Without an activation, layers compose into one affine map: W₂(W₁x + b₁) + b₂ = (W₂W₁)x + (W₂b₁ + b₂), and so on for every further layer. "
        + "One affine map draws one straight decision boundary, whatever the depth or width. A non-linear activation between the layers is what lets the boundary bend.</p>";

    private static ConceptVariant DeepLinearDepth(SeededRandom random)
    {
        string depth = Given(random.Pick([5, 8, 10, 20]));
        return new(
            $"<p>A network stacks {depth} dense layers with no activation function between them. What can it compute?</p>",
            $"Only an affine map W′x + b′: the {depth} layers collapse into a single linear layer.",
            [
                No("Any continuous function, if the layers are wide enough.", "depth-without-nonlinearity",
                    "The universal approximation theorem needs a non-linear activation; without one, any width and depth still give one affine map."),
                No("XOR and other curved boundaries, because depth adds non-linearity.", "depth-is-nonlinear",
                    "Depth alone adds nothing: a product of matrices is a matrix, so the boundary stays a straight line."),
                No("Only linear maps through the origin (no offset).", "bias-lost",
                    "The biases survive the collapse as b′ = W₂b₁ + b₂, so the map need not pass through the origin."),
            ],
            CollapseReason);
    }

    private static ConceptVariant DeepLinearXor(SeededRandom random)
    {
        string depth = Given(random.Pick([3, 4, 5, 6]));
        return new(
            $"<p>You train a {depth}-layer network with linear activations (none at all) on XOR. What happens?</p>",
            $"It stays far from 100 % accuracy: all {depth} layers together draw one straight boundary, and no straight line separates XOR.",
            [
                No("It reaches 100 % if you train long enough.", "more-training",
                    "More epochs cannot help: the best the network can represent is a straight boundary, which misclassifies part of XOR."),
                No("It reaches 100 % if the layers are wide enough.", "width-without-nonlinearity",
                    "Width does not help either: wide linear layers still compose into one linear map."),
                No("It diverges, because linear layers make the gradient explode.", "linear-explodes",
                    "Nothing forces a divergence; it trains stably, towards the best straight line."),
            ],
            CollapseReason);
    }

    private static ConceptVariant BinaryOutput(SeededRandom random)
    {
        string task = random.Pick(["whether an email is spam", "whether a tumour is malignant", "whether a customer will cancel their subscription", "whether a card payment is fraudulent"]);
        return new(
            $"<p>A model decides {task}: yes or no. Which output layer fits?</p>",
            "One unit with the sigmoid, read as the probability of yes (trained with binary cross-entropy).",
            [
                No("One unit with ReLU.", "relu-output",
                    "ReLU's output is unbounded above and exactly 0 for every negative logit: it is not a probability, and a unit stuck at 0 gets no gradient."),
                No("One unit with tanh.", "tanh-output",
                    "tanh lies in (−1, 1), not (0, 1); rescaling it gives the sigmoid again, since tanh(z) = 2σ(2z) − 1."),
                No("One unit with softmax.", "one-logit-softmax",
                    "Softmax over a single unit is always 1 (e<sup>z</sup>/e<sup>z</sup>), whatever the input: the model could never say no."),
            ],
            "<p>The sigmoid maps any logit into (0, 1), so one unit gives P(yes), and 1 − P(yes) is P(no). With binary cross-entropy its gradient is simply ŷ − y. "
            + "(Softmax over two units is equivalent, but one sigmoid unit is the usual choice.)</p>");
    }

    private const string ZeroCentredReason =
        "<p>A weight's gradient is its input times the gradient arriving at the neuron: ∂L/∂wᵢ = δ·xᵢ. When every input xᵢ is positive (sigmoid outputs lie in (0, 1)), "
        + "all the ∂L/∂wᵢ of a neuron share δ's sign in each step, so its weights all grow or all shrink together and reach a mixed-sign solution only by zig-zagging. "
        + "tanh's outputs lie in (−1, 1) around 0, so the inputs of the next layer have both signs.</p>";

    private static ConceptVariant ZeroCentredWhy(SeededRandom random) => new(
        "<p>Why do zero-centred activations such as tanh tend to help the next layer learn, compared with the sigmoid?</p>",
        "The next layer's inputs take both signs, so the gradients of its weights (upstream gradient × input) do not all share one sign, and the updates need not zig-zag.",
        [
            No("tanh's slope never gets small.", "tanh-never-saturates",
                "tanh saturates too: its slope 1 − tanh²(z) goes to 0 for large |z|."),
            No("tanh is cheaper to compute than the sigmoid.", "cost",
                "Both need an exponential; cost is not the reason."),
            No("Zero-centred outputs make the network linear near 0.", "linear-near-zero",
                "Both are nearly linear near their centre (the sigmoid around 0.5 at z = 0). The benefit is the sign of the outputs, not linearity."),
        ],
        ZeroCentredReason);

    private static ConceptVariant ZeroCentredPositiveInputs(SeededRandom random) => new(
        "<p>A neuron's inputs all come from sigmoid units, so they are all positive. What does that do to the gradients of its weights in one training step?</p>",
        "They all have the same sign (that of the gradient arriving at the neuron), so its weights can only all grow or all shrink together, and the path zig-zags.",
        [
            No("They vanish.", "vanish-confusion",
                "Positive inputs do not make the gradients small; they make them share one sign."),
            No("They explode.", "explode-confusion",
                "Inputs in (0, 1) do not make gradients grow; the issue is that they all share one sign."),
            No("Nothing: the sign of the inputs does not matter.", "sign-irrelevant",
                "It does: ∂L/∂wᵢ = δ·xᵢ, so with every xᵢ &gt; 0 every gradient has δ's sign."),
        ],
        ZeroCentredReason);

    private const string DyingReason =
        "<p>ReLU's slope is 0 for z &lt; 0. A unit whose pre-activation z = w·x + b is negative for every input passes no gradient back, so nothing moves its weights again: it is dead. "
        + "Large learning rates (one big step can push the bias far down) and poor initialisation make it likely. Leaky ReLU keeps a small slope α (0.01–0.3) for z &lt; 0, "
        + "PReLU learns α, so such a unit still learns and can recover.</p>";

    private static ConceptVariant DyingWhat(SeededRandom random) => new(
        "<p>What is a dead ReLU unit?</p>",
        "A unit whose pre-activation is negative for every input, so its output and its gradient are always 0 and its weights stop changing.",
        [
            No("A unit whose weights have become exactly zero.", "zero-weights",
                "Its weights are usually not zero; it is the pre-activation w·x + b that is negative for every input, often after a large step pushed the bias down."),
            No("A unit whose output has grown above 1.", "large-output",
                "ReLU's output is unbounded above, and large outputs are alive: the slope there is 1."),
            No("A unit whose gradient has exploded.", "explode-confusion",
                "A dead unit has the opposite problem: its gradient is exactly 0."),
        ],
        DyingReason);

    private static ConceptVariant DyingCure(SeededRandom random) => new(
        "<p>Which change keeps ReLU units from dying?</p>",
        "Leaky ReLU: a small slope α (0.01–0.3) for negative inputs, so a unit still gets a gradient and can recover.",
        [
            No("A larger learning rate.", "larger-step",
                "A large step is a common cause: one big update can push a unit's bias so far down that it never fires again."),
            No("A sigmoid in the output layer.", "output-irrelevant",
                "The output activation does not change the hidden units' zero slope for negative inputs."),
            No("Training for more epochs.", "more-training",
                "A dead unit gets zero gradient, so more epochs change nothing for it."),
        ],
        DyingReason);

    private const string OneLogitReason =
        "<p>Softmax normalises over all the logits: p<sub>i</sub> = e<sup>z<sub>i</sub></sup> / Σ e<sup>z<sub>j</sub></sup>. With a single logit that is e<sup>z</sup>/e<sup>z</sup> = 1, "
        + "whatever z is: the output never changes, so it says nothing and passes no gradient. For a yes/no output use one sigmoid unit (softmax over [z, 0] is exactly σ(z)).</p>";

    private static ConceptVariant OneLogitValue(SeededRandom random)
    {
        double z = random.Nice(-4, 4, 1, 0.5);
        var sigmoid = new EngineActivation("sigmoid");
        return new(
            $"<p>What is the softmax of a single logit, z = {Given(z)}?</p>",
            "1, whatever z is.",
            [
                No($"σ({Given(z)}) = {Text(sigmoid.Value(z), 3)}", "sigmoid-confusion",
                    "That is the sigmoid. Softmax divides e<sup>z</sup> by the sum of the exponentials of all logits, here e<sup>z</sup> itself."),
                No($"e<sup>{Given(z)}</sup> = {Text(Math.Exp(z), 3)}", "not-normalised",
                    "That is the exponential before normalising; softmax divides it by the sum over all logits."),
                No("0.5", "half", "0.5 would be a two-way tie; with one logit there is nothing to share with."),
            ],
            OneLogitReason);
    }

    private static ConceptVariant OneLogitClassifier(SeededRandom random) => new(
        "<p>A yes/no classifier has a single output unit followed by softmax. What goes wrong?</p>",
        "Its output is 1 for every input, so it carries no information and passes no gradient: use a sigmoid (or softmax over two units).",
        [
            No("Nothing: softmax over one unit is the sigmoid.", "softmax-is-sigmoid",
                "The sigmoid is softmax over the two logits [z, 0]; over one logit softmax is e<sup>z</sup>/e<sup>z</sup> = 1."),
            No("It overflows for large logits.", "overflow-confusion",
                "Overflow is avoided by subtracting the largest logit (the engine does); the real problem is that the output is always 1."),
            No("It outputs 0.5 for every input.", "half",
                "0.5 would be a two-way tie; with one logit softmax gives 1."),
        ],
        OneLogitReason);

    private const string VanishingReason =
        "<p>Backprop multiplies one activation slope per layer on the way back. The sigmoid's slope σ(z)(1 − σ(z)) is at most 0.25 (at z = 0), so through L layers the "
        + "gradient shrinks by a factor 0.25<sup>L</sup> or more: it vanishes, and the first layers barely learn. ReLU (slope 1 for active units), Xavier/He initialisation, "
        + "normalisation and residual connections keep it alive.</p>";

    private static ConceptVariant VanishingWhy(SeededRandom random) => new(
        "<p>Why does a deep stack of sigmoid layers learn slowly in its first layers?</p>",
        "The gradient reaching the first layer is a product with one σ′ per layer, each at most 0.25, so it shrinks geometrically with depth.",
        [
            No("The sigmoid's outputs are too large.", "output-size",
                "The outputs lie in (0, 1); it is the slopes, at most 0.25, that make the product shrink."),
            No("The learning rate is divided by the number of layers.", "lr-divided",
                "Every layer gets the same learning rate; its gradient is what is small."),
            No("The first layers have fewer weights than the last.", "fewer-weights",
                "The number of weights does not matter here; the product of slopes does."),
        ],
        VanishingReason);

    private static ConceptVariant VanishingFactor(SeededRandom random)
    {
        int layers = random.Pick([6, 8, 10, 12]);
        string l = Given(layers);
        return new(
            $"<p>At best, by what factor do {l} sigmoid layers scale a gradient through their activations alone (leaving the weights out)?</p>",
            $"By 0.25<sup>{l}</sup> ≈ {Text(Math.Pow(0.25, layers), 3)}, and usually by much less.",
            [
                No($"By 0.25 × {l} = {Given(0.25 * layers)}.", "summed-not-multiplied",
                    "The chain rule multiplies one factor per layer; it does not add them."),
                No("By 1: the sigmoid passes gradients unchanged.", "unit-slope",
                    "That is ReLU for an active unit. The sigmoid's slope is at most 0.25."),
                No($"By 0.5<sup>{l}</sup> ≈ {Text(Math.Pow(0.5, layers), 3)}.", "wrong-peak",
                    "0.5 is the sigmoid's value at 0; its slope there is 0.25."),
            ],
            VanishingReason);
    }

    private const string ChainReason =
        "<p>The chain rule multiplies the local derivative of every step between the loss and the weight: for a first-layer weight from xᵢ into hidden unit j, "
        + "∂L/∂w<sub>ji</sub> = ∂L/∂z<sub>out</sub> · w₂<sub>j</sub> · f′(z<sub>j</sub>) · xᵢ. The activation's slope is one of the factors: where it is 0 (ReLU for z &lt; 0) "
        + "no gradient passes, where it is small (a saturated sigmoid) little does.</p>";

    private static ConceptVariant ChainFactors(SeededRandom random) => new(
        "<p>In a 2-2-1 network, which factors make up ∂L/∂w for a first-layer weight w (from input xᵢ into hidden unit j)?</p>",
        "∂L/∂z<sub>out</sub> × the output weight of unit j × f′(z<sub>j</sub>) × xᵢ",
        [
            No("∂L/∂z<sub>out</sub> × xᵢ", "skipped-hidden",
                "That skips the hidden unit: the gradient passes through the output weight of unit j and the slope of its activation on the way."),
            No("L × w × xᵢ", "loss-not-gradient",
                "The loss's value is not a factor; its derivative ∂L/∂z<sub>out</sub> is, and the weight itself is not."),
            No("∂L/∂z<sub>out</sub> × the output weight of unit j × f(z<sub>j</sub>) × xᵢ", "value-instead-of-derivative",
                "The chain rule needs the activation's slope f′(z<sub>j</sub>), not its value f(z<sub>j</sub>)."),
        ],
        ChainReason);

    private static ConceptVariant ChainDeadUnit(SeededRandom random)
    {
        string z = Given(-random.Pick([0.5, 1, 1.5, 2, 3]));
        return new(
            $"<p>For the current sample, a hidden ReLU unit has the pre-activation z = {z}. What gradient reaches its incoming weights from this sample?</p>",
            $"0: ReLU's slope at z = {z} is 0, and the slope is one factor of the product.",
            [
                No("The same as for an active unit.", "slope-ignored",
                    "The activation's slope is a factor of every incoming weight's gradient; ReLU's is 0 for negative z."),
                No($"{z} times the gradient arriving at the unit.", "value-as-slope",
                    "z is the pre-activation, not the slope; ReLU's slope is 0 there."),
                No("It depends only on the learning rate.", "lr-confusion",
                    "The learning rate scales the step, not the gradient; the gradient is 0 here."),
            ],
            ChainReason);
    }

    private static ConceptVariant OutputAndLoss(SeededRandom random)
    {
        const string softmaxCe = "Softmax over the outputs, with cross-entropy";
        const string sigmoidBce = "One sigmoid output, with binary cross-entropy";
        const string identityMse = "A linear (identity) output, with mean squared error";
        const string sigmoidEach = "A sigmoid on each output, with binary cross-entropy on each";
        return random.Below(4) switch
        {
            0 => new(
                "<p>A model sorts photos of clothing into one of 10 kinds (shirt, shoe, bag, ...). Each photo shows exactly one. Which output activation and loss?</p>",
                softmaxCe,
                [
                    No(sigmoidEach, "sigmoid-for-exclusive", "Independent sigmoids do not compete and need not sum to 1; that suits tags that can hold together, not exclusive classes."),
                    No(identityMse, "regression-for-classes", "Class labels are not quantities: a linear output with squared error gives no probabilities and learns poorly."),
                    No("ReLU outputs, with cross-entropy", "relu-output", "ReLU outputs are not probabilities and die at 0; cross-entropy needs a distribution, which softmax makes."),
                ],
                "<p>Exclusive classes: softmax turns the 10 logits into one probability distribution (the classes compete), and cross-entropy is the negative log-probability of the right class; together their gradient is p − y.</p>"),
            1 => new(
                "<p>A model flags an email as spam or not spam. Which output activation and loss?</p>",
                sigmoidBce,
                [
                    No("Softmax on that one output, with cross-entropy", "one-logit-softmax", "Softmax over one output is always 1, whatever the email."),
                    No(identityMse, "regression-for-classes", "A yes/no answer is not a quantity; a linear output gives no probability."),
                    No("tanh output, with mean squared error", "tanh-output", "tanh's (−1, 1) is not a probability, and squared error learns slowly through a saturated output."),
                ],
                "<p>One yes/no question: a sigmoid unit gives P(spam) in (0, 1), and binary cross-entropy is its matching loss (gradient ŷ − y).</p>"),
            2 => new(
                "<p>A model predicts a house's sale price from its size, age and location. Which output activation and loss?</p>",
                identityMse,
                [
                    No("Sigmoid output, with binary cross-entropy", "bounded-regression", "The sigmoid squashes into (0, 1): a price is not a probability."),
                    No(softmaxCe, "softmax-for-regression", "Softmax makes a distribution over classes; a price is one unbounded number."),
                    No("tanh output, with mean squared error", "bounded-regression", "tanh cannot go beyond (−1, 1), so it cannot reach a price unless the targets are squeezed into that range."),
                ],
                "<p>Regression: the output must be able to take any value, so it stays linear (identity), and mean squared error (or a robust variant) measures the distance to the target.</p>"),
            _ => new(
                "<p>A model tags a photo with every object it shows (person, dog, car, ...); several tags can apply at once. Which output activation and loss?</p>",
                sigmoidEach,
                [
                    No(softmaxCe, "softmax-for-multilabel", "Softmax makes the tags compete for one unit of probability: two tags could not both be near 1."),
                    No(sigmoidBce, "single-output-multilabel", "One unit answers one yes/no question; each tag needs its own."),
                    No(identityMse, "regression-for-classes", "Tags are yes/no questions, not quantities; a linear output gives no probabilities."),
                ],
                "<p>Multi-label: each tag is its own yes/no question, so each output gets its own sigmoid and its own binary cross-entropy; the tags do not compete.</p>"),
        };
    }
}
