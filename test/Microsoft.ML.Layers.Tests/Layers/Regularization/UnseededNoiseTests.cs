using System;
using Microsoft.ML.Layers.Tests.Components;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Regularization
{
    /// <summary>Unseeded random layers draw from TorchSharp's global generator, so torch.manual_seed reproduces them.</summary>
    [Collection(GlobalGeneratorCollection.Name)]
    public sealed class UnseededNoiseTests
    {
        public static TheoryData<string> Layers => new() { "Dropout", "DropoutWithNoiseShape", "SpatialDropout1D", "GaussianNoise", "GaussianDropout" };

        [Theory]
        [MemberData(nameof(Layers))]
        public void ManualSeedReproducesTheTrainingOutput(string kind)
        {
            using var x = ones(4, 6, 5);

            manual_seed(2024);
            var a = Create(kind).Apply(x, training: true);
            manual_seed(2024);
            var b = Create(kind).Apply(x, training: true);
            var c = Create(kind).Apply(x, training: true);

            Assert.True(a.equal(b).all().item<bool>());
            Assert.False(a.equal(c).all().item<bool>());
        }

        [Fact]
        public void UnseededDropoutIsLibtorchsDropout()
        {
            using var x = randn(5, 40);

            manual_seed(77);
            var y = new Dropout(0.3).Apply(x, training: true);
            manual_seed(77);
            var expected = nn.functional.dropout(x, 0.3, training: true);

            Assert.True(y.equal(expected).all().item<bool>());
        }

        private static Layer Create(string kind) => kind switch
        {
            "Dropout" => new Dropout(0.5),
            "DropoutWithNoiseShape" => new Dropout(0.5, noiseShape: new Shape(Shape.Unknown, 1, Shape.Unknown)),
            "SpatialDropout1D" => new SpatialDropout1D(0.5),
            "GaussianNoise" => new GaussianNoise(0.5),
            "GaussianDropout" => new GaussianDropout(0.5),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }
}
