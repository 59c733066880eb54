using System;
using System.Text.Json.Nodes;
using Microsoft.ML.Layers.Initializers;
using Xunit;

namespace Microsoft.ML.Layers.Tests.Engine
{
    /// <summary>Fixed-choice options are enums in C# and Keras's strings in configs, mapped in one place (KerasEnum).</summary>
    public class FixedChoiceOptionTests
    {
        public static TheoryData<string, Func<Layer>, string, string?, Func<Layer, Enum>> LayerOptions => new()
        {
            { "valid", () => new Conv1D(2, 3, padding: Padding.Valid), "padding", "valid", l => ((Conv1D)l).Padding },
            { "same", () => new Conv1D(2, 3, padding: Padding.Same), "padding", "same", l => ((Conv1D)l).Padding },
            { "causal", () => new Conv1D(2, 3, padding: Padding.Causal), "padding", "causal", l => ((Conv1D)l).Padding },
            { "pool same", () => new MaxPooling2D(2, padding: Padding.Same), "padding", "same", l => ((MaxPooling2D)l).Padding },
            { "last", () => new Conv2D(2, 3), "data_format", "channels_last", l => ((Conv2D)l).DataFormat },
            { "first", () => new Conv2D(2, 3, dataFormat: DataFormat.ChannelsFirst), "data_format", "channels_first", l => ((Conv2D)l).DataFormat },
            { "flatten first", () => new Flatten(DataFormat.ChannelsFirst), "data_format", "channels_first", l => ((Flatten)l).DataFormat },
            { "zero padding first", () => new ZeroPadding2D(1, DataFormat.ChannelsFirst), "data_format", "channels_first", l => ((ZeroPadding2D)l).DataFormat },
            { "nearest", () => new UpSampling2D(), "interpolation", "nearest", l => ((UpSampling2D)l).Interpolation },
            { "bilinear", () => new UpSampling2D(interpolation: Interpolation.Bilinear), "interpolation", "bilinear", l => ((UpSampling2D)l).Interpolation },
            { "bicubic", () => new UpSampling2D(interpolation: Interpolation.Bicubic), "interpolation", "bicubic", l => ((UpSampling2D)l).Interpolation },
            { "concat", () => Bi(MergeMode.Concat), "merge_mode", "concat", l => ((Bidirectional)l).MergeMode },
            { "sum", () => Bi(MergeMode.Sum), "merge_mode", "sum", l => ((Bidirectional)l).MergeMode },
            { "mul", () => Bi(MergeMode.Multiply), "merge_mode", "mul", l => ((Bidirectional)l).MergeMode },
            { "ave", () => Bi(MergeMode.Average), "merge_mode", "ave", l => ((Bidirectional)l).MergeMode },
            { "none", () => Bi(MergeMode.None), "merge_mode", null, l => ((Bidirectional)l).MergeMode },
            { "dot", () => new Attention(), "score_mode", "dot", l => ((Attention)l).ScoreMode },
            { "score concat", () => new Attention(scoreMode: AttentionScoreMode.Concat), "score_mode", "concat", l => ((Attention)l).ScoreMode },
        };

        private static Bidirectional Bi(MergeMode mode) => new(new LSTM(2), mergeMode: mode);

        [Theory]
        [MemberData(nameof(LayerOptions))]
        public void AConfigWritesKerasStringAndReadsTheSameEnumBack(string row, Func<Layer> create, string key, string? keras, Func<Layer, Enum> read)
        {
            var layer = create();
            var config = layer.GetConfig();

            Assert.True(config.Values.ContainsKey(key), row);
            Assert.Equal(keras, (string?)config.Values[key]);
            Assert.Equal(read(layer), read(Layer.Deserialize(config.ToJsonString())));
        }

        public static TheoryData<VarianceScalingMode, string, VarianceScalingDistribution, string> VarianceScalingOptions => new()
        {
            { VarianceScalingMode.FanIn, "fan_in", VarianceScalingDistribution.TruncatedNormal, "truncated_normal" },
            { VarianceScalingMode.FanOut, "fan_out", VarianceScalingDistribution.UntruncatedNormal, "untruncated_normal" },
            { VarianceScalingMode.FanAverage, "fan_avg", VarianceScalingDistribution.Uniform, "uniform" },
        };

        [Theory]
        [MemberData(nameof(VarianceScalingOptions))]
        public void VarianceScalingWritesKerasStrings(VarianceScalingMode mode, string kerasMode, VarianceScalingDistribution distribution, string kerasDistribution)
        {
            var config = new VarianceScalingInitializer(mode: mode, distribution: distribution).GetConfig();

            Assert.Equal((kerasMode, kerasDistribution), ((string?)config.Values["mode"], (string?)config.Values["distribution"]));
            var restored = Assert.IsType<VarianceScalingInitializer>(ComponentRegistry.Deserialize(config.ToJson(), typeof(Initializer)));
            Assert.Equal((mode, distribution), (restored.Mode, restored.Distribution));
        }

        [Theory]
        [InlineData("padding", "SAME", "Same")]
        [InlineData("data_format", "Channels_First", "ChannelsFirst")]
        [InlineData("data_format", null, "ChannelsLast")]
        public void AConfigIsReadIgnoringLetterCaseAndNoneIsTheDefaultDataFormat(string key, string? value, string expected)
        {
            var config = new Conv2D(2, 3).GetConfig();
            config.Values[key] = value;

            var conv = Assert.IsType<Conv2D>(Layer.Deserialize(config.ToJsonString()));

            Assert.Equal(expected, key == "padding" ? conv.Padding.ToString() : conv.DataFormat.ToString());
        }

        [Theory]
        [InlineData("Conv2D", "padding", "smae", "\"valid\", \"same\", \"causal\"")]
        [InlineData("Conv2D", "data_format", "nhwc", "\"channels_last\", \"channels_first\"")]
        [InlineData("UpSampling2D", "interpolation", "area", "\"nearest\", \"bilinear\", \"bicubic\"")]
        [InlineData("Bidirectional", "merge_mode", "max", "\"concat\", \"sum\", \"mul\", \"ave\", None")]
        [InlineData("Attention", "score_mode", "additive", "\"dot\", \"concat\"")]
        public void AnUnknownStringInAConfigFailsNamingTheLayerTheArgumentTheValueAndTheValidValues(string className, string key, string bad, string valid)
        {
            Layer layer = className switch
            {
                "Conv2D" => new Conv2D(2, 3),
                "UpSampling2D" => new UpSampling2D(),
                "Bidirectional" => Bi(MergeMode.Concat),
                _ => new Attention(),
            };
            var config = layer.GetConfig();
            config.Values[key] = bad;

            var error = Assert.Throws<FormatException>(() => Layer.Deserialize(config.ToJsonString()));

            Assert.Equal($"'{className}.{key}' must be one of {valid}. Received: '{bad}'.", error.Message);
        }

        [Fact]
        public void AnUnknownVarianceScalingModeInAConfigFailsListingTheValidValues()
        {
            var json = new JsonObject { ["class_name"] = "VarianceScaling", ["config"] = new JsonObject { ["mode"] = "fan_sum" } };

            var error = Assert.Throws<FormatException>(() => ComponentRegistry.Deserialize(json, typeof(Initializer)));

            Assert.Equal("'VarianceScaling.mode' must be one of \"fan_in\", \"fan_out\", \"fan_avg\". Received: 'fan_sum'.", error.Message);
        }

        [Fact]
        public void ConvolutionsOtherThanConv1DRejectCausalPaddingInTheConstructor()
        {
            var error = Assert.Throws<ArgumentException>(() => new Conv2D(2, 3, padding: Padding.Causal));

            Assert.Contains("must be one of \"valid\" or \"same\". Received: padding='causal'", error.Message);
        }
    }
}
