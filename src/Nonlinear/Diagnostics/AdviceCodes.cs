namespace Nonlinear.Diagnostics;

/// <summary>The stable identifiers of <see cref="Advice.Code"/>; scripts may match on them.</summary>
public static class AdviceCodes
{
    /// <summary>Two or more dense or convolution layers with no activation between them: they compute one linear map.</summary>
    public const string LinearCollapse = "linear-collapse";

    /// <summary>Softmax (or log-softmax) in a hidden layer.</summary>
    public const string HiddenSoftmax = "hidden-softmax";

    /// <summary>
    /// An activation whose derivative is 0 everywhere (step) after layers with weights: no gradient reaches them,
    /// so backpropagation never changes them.
    /// </summary>
    public const string NoGradient = "no-gradient";

    /// <summary>A deep stack of saturating activations (sigmoid, tanh, ...) without normalisation: vanishing gradients.</summary>
    public const string DeepSaturating = "deep-saturating";

    /// <summary>Softmax output with binary cross-entropy (which applies a sigmoid of its own).</summary>
    public const string SoftmaxWithBce = "softmax-with-bce";

    /// <summary>Sigmoid output (or binary cross-entropy) for mutually exclusive classes.</summary>
    public const string SigmoidMulticlass = "sigmoid-multiclass";

    /// <summary>An activation layer at the end of the model before a loss that applies its own (bce_logits, cross_entropy).</summary>
    public const string ActivationBeforeFusedLoss = "activation-before-fused-loss";

    /// <summary>A classification model whose outputs are never turned into probabilities (identity output).</summary>
    public const string IdentityOutputClassification = "identity-output-classification";

    /// <summary>A regression model whose output is bounded (sigmoid, softmax, tanh) or trained with a classification loss.</summary>
    public const string BoundedOutputRegression = "bounded-output-regression";

    /// <summary>Softmax over a single output, which is always 1.</summary>
    public const string SoftmaxSingleOutput = "softmax-single-output";

    /// <summary>Mean squared error on a classification task.</summary>
    public const string MseClassification = "mse-classification";

    /// <summary>An output activation that differs from the one the loss trains.</summary>
    public const string OutputLossMismatch = "output-loss-mismatch";

    /// <summary>An explicit initializer that does not fit the activation after the layer.</summary>
    public const string InitMismatch = "init-mismatch";

    /// <summary>A Leaky ReLU slope outside the usual 0.01-0.3.</summary>
    public const string LeakyAlphaRange = "leaky-alpha-range";

    /// <summary>A layer cannot take the shape the previous one produces (only checked when the input shape is known).</summary>
    public const string ShapeMismatch = "shape-mismatch";

    /// <summary>Runtime: a large share of a ReLU-family layer's units never activate.</summary>
    public const string DeadUnits = "dead-units";

    /// <summary>Runtime: the share of dead units grew markedly during training (not yet over the threshold).</summary>
    public const string DeadUnitsGrowing = "dead-units-growing";

    /// <summary>Runtime: most pre-activations of a saturating layer sit in its flat tails.</summary>
    public const string Saturation = "saturation";

    /// <summary>Runtime: the first layer's weight gradients are tiny next to the last layer's.</summary>
    public const string VanishingGradients = "vanishing-gradients";

    /// <summary>Runtime: the first layer's weight gradients are huge next to the last layer's.</summary>
    public const string ExplodingGradients = "exploding-gradients";

    /// <summary>Runtime: a NaN or infinity appeared.</summary>
    public const string NonFinite = "non-finite";

    /// <summary>An RNN with an unbounded activation (relu, identity, ...) trained without gradient clipping: exploding gradients through time.</summary>
    public const string RecurrentUnboundedNoClip = "recurrent-unbounded-no-clip";

    /// <summary>Self-attention without the 1/√d_k scaling of the scores (<c>:unscaled</c>): the softmax saturates.</summary>
    public const string AttentionUnscaled = "attention-unscaled";

    /// <summary>A language model (per-step predictions) not trained with softmax cross-entropy at every step.</summary>
    public const string LanguageModelLoss = "language-model-loss";

    /// <summary>Runtime: the gradient reaching the first time step of a recurrent layer is tiny next to the last step's.</summary>
    public const string VanishingThroughTime = "vanishing-through-time";

    /// <summary>Runtime: the gradient reaching the first time step of a recurrent layer is huge next to the last step's.</summary>
    public const string ExplodingThroughTime = "exploding-through-time";
}
