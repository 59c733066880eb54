using System.Linq;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Onnx
{
    /// <summary>The dropout, noise, activity-regularization and augmentation layers are the identity at inference; exported so.
    /// </summary>
    public class RegularizationOnnxTests
    {
        private static Tensor Sample(params long[] shape)
        {
            manual_seed(31);
            return randn(shape);
        }

        public static TheoryData<string> TrainingOnlyLayers() => new()
        {
            "Dropout", "AlphaDropout", "GaussianDropout", "GaussianNoise", "ActivityRegularization", "SpatialDropout1D",
        };

        private static Layer Create(string name) => name switch
        {
            "Dropout" => new Dropout(0.5, seed: 1),
            "AlphaDropout" => new AlphaDropout(0.3, seed: 1),
            "GaussianDropout" => new GaussianDropout(0.4, seed: 1),
            "GaussianNoise" => new GaussianNoise(0.7, seed: 1),
            "ActivityRegularization" => new ActivityRegularization(l1: 0.1, l2: 0.2),
            "SpatialDropout1D" => new SpatialDropout1D(0.5, seed: 1),
            _ => throw new System.ArgumentException(name),
        };

        [Theory]
        [MemberData(nameof(TrainingOnlyLayers))]
        public void IdentityAtInference(string layer)
        {
            // Between two Dense layers, so the identity is checked inside a graph, not only as a renamed input.
            manual_seed(3);
            var model = new Sequential(new InputLayer(new Shape(4, 3)), new Dense(5), Create(layer), new Dense(2));
            foreach (var opset in LayerOnnx.Opsets)
                OnnxCheck.MatchesModel(model, Sample(6, 4, 3), opset: opset);
        }

        [Fact]
        public void SpatialDropout2DAnd3DAreTheIdentity()
        {
            LayerOnnx.Matches(new SpatialDropout2D(0.5, seed: 1), Sample(2, 4, 4, 3));
            LayerOnnx.Matches(new SpatialDropout3D(0.5, seed: 1), Sample(2, 3, 3, 3, 2));
        }

        [Fact]
        public void AugmentationLayersAreTheIdentityAtInference()
        {
            var x = Sample(2, 6, 6, 3);
            LayerOnnx.Matches(new RandomFlip(seed: 1), x);
            LayerOnnx.Matches(new RandomRotation(0.2, seed: 1), x);
            LayerOnnx.Matches(new RandomZoom(0.3, seed: 1), x);
            LayerOnnx.Matches(new RandomTranslation(0.2, 0.2, seed: 1), x);
            LayerOnnx.Matches(new RandomContrast(0.3, seed: 1), x.abs());
            LayerOnnx.Matches(new RandomBrightness(0.3, valueRange: new[] { 0.0, 10.0 }, seed: 1), x.abs());
        }

        [Fact]
        public void AugmentationOfIntegerImagesCastsToFloat()
        {
            manual_seed(4);
            LayerOnnx.Matches(new RandomFlip(seed: 1), randint(0, 255, new long[] { 2, 4, 4, 3 }, dtype: ScalarType.Int32));
        }
    }
}
