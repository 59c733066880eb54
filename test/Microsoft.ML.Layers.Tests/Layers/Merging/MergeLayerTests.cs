using System;
using System.Linq;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Merging
{
    /// <summary>
    /// What the element-wise merge layers and Concatenate share, one row per layer: the shared layer check, the layer
    /// against its maths written directly in TorchSharp, and the hand-worked masked examples of Keras 3's merging tests.
    /// Behaviour only one layer has stays in that layer's test class.
    /// </summary>
    public sealed class MergeLayerTests
    {
        private static Layer Create(string kind, ScalarType? dtype = null) => kind switch
        {
            "Add" => new Add(dtype: dtype),
            "Subtract" => new Subtract(dtype: dtype),
            "Multiply" => new Multiply(dtype: dtype),
            "Average" => new Average(dtype: dtype),
            "Maximum" => new Maximum(dtype: dtype),
            "Minimum" => new Minimum(dtype: dtype),
            "Concatenate" => new Concatenate(dtype: dtype),
            _ => throw new ArgumentException($"No merge layer '{kind}'.", nameof(kind)),
        };

        [Theory]
        [InlineData("Add", 5, 5)]
        [InlineData("Subtract", 5, 5)]
        [InlineData("Multiply", 5, 5)]
        [InlineData("Average", 5, 5)]
        [InlineData("Maximum", 5, 5)]
        [InlineData("Minimum", 5, 5)]
        [InlineData("Concatenate", 2, 7)]
        public void PassesTheSharedLayerCheck(string kind, long secondFeatures, long outputFeatures) => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => Create(kind, dtype),
            InputShapes = new Shape[] { new(4, 3, 5), new(4, 3, secondFeatures) },
            ExpectedOutputShape = new Shape(4, 3, outputFeatures),
            ExpectedSupportsMasking = true,
            ExpectedMaskShape = new Shape(4, 3),
        });

        [Theory]
        [InlineData("Add", 0, 0)]
        [InlineData("Subtract", 0, 0)]
        [InlineData("Multiply", 1e-6, 1e-7)]
        [InlineData("Average", 1e-6, 1e-7)]
        [InlineData("Maximum", 0, 0)]
        [InlineData("Minimum", 0, 0)]
        [InlineData("Concatenate", 0, 0)]
        public void ComputesItsMathsOverEveryInput(string kind, double rtol, double atol)
        {
            // Subtract takes exactly two inputs; the others take any number, three here.
            var inputs = Enumerable.Range(0, kind == "Subtract" ? 2 : 3).Select(_ => randn(2, 3)).ToArray();
            var (a, b) = (inputs[0], inputs[1]);
            var expected = kind switch
            {
                "Add" => a + b + inputs[2],
                "Subtract" => a - b,
                "Multiply" => a * b * inputs[2],
                "Average" => (a + b + inputs[2]) / 3,
                "Maximum" => a.maximum(b).maximum(inputs[2]),
                "Minimum" => a.minimum(b).minimum(inputs[2]),
                _ => cat(inputs, -1),
            };

            TensorAssert.Close(expected, Create(kind).Apply(inputs), rtol, atol, kind);
        }

        /// <summary>
        /// Two inputs of one sample, four steps of two features (see <see cref="MaskedExamples"/>), masked as given; the output
        /// mask is <c>none</c> or one digit per step.
        /// </summary>
        [Theory]
        [InlineData("Add", new float[] { 0, 0, 1, 2, 0, 0, 3, 4 }, new float[] { 0, 0, 0, 0, 1, 2, 3, 4 }, true, true,
            new float[] { 0, 0, 1, 2, 1, 2, 6, 8 }, "0111")]
        [InlineData("Subtract", new float[] { 0, 0, 1, 2, 0, 0, 3, 4 }, new float[] { 0, 0, 0, 0, 1, 2, 3, 4 }, true, false,
            new float[] { 0, 0, 1, 2, -1, -2, 0, 0 }, "none")]
        [InlineData("Multiply", new float[] { 0, 0, 1, 2, 0, 0, 3, 4 }, new float[] { 0, 0, 0, 0, 1, 2, 3, 4 }, true, false,
            new float[] { 0, 0, 0, 0, 1, 2, 9, 16 }, "none")]
        [InlineData("Multiply", new float[] { 5, 5, 1, 2, 7, 7, 3, 4 }, new float[] { 6, 6, 8, 8, 1, 2, 3, 4 }, true, true,
            new float[] { 0, 0, 1, 2, 1, 2, 9, 16 }, "0111")]
        [InlineData("Average", new float[] { 0, 0, 1, 2, 0, 0, 3, 4 }, new float[] { 0, 0, 0, 0, 1, 2, 3, 4 }, true, false,
            new float[] { 0, 0, 0.5f, 1, 0.5f, 1, 3, 4 }, "none")]
        [InlineData("Maximum", new float[] { 0, 0, -1, -2, 0, 0, -3, -4 }, new float[] { 0, 0, 0, 0, -1, -2, -3, -4 }, true, false,
            new float[] { 0, 0, 0, 0, -1, -2, -3, -4 }, "none")]
        [InlineData("Maximum", new float[] { 0, 0, -1, -2, 0, 0, -3, -4 }, new float[] { 0, 0, 0, 0, -1, -2, -3, -4 }, true, true,
            new float[] { 0, 0, -1, -2, -1, -2, -3, -4 }, "0111")]
        [InlineData("Minimum", new float[] { 0, 0, 1, 2, 0, 0, 3, 4 }, new float[] { 0, 0, 0, 0, 1, 2, 3, 4 }, true, false,
            new float[] { 0, 0, 0, 0, 1, 2, 3, 4 }, "none")]
        [InlineData("Minimum", new float[] { 0, 0, 1, 2, 0, 0, 3, 4 }, new float[] { 0, 0, 0, 0, 1, 2, 3, 4 }, true, true,
            new float[] { 0, 0, 1, 2, 1, 2, 3, 4 }, "0111")]
        public void MaskedStepsGiveKerasValuesAndMask(
            string kind, float[] first, float[] second, bool maskFirst, bool maskSecond, float[] expected, string outputMask)
        {
            var masks = new Tensor?[] { maskFirst ? MaskedExamples.FirstMask : null, maskSecond ? MaskedExamples.SecondMask : null };

            var y = Create(kind).Apply(new[] { MaskedExamples.Steps(first), MaskedExamples.Steps(second) }, masks: masks);

            TensorAssert.Close(MaskedExamples.Steps(expected), y, 0, 0, $"{kind}, masked");
            var mask = KerasMask.Get(y);
            if (outputMask == "none")
                Assert.Null(mask);
            else
                Assert.True(mask!.equal(MaskedExamples.Mask(outputMask.Select(c => c == '1').ToArray())).all().item<bool>(), $"{kind}: mask");
        }
    }
}
