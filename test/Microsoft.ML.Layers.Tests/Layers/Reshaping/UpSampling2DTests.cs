using System;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Reshaping
{
    public sealed class UpSampling2DTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new UpSampling2D((2, 3), dtype: dtype),
            InputShapes = new Shape[] { new(2, 3, 2, 4) },
            ExpectedOutputShape = new Shape(2, 6, 6, 4),
        });

        [Fact]
        public void PassesTheSharedLayerCheckBilinearChannelsFirst() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new UpSampling2D(2, dataFormat: DataFormat.ChannelsFirst, interpolation: Interpolation.Bilinear, dtype: dtype),
            InputShapes = new Shape[] { new(2, 3, 4, 5) },
            ExpectedOutputShape = new Shape(2, 3, 8, 10),
        });

        [Fact]
        public void NearestRepeatsRowsAndColumns()
        {
            // Keras's docstring example: size (1, 2) on (2, 2, 1, 3).
            using var x = arange(12, dtype: ScalarType.Float32).reshape(2, 2, 1, 3);

            var y = new UpSampling2D((1, 2)).Apply(x);

            Assert.Equal(new long[] { 2, 2, 2, 3 }, y.shape);
            Assert.Equal(new[] { 0f, 1f, 2f, 0f, 1f, 2f, 3f, 4f, 5f, 3f, 4f, 5f }, y[0].data<float>().ToArray());
        }

        [Fact]
        public void BilinearUsesHalfPixelCentresWithoutAlignedCorners()
        {
            // One row [0, 4] doubled in width: samples at x = -0.25, 0.25, 0.75, 1.25 (clamped) give 0, 1, 3, 4.
            using var x = tensor(new[] { 0f, 4f }).reshape(1, 1, 2, 1);

            var y = new UpSampling2D((1, 2), interpolation: Interpolation.Bilinear).Apply(x);

            Assert.Equal(new[] { 0f, 1f, 3f, 4f }, y.data<float>().ToArray());
        }

        [Fact]
        public void BilinearInHalfPrecisionIsComputedInFloat32AndCastBack()
        {
            using var x = tensor(new[] { 0f, 4f, 8f, 12f }).reshape(1, 2, 2, 1);
            var layer = new UpSampling2D(2, interpolation: Interpolation.Bilinear, dtype: ScalarType.BFloat16);

            var y = layer.Apply(x);

            var expected = new UpSampling2D(2, interpolation: Interpolation.Bilinear).Apply(x).to(ScalarType.BFloat16);
            Assert.Equal(ScalarType.BFloat16, y.dtype);
            Assert.True(y.equal(expected).all().item<bool>());
            Assert.Equal(Interpolation.Bilinear, layer.Interpolation);
        }

        [Fact]
        public void BicubicKeepsAConstantImageConstant()
        {
            var y = new UpSampling2D(3, interpolation: Interpolation.Bicubic).Apply(full(new long[] { 1, 3, 3, 2 }, 5f));
            Assert.True(y.allclose(full(new long[] { 1, 9, 9, 2 }, 5f), rtol: 0, atol: 1e-5));
        }

        [Theory]
        [InlineData("lanczos3")]
        [InlineData("cubic")]
        public void AConfigWithAnInterpolationTheTorchBackendLacksIsRejectedListingTheValidOnes(string interpolation)
        {
            var config = new UpSampling2D().GetConfig();
            config.Values["interpolation"] = interpolation;

            var error = Assert.Throws<FormatException>(() => Layer.Deserialize(config.ToJsonString()));

            Assert.Contains($"'UpSampling2D.interpolation' must be one of \"nearest\", \"bilinear\", \"bicubic\". Received: '{interpolation}'.", error.Message);
        }

        [Fact]
        public void RejectsANonPositiveFactorWithTheReceivedValue()
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new UpSampling2D((2, 0)));
            Assert.Contains("size=(2, 0)", error.Message);
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "UpSampling2D", "config": {"name": "up_sampling2d", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "size": [2, 2], "data_format": "channels_last", "interpolation": "bilinear"}, "registered_name": null}
                """;

            var layer = Assert.IsType<UpSampling2D>(Layer.Deserialize(json));

            Assert.Equal(((2, 2), Interpolation.Bilinear), (layer.Size, layer.Interpolation));
        }
    }
}
