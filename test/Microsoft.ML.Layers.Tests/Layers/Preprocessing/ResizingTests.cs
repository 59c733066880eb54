using System;
using System.Linq;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Preprocessing
{
    public sealed class ResizingTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new Resizing(5, 3, dtype: dtype),
            InputShapes = new Shape[] { new(2, 4, 6, 3) },
            ExpectedOutputShape = new Shape(2, 5, 3, 3),
        });

        [Fact]
        public void PassesTheSharedLayerCheckBicubicChannelsFirstCropped() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new Resizing(6, 4, Interpolation.Bicubic, cropToAspectRatio: true, dataFormat: DataFormat.ChannelsFirst,
                dtype: dtype),
            InputShapes = new Shape[] { new(2, 3, 5, 5) },
            ExpectedOutputShape = new Shape(2, 3, 6, 4),
        });

        [Fact]
        public void PassesTheSharedLayerCheckNearestPadded() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new Resizing(4, 4, Interpolation.Nearest, padToAspectRatio: true, fillValue: 0.5, dtype: dtype),
            InputShapes = new Shape[] { new(2, 2, 4, 3) },
            ExpectedOutputShape = new Shape(2, 4, 4, 3),
        });

        [Fact]
        public void BilinearTwoByTwoToFourByFourUsesHalfPixelCentres()
        {
            // Worked by hand: output pixel i samples (i + 0.5) * 2 / 4 - 0.5 = -0.25, 0.25, 0.75, 1.25, clamped to [0, 1],
            // so the weights of (first, second) are (1, 0), (0.75, 0.25), (0.25, 0.75), (0, 1) on each axis.
            // [[0, 4], [8, 12]]: the rows become [0, 1, 3, 4] and [8, 9, 11, 12], then are mixed the same way.
            using var x = tensor(new[] { 0f, 4f, 8f, 12f }).reshape(1, 2, 2, 1);

            var y = new Resizing(4, 4).Apply(x);

            Assert.Equal(new[] { 0f, 1f, 3f, 4f, 2f, 3f, 5f, 6f, 6f, 7f, 9f, 10f, 8f, 9f, 11f, 12f },
                y.contiguous().data<float>().ToArray());
        }

        [Fact]
        public void BilinearDownsamplingSkipsPixelsWithoutAntialiasing()
        {
            // 4 -> 2: samples at (i + 0.5) * 2 - 0.5 = 0.5 and 2.5, the means of neighbours, nothing wider (no antialias filter).
            using var x = tensor(new[] { 0f, 2f, 10f, 30f }).reshape(1, 4, 1);

            var y = new Resizing(1, 2).Apply(x);

            Assert.Equal(new[] { 1f, 20f }, y.data<float>().ToArray());
        }

        [Fact]
        public void NearestUsesHalfPixelCentresAsTensorFlowDoes()
        {
            // tf.image.resize "nearest": source floor((i + 0.5) * in / out). 3 -> 2: floor(0.75) = 0, floor(2.25) = 2 (libtorch's
            // legacy "nearest", floor(i * 1.5), would take 0 and 1). 2 -> 4: floor(0.25, 0.75, 1.25, 1.75) = 0, 0, 1, 1.
            using var three = tensor(new[] { 10f, 20f, 30f }).reshape(1, 3, 1);
            using var two = tensor(new[] { 10f, 20f }).reshape(1, 2, 1);

            var down = new Resizing(1, 2, Interpolation.Nearest).Apply(three);
            var up = new Resizing(1, 4, Interpolation.Nearest).Apply(two);

            Assert.Equal(new[] { 10f, 30f }, down.data<float>().ToArray());
            Assert.Equal(new[] { 10f, 10f, 20f, 20f }, up.data<float>().ToArray());
        }

        [Fact]
        public void BicubicIsTensorFlowsKeysCubicWithRenormalizedEdges()
        {
            // Worked by hand for [0, 4] -> 4 columns, Keys' cubic with a = -0.5: f(0.25) = 0.8671875, f(0.75) = 0.2265625,
            // f(1.25) = -0.0703125. Column 0 samples -0.25: taps at -2, -1 fall outside, 0 and 1 keep 0.8671875 and -0.0703125,
            // renormalized by their sum 0.796875: 4 * -0.0703125 / 0.796875 = -6/17. Column 1 samples 0.25: taps 0 and 1 keep
            // 0.8671875 and 0.2265625 (sum 1.09375): 4 * 0.2265625 / 1.09375 = 29/35. Columns 2 and 3 mirror them.
            using var x = tensor(new[] { 0f, 4f }).reshape(1, 2, 1);

            var y = new Resizing(1, 4, Interpolation.Bicubic).Apply(x);

            var expected = new[] { -6 / 17f, 29 / 35f, 4 - 29 / 35f, 4 + 6 / 17f };
            TensorAssert.Close(expected, y.data<float>().ToArray(), 0, 1e-6);
        }

        [Fact]
        public void BicubicQuantizesTheFractionToTensorFlowsTable()
        {
            // 3 -> 7: column 1 samples (1.5 * 3 / 7) - 0.5 = 1/7 = 0.142857..., which TensorFlow reads from its 1024-entry table
            // at 146/1024 = 0.142578125. With taps 0 and 1 inside (and -1 outside), the weights are f(1 + d) for tap -1 (dropped),
            // f(d) for tap 0, f(1 - d) for tap 1 and f(2 - d) for tap 2, renormalized; d is the quantized fraction.
            using var x = tensor(new[] { 0f, 1f, 0f }).reshape(1, 3, 1);

            var y = new Resizing(1, 7, Interpolation.Bicubic).Apply(x).data<float>().ToArray();

            static double F(double t)
            {
                const double a = -0.5;
                t = Math.Abs(t);
                return t <= 1 ? ((a + 2) * t - (a + 3)) * t * t + 1 : ((a * t - 5 * a) * t + 8 * a) * t - 4 * a;
            }
            double d = 146 / 1024.0;
            double w0 = F(d), w1 = F(1 - d), w2 = F(2 - d);
            double quantized = w1 / (w0 + w1 + w2);
            double exact = F(1 - 1 / 7.0) / (F(1 / 7.0) + F(1 - 1 / 7.0) + F(2 - 1 / 7.0));
            TensorAssert.Close(quantized, y[1], 0, 1e-6);
            Assert.True(Math.Abs(exact - y[1]) > 1e-4, $"the unquantized value {exact} should differ from {y[1]}");
        }

        [Fact]
        public void CropToAspectRatioTakesTheCentredWindowFirst()
        {
            // 4 x 2 -> 2 x 2: crop_height = min(4, int(2 * 2 / 2)) = 2, starting at int((4 - 2) / 2) = 1; no resize is left to do.
            using var x = arange(8, dtype: ScalarType.Float32).reshape(1, 4, 2, 1);

            var y = new Resizing(2, 2, cropToAspectRatio: true).Apply(x);

            Assert.Equal(new[] { 2f, 3f, 4f, 5f }, y.contiguous().data<float>().ToArray());
        }

        [Fact]
        public void PadToAspectRatioPadsTheShortSideEvenlyWithTheFillValue()
        {
            // 2 x 4 -> 4 x 4: pad_height = max(2, int(4 * 4 / 4)) = 4, so int((4 - 2) / 2) = 1 row of fill above and below.
            using var x = arange(8, dtype: ScalarType.Float32).reshape(1, 2, 4, 1);

            var y = new Resizing(4, 4, padToAspectRatio: true, fillValue: -1).Apply(x);

            Assert.Equal(new[] { -1f, -1f, -1f, -1f, 0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f, -1f, -1f, -1f, -1f },
                y.contiguous().data<float>().ToArray());
        }

        [Fact]
        public void IntegerImagesAreRoundedAndSaturatedInTheirOwnDType()
        {
            // The bicubic weights worked out below for [0, 4], on [0, 255]: -6/68 * 255 = -22.5 saturates to 0, 29/140 * 255 = 52.8
            // rounds to 53, 255 - 52.8 to 202, and 255 + 22.5 saturates to 255 in uint8.
            using var x = tensor(new byte[] { 0, 255 }).reshape(1, 2, 1);

            var y = new Resizing(1, 4, Interpolation.Bicubic).Apply(x);

            Assert.Equal(ScalarType.Byte, y.dtype);
            Assert.Equal(new byte[] { 0, 53, 202, 255 },
                y.data<byte>().ToArray());
        }

        [Fact]
        public void AnUnbatchedImageKeepsItsRank()
        {
            var y = new Resizing(3, 5).Apply(ones(2, 2, 3));
            Assert.Equal(new long[] { 3, 5, 3 }, y.shape);
        }

        [Fact]
        public void RejectsBothAspectRatioOptions()
        {
            var error = Assert.Throws<ArgumentException>(() => new Resizing(2, 2, cropToAspectRatio: true, padToAspectRatio: true));
            Assert.Contains("only one of `pad_to_aspect_ratio` and `crop_to_aspect_ratio`", error.Message);
        }

        [Fact]
        public void RejectsANonPositiveSizeWithTheReceivedValue()
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Resizing(4, -2));
            Assert.Contains("width=-2", error.Message);
        }

        [Theory]
        [InlineData("lanczos3")]
        [InlineData("lanczos5")]
        [InlineData("area")]
        [InlineData("gaussian")]
        [InlineData("mitchellcubic")]
        public void AConfigWithAnUnsupportedInterpolationIsRefusedListingTheSupportedOnes(string interpolation)
        {
            var config = new Resizing(4, 4).GetConfig();
            config.Values["interpolation"] = interpolation;

            var error = Assert.Throws<FormatException>(() => Layer.Deserialize(config.ToJsonString()));

            Assert.Contains($"'Resizing.interpolation' must be one of \"nearest\", \"bilinear\", \"bicubic\". Received: '{interpolation}'.",
                error.Message);
        }

        [Fact]
        public void AConfigAskingForAntialiasingIsRefused()
        {
            var config = new Resizing(4, 4).GetConfig();
            config.Values["antialias"] = true;

            var error = Assert.Throws<FormatException>(() => Layer.Deserialize(config.ToJsonString()));

            Assert.Contains("antialias=True", error.ToString());
        }

        [Fact]
        public void AConfigWithAnotherFillModeIsRefused()
        {
            var config = new Resizing(4, 4).GetConfig();
            config.Values["fill_mode"] = "reflect";

            var error = Assert.Throws<FormatException>(() => Layer.Deserialize(config.ToJsonString()));

            Assert.Contains("fill_mode='reflect'", error.ToString());
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "Resizing", "config": {"name": "resizing", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "height": 180, "width": 160, "interpolation": "bicubic", "crop_to_aspect_ratio": false, "pad_to_aspect_ratio": true,
                 "fill_mode": "constant", "fill_value": 1.0, "antialias": false, "data_format": "channels_last"},
                 "registered_name": null}
                """;

            var layer = Assert.IsType<Resizing>(Layer.Deserialize(json));

            Assert.Equal((180, 160, Interpolation.Bicubic, false, true, 1.0, DataFormat.ChannelsLast),
                (layer.Height, layer.Width, layer.Interpolation, layer.CropToAspectRatio, layer.PadToAspectRatio, layer.FillValue,
                    layer.DataFormat));
        }

        [Fact]
        public void ReadsATfKeras2Config()
        {
            const string json = """
                {"class_name": "Resizing", "config": {"name": "resizing", "trainable": true, "dtype": "float32",
                 "height": 64, "width": 64, "interpolation": "nearest", "crop_to_aspect_ratio": true}}
                """;

            var layer = Assert.IsType<Resizing>(Layer.Deserialize(json));

            Assert.Equal((64, 64, Interpolation.Nearest, true), (layer.Height, layer.Width, layer.Interpolation, layer.CropToAspectRatio));
        }

        [Fact]
        public void WritesKerasKeysWithoutTheOptionalAntialiasKey()
        {
            var config = new Resizing(8, 6, Interpolation.Nearest, name: "resize").GetConfig().Values;

            Assert.Equal(new[] { "name", "trainable", "dtype", "height", "width", "interpolation", "crop_to_aspect_ratio",
                "pad_to_aspect_ratio", "fill_mode", "fill_value", "data_format" }, config.Select(p => p.Key).ToArray());
            Assert.Equal("nearest", (string?)config["interpolation"]);
            Assert.Equal("channels_last", (string?)config["data_format"]);
        }
    }
}
