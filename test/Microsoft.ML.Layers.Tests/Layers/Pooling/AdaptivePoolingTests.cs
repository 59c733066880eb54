using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Layers.Infrastructure;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Pooling
{
    /// <summary>
    /// The six adaptive poolings (Keras 3's <c>AdaptiveAveragePooling1D/2D/3D</c> and <c>AdaptiveMaxPooling1D/2D/3D</c>) share
    /// <see cref="BaseAdaptivePooling"/>: each is checked by the shared layer check, and the maths of all of them against
    /// Keras's bins written out cell by cell here.
    /// </summary>
    public sealed class AdaptivePoolingTests
    {
        [Fact]
        public void AdaptiveAveragePooling1DPassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new AdaptiveAveragePooling1D(3, dtype: dtype),
            InputShapes = new Shape[] { new(2, 7, 4) },
            ExpectedOutputShape = new Shape(2, 3, 4),
        });

        [Fact]
        public void AdaptiveMaxPooling1DPassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new AdaptiveMaxPooling1D(4, DataFormat.ChannelsFirst, dtype: dtype),
            InputShapes = new Shape[] { new(2, 3, 6) },
            ExpectedOutputShape = new Shape(2, 3, 4),
        });

        [Fact]
        public void AdaptiveAveragePooling2DPassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new AdaptiveAveragePooling2D((2, 3), DataFormat.ChannelsFirst, dtype: dtype),
            InputShapes = new Shape[] { new(2, 3, 5, 7) },
            ExpectedOutputShape = new Shape(2, 3, 2, 3),
        });

        [Fact]
        public void AdaptiveMaxPooling2DPassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new AdaptiveMaxPooling2D(3, dtype: dtype),
            InputShapes = new Shape[] { new(2, 5, 4, 2) },
            ExpectedOutputShape = new Shape(2, 3, 3, 2),
        });

        [Fact]
        public void AdaptiveAveragePooling3DPassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new AdaptiveAveragePooling3D((1, 2, 3), dtype: dtype),
            InputShapes = new Shape[] { new(2, 3, 4, 5, 2) },
            ExpectedOutputShape = new Shape(2, 1, 2, 3, 2),
        });

        [Fact]
        public void AdaptiveMaxPooling3DPassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new AdaptiveMaxPooling3D(2, DataFormat.ChannelsFirst, dtype: dtype),
            InputShapes = new Shape[] { new(2, 2, 3, 4, 5) },
            ExpectedOutputShape = new Shape(2, 2, 2, 2, 2),
        });

        private static BaseAdaptivePooling Create(bool max, IntTuple outputSize, DataFormat dataFormat) => (outputSize.Count, max) switch
        {
            (1, false) => new AdaptiveAveragePooling1D(outputSize, dataFormat),
            (2, false) => new AdaptiveAveragePooling2D(outputSize, dataFormat),
            (3, false) => new AdaptiveAveragePooling3D(outputSize, dataFormat),
            (1, true) => new AdaptiveMaxPooling1D(outputSize, dataFormat),
            (2, true) => new AdaptiveMaxPooling2D(outputSize, dataFormat),
            _ => new AdaptiveMaxPooling3D(outputSize, dataFormat),
        };

        /// <summary>Keras's bin of output cell i on an axis of length n pooled to m: [floor(i n / m), ceil((i + 1) n / m)).</summary>
        private static (long Start, long End) Bin(long i, long n, long m) => (i * n / m, ((i + 1) * n + m - 1) / m);

        private static IEnumerable<long[]> Cells(long[] sizes) => sizes.Aggregate(
            (IEnumerable<long[]>)new[] { Array.Empty<long>() },
            (prefixes, size) => prefixes.SelectMany(p => Enumerable.Range(0, (int)size).Select(i => p.Append(i).ToArray())));

        /// <summary>Each output cell on its own: the mean or maximum of its box (the product of its axes' bins).</summary>
        private static Tensor Reference(Tensor channelsFirst, long[] outputSize, bool max)
        {
            var spatial = channelsFirst.shape.Skip(2).ToArray();
            var result = zeros(channelsFirst.shape.Take(2).Concat(outputSize).ToArray(), dtype: channelsFirst.dtype);
            foreach (var cell in Cells(outputSize))
            {
                var box = channelsFirst;
                var target = result;
                for (int axis = 0; axis < outputSize.Length; axis++)
                {
                    var (start, end) = Bin(cell[axis], spatial[axis], outputSize[axis]);
                    box = box.narrow(2 + axis, start, end - start);
                    target = target.select(2, cell[axis]);
                }
                var values = box.flatten(2);
                target.copy_(max ? values.amax(new long[] { 2 }) : values.mean(new long[] { 2 }));
            }
            return result;
        }

        public static TheoryData<bool, long[], long[]> BinCases()
        {
            var data = new TheoryData<bool, long[], long[]>();
            var cases = new (long[] Input, long[] Output)[]
            {
                (new long[] { 9 }, new long[] { 3 }),          // even bins of 3
                (new long[] { 7 }, new long[] { 3 }),          // [0, 3), [2, 5), [4, 7): overlapping bins
                (new long[] { 3 }, new long[] { 5 }),          // more cells than steps: repeated cells
                (new long[] { 10 }, new long[] { 1 }),         // one bin: the global pooling
                (new long[] { 5, 7 }, new long[] { 3, 2 }),
                (new long[] { 4, 6 }, new long[] { 4, 4 }),    // one axis unchanged, the other uneven
                (new long[] { 3, 5, 7 }, new long[] { 2, 2, 3 }),
                (new long[] { 2, 4, 3 }, new long[] { 3, 1, 3 }),
            };
            foreach (var max in new[] { false, true })
                foreach (var (input, output) in cases)
                    data.Add(max, input, output);
            return data;
        }

        [Theory]
        [MemberData(nameof(BinCases))]
        public void PoolsKerassBins(bool max, long[] inputSize, long[] outputSize)
        {
            manual_seed(31);
            using var x = randn(new long[] { 2, 3 }.Concat(inputSize).ToArray());   // channels first
            var size = new IntTuple(outputSize.Select(v => (int)v).ToArray());
            int rank = inputSize.Length;
            var permuteToLast = new long[] { 0 }.Concat(Enumerable.Range(2, rank).Select(a => (long)a)).Append(1).ToArray();

            var first = Create(max, size, DataFormat.ChannelsFirst).Apply(x);
            var last = Create(max, size, DataFormat.ChannelsLast).Apply(x.permute(permuteToLast));

            using var expected = Reference(x, outputSize, max);
            TensorAssert.Close(expected, first, 1e-5, 1e-5);
            TensorAssert.Close(expected.permute(permuteToLast), last, 1e-5, 1e-5);
        }

        [Fact]
        public void AveragesAndMaximaOfHandWorkedBins()
        {
            // 5 steps to 3 cells: bins [0, 2), [1, 4), [3, 5); 3 steps to 5 cells: [0, 1), [0, 2), [1, 2), [1, 3), [2, 3).
            using var five = tensor(new float[] { 0, 1, 2, 3, 4 }).reshape(1, 5, 1);
            using var three = tensor(new float[] { 1, 2, 4 }).reshape(1, 3, 1);

            Assert.Equal(new float[] { 0.5f, 2, 3.5f }, new AdaptiveAveragePooling1D(3).Apply(five).data<float>().ToArray());
            Assert.Equal(new float[] { 1, 3, 4 }, new AdaptiveMaxPooling1D(3).Apply(five).data<float>().ToArray());
            Assert.Equal(new float[] { 1, 1.5f, 2, 3, 4 }, new AdaptiveAveragePooling1D(5).Apply(three).data<float>().ToArray());
            Assert.Equal(new float[] { 1, 2, 2, 4, 4 }, new AdaptiveMaxPooling1D(5).Apply(three).data<float>().ToArray());
        }

        [Theory]
        [InlineData(DataFormat.ChannelsLast)]
        [InlineData(DataFormat.ChannelsFirst)]
        public void InfersTheOutputShapeWhateverTheSpatialSizes(DataFormat dataFormat)
        {
            var pool = new AdaptiveMaxPooling3D((2, 3, 4), dataFormat);
            bool last = dataFormat == DataFormat.ChannelsLast;

            var known = last ? new Shape(5, 7, 8, 9, 6) : new Shape(5, 6, 7, 8, 9);
            var unknown = last ? new Shape(Shape.Unknown, Shape.Unknown, 8, Shape.Unknown, 6)
                : new Shape(Shape.Unknown, 6, Shape.Unknown, 8, Shape.Unknown);

            Assert.Equal(last ? new Shape(5, 2, 3, 4, 6) : new Shape(5, 6, 2, 3, 4), pool.ComputeOutputShape(known));
            Assert.Equal(last ? new Shape(Shape.Unknown, 2, 3, 4, 6) : new Shape(Shape.Unknown, 6, 2, 3, 4), pool.ComputeOutputShape(unknown));
            Assert.Equal(pool.ComputeOutputShape(known).ToArray(), pool.Apply(randn(known.ToArray())).shape);
        }

        [Fact]
        public void WritesKerassConfig()
        {
            var one = new AdaptiveAveragePooling1D(4, name: "a").GetConfig();
            var two = new AdaptiveMaxPooling2D((8, 16), DataFormat.ChannelsFirst, name: "b").GetConfig();

            Assert.Equal(new[] { "name", "trainable", "dtype", "output_size", "data_format" }, one.Keys);
            Assert.Equal("[4]", one.Values["output_size"]!.ToJsonString());
            Assert.Equal("[8,16]", two.Values["output_size"]!.ToJsonString());
            Assert.Equal("\"channels_first\"", two.Values["data_format"]!.ToJsonString());
            var revived = Assert.IsType<AdaptiveMaxPooling2D>(Layer.Deserialize(two));
            Assert.Equal((new IntTuple(8, 16), DataFormat.ChannelsFirst), (revived.OutputSize, revived.DataFormat));
        }

        [Theory]
        [InlineData("AdaptiveAveragePooling1D", "[4]", typeof(AdaptiveAveragePooling1D))]
        [InlineData("AdaptiveMaxPooling1D", "4", typeof(AdaptiveMaxPooling1D))]
        [InlineData("AdaptiveAveragePooling2D", "[4, 4]", typeof(AdaptiveAveragePooling2D))]
        [InlineData("AdaptiveMaxPooling2D", "[2, 4]", typeof(AdaptiveMaxPooling2D))]
        [InlineData("AdaptiveAveragePooling3D", "[4, 4, 4]", typeof(AdaptiveAveragePooling3D))]
        [InlineData("AdaptiveMaxPooling3D", "[1, 2, 4]", typeof(AdaptiveMaxPooling3D))]
        public void ReadsAKeras3Config(string className, string outputSize, Type type)
        {
            string json = $$"""
                {"module": "keras.layers", "class_name": "{{className}}", "config": {"name": "adaptive", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
                 "output_size": {{outputSize}}, "data_format": "channels_last"}, "registered_name": null}
                """;

            var pool = Assert.IsAssignableFrom<BaseAdaptivePooling>(Layer.Deserialize(json));

            Assert.IsType(type, pool);
            Assert.Equal(DataFormat.ChannelsLast, pool.DataFormat);
            Assert.Equal(pool.Rank, pool.OutputSize.Count);
        }

        [Fact]
        public void RejectsArgumentsAndInputsWithTheReceivedValues()
        {
            Assert.Contains("output_size=0", Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveAveragePooling1D(0)).Message);
            Assert.Contains("output_size=(2, -1)",
                Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveMaxPooling2D((2, -1))).Message);
            Assert.ThrowsAny<ArgumentException>(() => new AdaptiveMaxPooling3D((2, 2)));
            var rank = Assert.ThrowsAny<ArgumentException>(() => new AdaptiveAveragePooling2D(2, name: "p").Apply(randn(2, 4, 3)));
            Assert.Contains("'p'", rank.Message);
        }
    }
}
