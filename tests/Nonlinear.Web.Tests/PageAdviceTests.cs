using Nonlinear.Web.Playground;
using Xunit;

namespace Nonlinear.Web.Tests;

public sealed class PageAdviceTests
{
    // The model dense:4,relu,dense:3,relu,dropout:0.2,dense:1: layers 1-2 are hidden layer 0, layers 3-5 hidden layer 1,
    // layer 6 the output.
    private static int? HiddenLayerOf(int layer) => layer switch { 1 or 2 => 0, 3 or 4 or 5 => 1, _ => null };

    [Theory]
    [InlineData("50% of the units of layer 4 (relu) were dead", "50% of the units of hidden layer 2 (relu) were dead")]
    [InlineData("dense:4 then dense:3 (layers 1-4) with only identity", "dense:4 then dense:3 (hidden layers 1-2) with only identity")]
    [InlineData("dense:4 then dense:1 (layers 1-6) with only identity", "dense:4 then dense:1 (hidden layer 1 to the output layer) with only identity")]
    [InlineData("3 hidden saturating activations (sigmoid; layers 2, 4) with", "3 hidden saturating activations (sigmoid; hidden layers 1, 2) with")]
    [InlineData("(sigmoid; layers 2, 4, 6) with", "(sigmoid; layers 2, 4, 6) with")]
    [InlineData("sigmoid (layer 7) ends the model", "sigmoid (the output layer) ends the model")]
    [InlineData("layers 3-5, already hidden layer 2", "hidden layer 2, already hidden layer 2")]
    [InlineData("no layer number here; layer x; player 2", "no layer number here; layer x; player 2")]
    public void Layer_references_are_named_as_the_page_numbers_its_layers(string text, string expected)
        => Assert.Equal(expected, PageAdvice.Renumber(text, HiddenLayerOf, outputLayer: 6));
}
