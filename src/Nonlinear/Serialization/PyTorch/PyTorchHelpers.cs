namespace Nonlinear.Serialization.PyTorch;

/// <summary>
/// The Python source of the small <c>nn.Module</c> classes a generated file defines when PyTorch has no built-in
/// that computes exactly what a Nonlinear layer or activation computes. A file includes only those it uses, in the
/// order of <see cref="Order"/>.
/// </summary>
internal static class PyTorchHelpers
{
    public const string Sine = "Sine";
    public const string Gaussian = "Gaussian";
    public const string Step = "Step";
    public const string Rnn = "RNN";
    public const string ElmanRnn = "ElmanRNN";
    public const string Lstm = "LSTM";
    public const string Gru = "GRU";
    public const string LearnedPositions = "LearnedPositions";
    public const string SinusoidalPositions = "SinusoidalPositions";
    public const string SequencePool = "SequencePool";
    public const string SelfAttention = "SelfAttention";
    public const string TransformerBlock = "TransformerBlock";

    /// <summary>Every helper, in the order a file defines them (a helper that uses another comes after it).</summary>
    public static readonly IReadOnlyList<string> Order =
    [
        Sine, Gaussian, Step, Rnn, ElmanRnn, Lstm, Gru, LearnedPositions, SinusoidalPositions, SequencePool,
        SelfAttention, TransformerBlock,
    ];

    /// <summary>The helpers a helper needs besides itself.</summary>
    public static IEnumerable<string> Requires(string name) => name == TransformerBlock ? [SelfAttention] : [];

    /// <summary>The class definition of helper <paramref name="name"/> (no trailing blank lines).</summary>
    public static string Source(string name) => name switch
    {
        Sine => SineSource,
        Gaussian => GaussianSource,
        Step => StepSource,
        Rnn => RecurrentSource("RNN", "nn.RNN", "rnn", ", nonlinearity=\"tanh\"", ", nonlinearity=nonlinearity", "Nonlinear's rnn (tanh, relu)"),
        ElmanRnn => ElmanSource,
        Lstm => RecurrentSource("LSTM", "nn.LSTM", "lstm", "", "", "Nonlinear's lstm (gates i, f, g, o)"),
        Gru => RecurrentSource("GRU", "nn.GRU", "gru", "", "", "Nonlinear's gru (gates r, z, n)"),
        LearnedPositions => LearnedPositionsSource,
        SinusoidalPositions => SinusoidalPositionsSource,
        SequencePool => SequencePoolSource,
        SelfAttention => SelfAttentionSource,
        TransformerBlock => TransformerBlockSource,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "No such helper."),
    };

    private const string SineSource = """"
        class Sine(nn.Module):
            """Nonlinear's sin activation: f(x) = sin(x)."""

            def forward(self, x):
                return torch.sin(x)
        """";

    private const string GaussianSource = """"
        class Gaussian(nn.Module):
            """Nonlinear's gaussian activation: f(x) = exp(-x^2)."""

            def forward(self, x):
                return torch.exp(-x * x)
        """";

    private const string StepSource = """"
        class Step(nn.Module):
            """Nonlinear's step activation: 1 if x > 0, else 0 (NaN stays NaN).

            Its gradient is 0 everywhere, as in Nonlinear: the layers before a step
            do not learn by gradient descent.
            """

            def forward(self, x):
                step = (x > 0).to(x.dtype)
                return torch.where(torch.isnan(x), x, step)
        """";

    private static string RecurrentSource(string name, string baseClass, string token, string defaultArgument, string passArgument, string what)
    {
        string signature = defaultArgument.Length == 0
            ? "def __init__(self, input_size, hidden_size, return_sequences=False):"
            : $"def __init__(self, input_size, hidden_size{defaultArgument},\n                 return_sequences=False):";
        return $$""""
            class {{name}}({{baseClass}}):
                """{{baseClass}} (one layer, batch_first) as {{what}}.

                Input [N, T, F]. Returns the last hidden state [N, H], or every hidden
                state [N, T, H] when return_sequences is True ('{{token}}:H:seq' in
                Nonlinear). The initial state is 0. The parameters are {{baseClass}}'s:
                weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0.
                """

                {{signature}}
                    super().__init__(input_size, hidden_size{{passArgument}},
                                     batch_first=True)
                    self.return_sequences = return_sequences

                def forward(self, x):
                    output, _ = super().forward(x)
                    return output if self.return_sequences else output[:, -1]
            """";
    }

    private const string ElmanSource = """"
        class ElmanRNN(nn.Module):
            """A one-layer RNN with any elementwise activation, as Nonlinear's rnn.

            nn.RNN offers only tanh and relu; this loop computes, for t = 1..T,
            h_t = activation(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh), h_0 = 0.
            Input [N, T, F]; output h_T [N, H], or every h_t [N, T, H] when
            return_sequences is True. Parameter names and shapes are nn.RNN's.
            """

            def __init__(self, input_size, hidden_size, activation,
                         return_sequences=False):
                super().__init__()
                self.hidden_size = hidden_size
                self.activation = activation
                self.return_sequences = return_sequences
                bound = 1 / math.sqrt(hidden_size)

                def uniform(*shape):
                    return nn.Parameter(torch.empty(*shape).uniform_(-bound, bound))

                self.weight_ih_l0 = uniform(hidden_size, input_size)
                self.weight_hh_l0 = uniform(hidden_size, hidden_size)
                self.bias_ih_l0 = uniform(hidden_size)
                self.bias_hh_l0 = uniform(hidden_size)

            def forward(self, x):
                inputs = F.linear(x, self.weight_ih_l0, self.bias_ih_l0)
                h = x.new_zeros(x.shape[0], self.hidden_size)
                states = []
                for t in range(x.shape[1]):
                    recurrent = F.linear(h, self.weight_hh_l0, self.bias_hh_l0)
                    h = self.activation(inputs[:, t] + recurrent)
                    states.append(h)
                return torch.stack(states, dim=1) if self.return_sequences else h
        """";

    private const string LearnedPositionsSource = """"
        class LearnedPositions(nn.Module):
            """Nonlinear's positions:learned: adds weight[t] to step t of [N, T, D].

            The weight [T, D] is a parameter (GPT-2's wpe), drawn from N(0, 0.02^2).
            """

            def __init__(self, steps, dim):
                super().__init__()
                self.weight = nn.Parameter(torch.randn(steps, dim) * 0.02)

            def forward(self, x):
                return x + self.weight
        """";

    private const string SinusoidalPositionsSource = """"
        class SinusoidalPositions(nn.Module):
            """Nonlinear's positions:sinusoidal: adds Vaswani et al.'s fixed table.

            table[t, 2i] = sin(t / 10000^(2i/D)), table[t, 2i+1] = cos(same), computed
            in float64 and rounded to float32 as Nonlinear does. Not a parameter, and
            not in the state dict (it is recomputed from T and D).
            """

            def __init__(self, steps, dim):
                super().__init__()
                table = torch.zeros(steps, dim, dtype=torch.float64)
                for k in range(0, dim, 2):
                    frequency = 1 / math.pow(10000, k / dim)
                    for t in range(steps):
                        table[t, k] = math.sin(t * frequency)
                        if k + 1 < dim:
                            table[t, k + 1] = math.cos(t * frequency)
                self.register_buffer("table", table.float(), persistent=False)

            def forward(self, x):
                return x + self.table
        """";

    private const string SequencePoolSource = """"
        class SequencePool(nn.Module):
            """Nonlinear's seqpool: a sequence [N, T, D] to one vector [N, D].

            "mean" averages the T steps (padded ones included); "last" keeps step T-1.
            """

            def __init__(self, mode):
                super().__init__()
                if mode not in ("mean", "last"):
                    raise ValueError(f"mode must be 'mean' or 'last', not {mode!r}")
                self.mode = mode

            def forward(self, x):
                return x.mean(dim=1) if self.mode == "mean" else x[:, -1]

            def extra_repr(self):
                return repr(self.mode)
        """";

    private const string SelfAttentionSource = """"
        class SelfAttention(nn.Module):
            """Multi-head self-attention exactly as Nonlinear's attention layer.

            Input and output [N, T, D]; query = key = value = the input. With
            [Q | K | V] = x in_proj_weight^T + in_proj_bias, head i takes columns
            i*d_k .. (i+1)*d_k - 1 of each (d_k = D / heads) and computes
            softmax(Q K^T / sqrt(d_k)) V (no scaling when scaled is False; step t
            sees only steps <= t when causal); the heads are concatenated and
            out_proj maps them back to D.
            The parameter names and shapes are nn.MultiheadAttention's (in_proj_weight
            [3D, D], in_proj_bias [3D], out_proj.weight [D, D], out_proj.bias [D]);
            there is no dropout.
            """

            def __init__(self, dim, heads, causal=False, scaled=True):
                super().__init__()
                if dim % heads != 0:
                    raise ValueError(f"dim {dim} is not divisible by {heads} heads")
                self.heads = heads
                self.causal = causal
                self.scaled = scaled
                self.in_proj_weight = nn.Parameter(torch.empty(3 * dim, dim))
                self.in_proj_bias = nn.Parameter(torch.zeros(3 * dim))
                self.out_proj = nn.Linear(dim, dim)
                nn.init.xavier_uniform_(self.in_proj_weight)
                nn.init.zeros_(self.out_proj.bias)

            def forward(self, x):
                n, steps, dim = x.shape
                d_k = dim // self.heads
                qkv = F.linear(x, self.in_proj_weight, self.in_proj_bias)

                def split_heads(t):  # [N, T, D] -> [N, heads, T, d_k]
                    return t.reshape(n, steps, self.heads, d_k).transpose(1, 2)

                q, k, v = (split_heads(t) for t in qkv.split(dim, dim=-1))
                scores = q @ k.transpose(-2, -1)
                if self.scaled:
                    scores = scores / math.sqrt(d_k)
                if self.causal:
                    later = torch.ones(steps, steps, dtype=torch.bool,
                                       device=x.device).triu(1)
                    scores = scores.masked_fill(later, float("-inf"))
                weights = torch.softmax(scores, dim=-1)
                context = (weights @ v).transpose(1, 2).reshape(n, steps, dim)
                return self.out_proj(context)

            def extra_repr(self):
                return (f"heads={self.heads}, causal={self.causal}, "
                        f"scaled={self.scaled}")
        """";

    private const string TransformerBlockSource = """"
        class TransformerBlock(nn.Module):
            """Nonlinear's transformer layer: a pre-norm encoder block.

            h = x + self_attn(norm1(x)); y = h + linear2(gelu(linear1(norm2(h)))),
            with exact (erf) GELU, LayerNorm eps 1e-5 and no dropout. The parameter
            names are nn.TransformerEncoderLayer's (norm_first=True, batch_first=True,
            activation="gelu", dropout=0), so its state dict loads into one.
            """

            def __init__(self, dim, heads, feedforward, causal=False):
                super().__init__()
                self.self_attn = SelfAttention(dim, heads, causal=causal)
                self.linear1 = nn.Linear(dim, feedforward)
                self.linear2 = nn.Linear(feedforward, dim)
                self.norm1 = nn.LayerNorm(dim, eps=1e-05)
                self.norm2 = nn.LayerNorm(dim, eps=1e-05)
                self.activation = nn.GELU(approximate="none")

            def forward(self, x):
                h = x + self.self_attn(self.norm1(x))
                fed = self.linear2(self.activation(self.linear1(self.norm2(h))))
                return h + fed
        """";
}
