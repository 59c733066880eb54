using System;
using System.Linq;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Augmentation
{
    /// <summary>Inputs and checks the augmentation layers' tests share.</summary>
    internal static class AugmentationTestData
    {
        /// <summary>The shared layer check on a batch of two 4x5 RGB images, compared in inference only (the layers are random in
        /// training).</summary>
        public static void RunLayerCheck(Func<ScalarType?, Layer> create) => LayerCheck.Run(new LayerCheckOptions
        {
            Create = create,
            InputShapes = new Shape[] { new(2, 4, 5, 3) },
            ExpectedOutputShape = new Shape(2, 4, 5, 3),
            RandomInTraining = true,
        });

        /// <summary>A row image <c>(1, 1, W, 1)</c> holding 0, 10, 20, ...: each pixel's value names its column.</summary>
        public static Tensor Row(int width) => arange(width, dtype: ScalarType.Float32).mul(10).view(1, 1, width, 1);

        /// <summary>A column image <c>(1, H, 1, 1)</c> holding 0, 10, 20, ...</summary>
        public static Tensor Column(int height) => arange(height, dtype: ScalarType.Float32).mul(10).view(1, height, 1, 1);

        /// <summary>The values of a tensor, flattened.</summary>
        public static float[] Values(Tensor x) => x.contiguous().to(ScalarType.Float32).data<float>().ToArray();

        /// <summary>Asserts the exact values.</summary>
        public static void Exactly(float[] expected, Tensor actual) => Assert.Equal(expected, Values(actual));

        /// <summary>Asserts the layer returns its input bit for bit when not training (null and false), for a batch and an image.</summary>
        public static void IdentityInInference(Layer layer)
        {
            using var batch = randn(3, 5, 4, 2).mul(100);
            foreach (var input in new[] { batch, batch[0] })
            {
                Assert.True(layer.Apply(input).equal(input).all().item<bool>(), $"{layer.GetType().Name}: training=null changed the input");
                Assert.True(layer.Apply(input, training: false).equal(input).all().item<bool>(),
                    $"{layer.GetType().Name}: training=false changed the input");
            }
        }

        /// <summary>The k-th uniform draw of a layer with <paramref name="seed"/>, as the library's seed stream makes it.</summary>
        public static Tensor Draw(long[] shape, ulong seed, double min, double max)
        {
            using var generator = new Generator(seed);
            return rand(shape, ScalarType.Float32, generator: generator).mul(max - min).add(min);
        }

        /// <summary>Whether two calls of layers differ somewhere.</summary>
        public static bool Differ(Tensor a, Tensor b) => !a.equal(b).all().item<bool>();

        /// <summary>The values of a 2-D float array, row by row.</summary>
        public static float[] Flat(float[,] values) => values.Cast<float>().ToArray();
    }
}
