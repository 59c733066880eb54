using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Onnx
{
    /// <summary>The preprocessing layers ONNX can express, exported and run in ONNX Runtime; the others fail naming the reason.
    /// </summary>
    public class PreprocessingOnnxTests
    {
        private static Tensor Sample(params long[] shape)
        {
            manual_seed(41);
            return randn(shape) * 4;
        }

        private static Tensor Tokens(long high, params long[] shape)
        {
            manual_seed(42);
            return randint(0, high, shape, dtype: ScalarType.Int64);
        }

        [Fact]
        public void RescalingOfFloatAndIntegerImages()
        {
            LayerOnnx.Matches(new Rescaling(1.0 / 255, offset: -0.5), Sample(2, 3, 3, 2));
            manual_seed(1);
            LayerOnnx.Matches(new Rescaling(1.0 / 127.5, offset: -1), randint(0, 255, new long[] { 2, 3, 3, 2 }, dtype: ScalarType.Int32));
        }

        [Fact]
        public void NormalizationWithGivenAndAdaptedStatistics()
        {
            LayerOnnx.Matches(new Normalization(mean: 2.0, variance: 9.0), Sample(4, 3));
            LayerOnnx.Matches(new Normalization(mean: 2.0, variance: 9.0, invert: true), Sample(4, 3));
            LayerOnnx.Matches(new Normalization(-1, new[] { 1.0, -2.0, 0.5 }, new[] { 4.0, 0.25, 0.0 }), Sample(4, 3));
            var adapted = new Normalization(axis: 1);
            adapted.Adapt(Sample(20, 3, 2) + 5);
            LayerOnnx.Matches(adapted, Sample(4, 3, 2), randomize: false);
            var inverted = new Normalization(axis: -1, invert: true);
            inverted.Adapt(Sample(20, 3) * 2);
            LayerOnnx.Matches(inverted, Sample(4, 3), randomize: false);
        }

        [Fact]
        public void CenterCropChannelsLastAndFirst()
        {
            LayerOnnx.Matches(new CenterCrop(3, 2), Sample(2, 6, 5, 3));
            LayerOnnx.Matches(new CenterCrop(4, 4, dataFormat: DataFormat.ChannelsFirst), Sample(2, 3, 7, 4));
        }

        [Fact]
        public void CenterCropOfSmallerImagesIsUnsupported()
        {
            var message = LayerOnnx.Unsupported(new CenterCrop(8, 8, name: "crop"), new Shape(4, 4, 3));
            Assert.Contains("'crop' (CenterCrop)", message);
            Assert.Contains("resized", message);
        }

        [Theory]
        [InlineData(Interpolation.Bilinear, DataFormat.ChannelsLast, 3, 7)]
        [InlineData(Interpolation.Bilinear, DataFormat.ChannelsFirst, 8, 2)]
        [InlineData(Interpolation.Nearest, DataFormat.ChannelsLast, 3, 7)]
        [InlineData(Interpolation.Nearest, DataFormat.ChannelsFirst, 9, 4)]
        public void ResizingBilinearAndNearest(Interpolation interpolation, DataFormat format, int height, int width)
        {
            var x = format == DataFormat.ChannelsLast ? Sample(2, 5, 6, 3) : Sample(2, 3, 5, 6);
            LayerOnnx.Matches(new Resizing(height, width, interpolation, dataFormat: format), x);
        }

        [Fact]
        public void ResizingBicubicIsUnsupported()
        {
            var message = LayerOnnx.Unsupported(new Resizing(3, 3, Interpolation.Bicubic, name: "resize"), new Shape(5, 5, 1));
            Assert.Contains("'resize' (Resizing)", message);
            Assert.Contains("bicubic", message);
        }

        [Theory]
        [InlineData(EncodingMode.OneHot)]
        [InlineData(EncodingMode.MultiHot)]
        [InlineData(EncodingMode.Count)]
        public void CategoryEncodingModes(EncodingMode mode)
        {
            LayerOnnx.Matches(new CategoryEncoding(6, mode), Tokens(6, 5, 4));
            if (mode == EncodingMode.OneHot)
                LayerOnnx.Matches(new CategoryEncoding(6, mode), Tokens(6, 5, 1));
        }

        [Theory]
        [InlineData(EncodingMode.Int)]
        [InlineData(EncodingMode.OneHot)]
        [InlineData(EncodingMode.MultiHot)]
        [InlineData(EncodingMode.Count)]
        public void DiscretizationBuckets(EncodingMode mode)
        {
            var x = Sample(5, 4);
            x[0, 0] = tensor(-1.0f);   // exactly on a boundary
            x[1, 1] = tensor(2.5f);
            LayerOnnx.Matches(new Discretization(new[] { -1.0, 0.0, 2.5 }, outputMode: mode), x);
        }

        [Theory]
        [InlineData(1, null, EncodingMode.Int)]
        [InlineData(0, null, EncodingMode.Int)]
        [InlineData(3, null, EncodingMode.Int)]
        [InlineData(1, 0L, EncodingMode.Int)]
        [InlineData(2, 0L, EncodingMode.Int)]
        [InlineData(1, null, EncodingMode.MultiHot)]
        [InlineData(1, 0L, EncodingMode.OneHot)]
        [InlineData(1, 0L, EncodingMode.Count)]
        public void IntegerLookupIndices(int numOov, long? mask, EncodingMode mode)
        {
            var vocabulary = new long[] { 12, 3, 40, 7 };
            var x = tensor(new long[] { 12, 3, 40, 7, 0, 3, 12, 7, 40, 3, 7, 12 }, new long[] { 3, 4 });
            if (numOov > 0)
                x = tensor(new long[] { 12, 5, 40, 7, 0, -3, 12, 99, 40, 3, 7, 13 }, new long[] { 3, 4 });
            if (mask is null && numOov > 0)
                x[1, 0] = tensor(8L);
            if (mask is null && numOov == 0)
                x[1, 0] = tensor(3L);
            LayerOnnx.Matches(new IntegerLookup(numOovIndices: numOov, maskToken: mask, vocabulary: vocabulary, outputMode: mode), x);
        }

        [Fact]
        public void IntegerLookupInverted()
        {
            var x = tensor(new long[] { 0, 1, 2, 3, 4, 5, 6, 9 }, new long[] { 2, 4 });
            LayerOnnx.Matches(new IntegerLookup(vocabulary: new long[] { 12, 3, 40, 7 }, invert: true), x);
            LayerOnnx.Matches(new IntegerLookup(maskToken: 0, vocabulary: new long[] { 12, 3, 40, 7 }, invert: true), x);
        }

        [Fact]
        public void IntegerLookupWithFarmHashAndHashingAreUnsupported()
        {
            var lookup = LayerOnnx.Unsupported(new IntegerLookup(numOovIndices: 3, vocabulary: new long[] { 1, 2 }, oovMethod: "farmhash",
                name: "lookup"), new Shape(4), ScalarType.Int64);
            Assert.Contains("'lookup' (IntegerLookup)", lookup);
            Assert.Contains("FarmHash", lookup);
            var hashing = LayerOnnx.Unsupported(new Hashing(numBins: 4, name: "hash"), new Shape(4), ScalarType.Int64);
            Assert.Contains("'hash' (Hashing)", hashing);
            Assert.Contains("not an ONNX operator", hashing);
        }
    }
}
