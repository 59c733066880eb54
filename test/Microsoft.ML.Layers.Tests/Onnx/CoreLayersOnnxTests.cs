using System;
using System.IO;
using System.Linq;
using Microsoft.ML.Layers.Onnx;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Onnx
{
    /// <summary>The activation layers and the core layers (ActivationLayer, Identity, Embedding, EinsumDense, Masking, Lambda)
    /// exported to ONNX and run in ONNX Runtime.</summary>
    public class CoreLayersOnnxTests
    {
        private static Tensor Sample(params long[] shape)
        {
            manual_seed(11);
            return randn(shape) * 2;
        }

        [Fact]
        public void EluLeakyReluThresholdedRelu()
        {
            LayerOnnx.Matches(new ELU(alpha: 0.7), Sample(4, 5));
            LayerOnnx.Matches(new LeakyReLU(negativeSlope: 0.15), Sample(4, 5));
            LayerOnnx.Matches(new ThresholdedReLU(theta: 0.4), Sample(4, 5));
        }

        public static TheoryData<double?, double, double> ReluConfigurations()
        {
            var data = new TheoryData<double?, double, double>();
            foreach (var max in new double?[] { null, 6.0, 1.5 })
                foreach (var slope in new[] { 0.0, 0.2 })
                    foreach (var threshold in new[] { 0.0, 0.5, 2.0 })
                        data.Add(max, slope, threshold);
            return data;
        }

        [Theory]
        [MemberData(nameof(ReluConfigurations))]
        public void ReluEveryCombination(double? maxValue, double negativeSlope, double threshold)
            => LayerOnnx.Matches(new ReLU(maxValue, negativeSlope, threshold), Sample(4, 7) * 2);

        [Fact]
        public void PReluWithAndWithoutSharedAxes()
        {
            LayerOnnx.Matches(new PReLU(), Sample(3, 4, 5));
            LayerOnnx.Matches(new PReLU(sharedAxes: new[] { 1, 2 }), Sample(3, 4, 5, 2));
            LayerOnnx.Matches(new PReLU(sharedAxes: 2), Sample(3, 4, 5, 2));
        }

        [Fact]
        public void SoftmaxOverEveryAxisForm()
        {
            LayerOnnx.Matches(new Softmax(), Sample(3, 4, 5));
            LayerOnnx.Matches(new Softmax(axis: 1), Sample(3, 4, 5));
            LayerOnnx.Matches(new Softmax(axis: -2), Sample(3, 4, 5));
            LayerOnnx.Matches(new Softmax(axis: new[] { 1, 2 }), Sample(3, 4, 5));
            LayerOnnx.Matches(new Softmax(axis: (int[]?)null), Sample(3, 4, 5));
        }

        [Fact]
        public void ActivationLayerAndIdentity()
        {
            LayerOnnx.Matches(new ActivationLayer(Activations.Get("gelu")), Sample(3, 6));
            LayerOnnx.Matches(new ActivationLayer(Activations.Get("softmax")), Sample(3, 2, 6));
            LayerOnnx.Matches(new Identity(), Sample(3, 6));
        }

        [Fact]
        public void EmbeddingGathersRowsOfIntegerAndFloatIndices()
        {
            manual_seed(5);
            LayerOnnx.Matches(new Embedding(10, 3), randint(0, 10, new long[] { 4, 5 }, dtype: ScalarType.Int64));
            LayerOnnx.Matches(new Embedding(10, 3), randint(0, 10, new long[] { 4, 5 }, dtype: ScalarType.Int32));
            LayerOnnx.Matches(new Embedding(10, 3), randint(0, 10, new long[] { 4, 5 }).to(ScalarType.Float32) + 0.6);
        }

        [Fact]
        public void EmbeddingWithMaskZeroIsUnsupported()
        {
            var message = LayerOnnx.Unsupported(new Embedding(10, 3, maskZero: true, name: "emb"), new Shape(5), ScalarType.Int64);
            Assert.Contains("'emb' (Embedding)", message);
            Assert.Contains("masks are not exported", message);
        }

        [Fact]
        public void EinsumDenseWithBiasAndActivation()
        {
            LayerOnnx.Matches(new EinsumDense("ab,bc->ac", new Shape(4), activation: "tanh", biasAxes: "c"), Sample(3, 5));
            LayerOnnx.Matches(new EinsumDense("abc,cd->abd", new Shape(2, 4), biasAxes: "d"), Sample(3, 2, 5));
            LayerOnnx.Matches(new EinsumDense("...b,bc->...c", new Shape(4)), Sample(3, 2, 5));
        }

        [Fact]
        public void MaskingAndLambdaAreUnsupported()
        {
            var masking = LayerOnnx.Unsupported(new Masking(name: "mask"), new Shape(4, 3));
            Assert.Contains("'mask' (Masking)", masking);
            Assert.Contains("masks are not exported", masking);
            var lambda = LayerOnnx.Unsupported(new Lambda(x => x * 2, name: "twice"), new Shape(3));
            Assert.Contains("'twice' (Lambda)", lambda);
            Assert.Contains("C# code", lambda);
        }
    }
}
