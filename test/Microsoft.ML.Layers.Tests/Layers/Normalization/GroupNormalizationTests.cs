using System;
using Microsoft.ML.Layers.TestFramework;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Normalization
{
    public sealed class GroupNormalizationTests
    {
        [Fact]
        public void PassesTheSharedLayerCheck() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new GroupNormalization(groups: 2, gammaInitializer: "random_normal", betaInitializer: "random_normal", dtype: dtype),
            InputShapes = new Shape[] { new(4, 3, 6) },
            ExpectedTrainableWeights = 2,
            ExpectedOutputShape = new Shape(4, 3, 6),
            ExpectedSupportsMasking = true,
            ExpectedMaskShape = new Shape(4, 3),
        });

        [Fact]
        public void ChannelsLastMatchesLibtorchGroupNormOnChannelsFirstInput()
        {
            var norm = new GroupNormalization(groups: 3, epsilon: 1e-5, gammaInitializer: "random_normal", betaInitializer: "random_normal");
            var x = randn(2, 4, 5, 6) * 2 + 1;

            var y = norm.Apply(x);

            // libtorch's group_norm takes (N, C, H, W): move the channels first and back.
            var expected = nn.functional.group_norm(x.permute(0, 3, 1, 2), 3, norm.Gamma, norm.Beta, 1e-5).permute(0, 2, 3, 1);
            TensorAssert.Close(expected, y, 1e-5, 1e-5, "group normalization");
        }

        [Fact]
        public void AChannelsFirstAxisGroupsThatAxis()
        {
            var norm = new GroupNormalization(groups: 2, axis: 1, epsilon: 1e-5, gammaInitializer: "random_normal", betaInitializer: "random_normal");
            var x = randn(3, 4, 7) - 2;

            var y = norm.Apply(x);

            var expected = nn.functional.group_norm(x, 2, norm.Gamma, norm.Beta, 1e-5);
            TensorAssert.Close(expected, y, 1e-5, 1e-5, "axis 1");
        }

        [Fact]
        public void MinusOneGroupsMeansOneGroupPerChannelAndIsWrittenAsTheChannelCount()
        {
            var norm = new GroupNormalization(groups: -1, center: false, scale: false);
            // Two channels over three steps: each channel of each sample is normalized alone.
            var x = tensor(new float[] { 1, 10, 2, 20, 3, 60 }).reshape(1, 3, 2);

            var y = norm.Apply(x);

            Assert.Equal(2, norm.Groups);
            Assert.Equal("2", norm.GetConfig().Values["groups"]!.ToJsonString());
            double e = 1e-3;
            var expected = tensor(new double[]
            {
                -1 / Math.Sqrt(2.0 / 3 + e), -20 / Math.Sqrt(1400.0 / 3 + e),
                0, -10 / Math.Sqrt(1400.0 / 3 + e),
                1 / Math.Sqrt(2.0 / 3 + e), 30 / Math.Sqrt(1400.0 / 3 + e),
            }).reshape(1, 3, 2);
            TensorAssert.Close(expected, y, 1e-5, 1e-5, "instance normalization");
        }

        [Fact]
        public void GroupsThatDoNotDivideTheChannelsFailNamingTheLayer()
        {
            var norm = new GroupNormalization(groups: 4, name: "gn_groups");
            var error = Assert.Throws<ArgumentException>(() => norm.Apply(ones(2, 6)));
            Assert.Contains("'gn_groups'", error.Message);
            Assert.Contains("Number of groups (4) must be a multiple of the number of channels (6)", error.Message);
        }

        [Fact]
        public void MoreGroupsThanChannelsFailNamingTheLayer()
        {
            var error = Assert.Throws<ArgumentException>(() => new GroupNormalization(name: "gn_many").Apply(ones(2, 6)));
            Assert.Contains("'gn_many'", error.Message);
            Assert.Contains("cannot be more than the number of channels (6)", error.Message);
        }

        [Fact]
        public void ZeroGroupsAreRejectedWithTheReceivedValue()
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new GroupNormalization(groups: 0));
            Assert.Contains("groups=0", error.Message);
        }

        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "GroupNormalization", "config": {"name": "gn", "trainable": true, "dtype": "float32",
                 "groups": 4, "axis": -1, "epsilon": 0.001, "center": true, "scale": true,
                 "beta_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null},
                 "gamma_initializer": {"module": "keras.initializers", "class_name": "Ones", "config": {}, "registered_name": null},
                 "beta_regularizer": null, "gamma_regularizer": {"module": "keras.regularizers", "class_name": "L2", "config": {"l2": 0.01}, "registered_name": null},
                 "beta_constraint": null, "gamma_constraint": null},
                 "registered_name": null, "build_config": {"input_shape": [null, 8, 8, 16]}}
                """;

            var norm = Assert.IsType<GroupNormalization>(Layer.Deserialize(json));

            Assert.Equal(4, norm.Groups);
            Assert.NotNull(norm.GammaRegularizer);
            Assert.Equal(new long[] { 16 }, norm.Gamma!.shape);
        }
    }
}
