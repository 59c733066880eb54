using System;
using System.Linq;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Preprocessing
{
    public sealed class CenterCropTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new CenterCrop(3, 2, dtype: dtype),
            InputShapes = new Shape[] { new(2, 5, 4, 3) },
            ExpectedOutputShape = new Shape(2, 3, 2, 3),
        });

        [Fact]
        public void PassesTheSharedLayerCheckWhenItResizesChannelsFirst() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new CenterCrop(4, 6, dataFormat: DataFormat.ChannelsFirst, dtype: dtype),
            InputShapes = new Shape[] { new(2, 3, 3, 5) },
            ExpectedOutputShape = new Shape(2, 3, 4, 6),
        });

        [Fact]
        public void CropsTheCentreLeavingAnOddRowAndColumnAtTheBottomRight()
        {
            // 5 x 6 -> 2 x 3: rows start at int(3 / 2) = 1, columns at int(3 / 2) = 1.
            using var x = arange(30, dtype: ScalarType.Float32).reshape(1, 5, 6, 1);

            var y = new CenterCrop(2, 3).Apply(x);

            Assert.Equal(new long[] { 1, 2, 3, 1 }, y.shape);
            Assert.Equal(new[] { 7f, 8f, 9f, 13f, 14f, 15f }, y.contiguous().data<float>().ToArray());
        }

        [Fact]
        public void ASmallerImageIsResizedBilinearlyWithHalfPixelCentres()
        {
            // 2 x 2 -> 4 x 4, the aspect ratio already matches: samples at -0.25, 0.25, 0.75, 1.25 (clamped) per axis,
            // weights (1, 0), (0.75, 0.25), (0.25, 0.75), (0, 1): [[0, 4], [8, 12]] becomes these rows.
            using var x = tensor(new[] { 0f, 4f, 8f, 12f }).reshape(1, 2, 2, 1);

            var y = new CenterCrop(4, 4).Apply(x);

            Assert.Equal(new[] { 0f, 1f, 3f, 4f, 2f, 3f, 5f, 6f, 6f, 7f, 9f, 10f, 8f, 9f, 11f, 12f },
                y.contiguous().data<float>().ToArray());
        }

        [Fact]
        public void AnImageSmallerOnOneAxisIsCroppedToTheAspectRatioThenResized()
        {
            // 4 x 2 -> 2 x 3 (height fits, width does not): smart_resize crops int(2 * 2 / 3) = 1 row, starting at
            // int((4 - 1) / 2) = 1, keeps the 2 columns, then resizes 1 x 2 -> 2 x 3: columns sampled at
            // (j + 0.5) * 2 / 3 - 0.5 = -1/6, 0.5, 7/6 -> a, (a + b) / 2, b.
            using var x = tensor(new[] { 0f, 1f, 2f, 6f, 4f, 5f, 6f, 7f }).reshape(1, 4, 2, 1);

            var y = new CenterCrop(2, 3).Apply(x);

            TensorAssert.Close(new[] { 2f, 4f, 6f, 2f, 4f, 6f }, y.contiguous().data<float>().ToArray(), 0, 1e-6);
        }

        [Fact]
        public void CastsIntegerImagesToTheComputeDType()
        {
            using var x = arange(16, dtype: ScalarType.Byte).reshape(4, 4, 1);

            var y = new CenterCrop(2, 2).Apply(x);

            Assert.Equal(ScalarType.Float32, y.dtype);
            Assert.Equal(new long[] { 2, 2, 1 }, y.shape);
            Assert.Equal(new[] { 5f, 6f, 9f, 10f }, y.contiguous().data<float>().ToArray());
        }

        [Fact]
        public void RejectsANonPositiveSizeWithTheReceivedValue()
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new CenterCrop(0, 3));
            Assert.Contains("height=0", error.Message);
        }

        [Fact]
        public void RejectsInputsThatAreNotImages()
        {
            var layer = new CenterCrop(2, 2);
            var error = Assert.Throws<ArgumentException>(() => layer.Apply(ones(2, 3)));
            Assert.Contains("rank 3 (one image) or 4 (a batch)", error.Message);
            Assert.Contains("(2, 3)", error.Message);
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "CenterCrop", "config": {"name": "center_crop", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "height": 224, "width": 200, "data_format": "channels_last"}, "registered_name": null}
                """;

            var layer = Assert.IsType<CenterCrop>(Layer.Deserialize(json));

            Assert.Equal((224, 200, DataFormat.ChannelsLast), (layer.Height, layer.Width, layer.DataFormat));
        }

        [Fact]
        public void ReadsATfKeras2ConfigWithoutDataFormat()
        {
            const string json = """
                {"class_name": "CenterCrop", "config": {"name": "center_crop", "trainable": true, "dtype": "float32",
                 "height": 8, "width": 8}}
                """;

            var layer = Assert.IsType<CenterCrop>(Layer.Deserialize(json));

            Assert.Equal((8, 8, DataFormat.ChannelsLast), (layer.Height, layer.Width, layer.DataFormat));
        }
    }
}
