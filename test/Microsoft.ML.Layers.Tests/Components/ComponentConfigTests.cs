using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using Microsoft.ML.Layers.Constraints;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Regularizers;
using Xunit;

namespace Microsoft.ML.Layers.Tests.Components
{
    /// <summary>GetConfig, Keras's config keys and class names, and the round trip through JSON text for every class.</summary>
    public sealed class ComponentConfigTests
    {
        public ComponentConfigTests() => ComponentTestHelpers.EnsureNative();

        public static TheoryData<string, object> Components => new()
        {
            { "Zeros", new ZerosInitializer() },
            { "Ones", new OnesInitializer() },
            { "Constant", new ConstantInitializer(0.75) },
            { "RandomNormal", new RandomNormalInitializer(0.1, 0.2, 3) },
            { "RandomUniform", new RandomUniformInitializer(-1.5, 2.5, null) },
            { "TruncatedNormal", new TruncatedNormalInitializer(-0.5, 0.01, 7) },
            { "VarianceScaling", new VarianceScalingInitializer(0.3, VarianceScalingMode.FanOut, VarianceScalingDistribution.UntruncatedNormal, 11) },
            { "GlorotUniform", new GlorotUniformInitializer(5) },
            { "GlorotNormal", new GlorotNormalInitializer() },
            { "HeUniform", new HeUniformInitializer(6) },
            { "HeNormal", new HeNormalInitializer(-8) },
            { "LecunUniform", new LecunUniformInitializer() },
            { "LecunNormal", new LecunNormalInitializer(1) },
            { "Orthogonal", new OrthogonalInitializer(1.5, 2) },
            { "Identity", new IdentityInitializer(0.5) },
            { "L1", new L1Regularizer(0.003) },
            { "L2", new L2Regularizer(0.2) },
            { "L1L2", new L1L2Regularizer(0.01, 0.02) },
            { "MaxNorm", new MaxNormConstraint(3.5, 1) },
            { "MaxNorm", new MaxNormConstraint(3.0, new[] { 0, 1, 2 }) },
            { "NonNeg", new NonNegConstraint() },
            { "UnitNorm", new UnitNormConstraint(-1) },
            { "UnitNorm", new UnitNormConstraint(new[] { 0, 1 }) },
            { "MinMaxNorm", new MinMaxNormConstraint(0.5, 2.0, 0.25, 1) },
            { "MinMaxNorm", new MinMaxNormConstraint(0.0, 1.0, 1.0, new[] { 0, 1, 2 }) },
        };

        private static Type KindOf(object component)
            => component is Initializer ? typeof(Initializer) : component is Regularizer ? typeof(Regularizer) : typeof(Constraint);

        [Theory]
        [MemberData(nameof(Components))]
        public void ConfigRoundTripsThroughJsonTextToAnEqualConfig(string className, object component)
        {
            var config = ((IKerasSerializable)component).GetConfig();
            Assert.Equal(className, config.ClassName);
            string text = config.ToJsonString();
            var restored = ComponentRegistry.Deserialize(JsonNode.Parse(text), KindOf(component));
            Assert.NotNull(restored);
            Assert.IsType(component.GetType(), restored);
            Assert.Equal(text, ((IKerasSerializable)restored!).GetConfig().ToJsonString());
        }

        [Theory]
        [MemberData(nameof(Components))]
        public void ConfigNamesKerasModule(string className, object component)
        {
            var json = ((IKerasSerializable)component).GetConfig().ToJson();
            string expectedModule = component is Initializer ? "keras.initializers" : component is Regularizer ? "keras.regularizers" : "keras.constraints";
            Assert.Equal(expectedModule, (string?)json["module"]);
            Assert.Equal(className, (string?)json["class_name"]);
            Assert.Null(json["registered_name"]);
        }

        public static TheoryData<object, string[]> ExpectedKeys => new()
        {
            { new ZerosInitializer(), Array.Empty<string>() },
            { new ConstantInitializer(), new[] { "value" } },
            { new RandomNormalInitializer(), new[] { "seed", "mean", "stddev" } },
            { new RandomUniformInitializer(), new[] { "seed", "minval", "maxval" } },
            { new TruncatedNormalInitializer(), new[] { "seed", "mean", "stddev" } },
            { new VarianceScalingInitializer(), new[] { "seed", "scale", "mode", "distribution" } },
            { new GlorotUniformInitializer(), new[] { "seed" } },
            { new GlorotNormalInitializer(), new[] { "seed" } },
            { new HeUniformInitializer(), new[] { "seed" } },
            { new HeNormalInitializer(), new[] { "seed" } },
            { new LecunUniformInitializer(), new[] { "seed" } },
            { new LecunNormalInitializer(), new[] { "seed" } },
            { new OrthogonalInitializer(), new[] { "seed", "gain" } },
            { new IdentityInitializer(), new[] { "gain" } },
            { new L1Regularizer(), new[] { "l1" } },
            { new L2Regularizer(), new[] { "l2" } },
            { new L1L2Regularizer(), new[] { "l1", "l2" } },
            { new MaxNormConstraint(), new[] { "max_value", "axis" } },
            { new NonNegConstraint(), Array.Empty<string>() },
            { new UnitNormConstraint(), new[] { "axis" } },
            { new MinMaxNormConstraint(), new[] { "min_value", "max_value", "rate", "axis" } },
        };

        [Theory]
        [MemberData(nameof(ExpectedKeys))]
        public void ConfigHasExactlyKerasConstructorArgumentKeys(object component, string[] keys)
            => Assert.Equal(keys.OrderBy(k => k), ((IKerasSerializable)component).GetConfig().Keys.OrderBy(k => k));

        [Fact]
        public void DefaultConfigValuesAreKeras()
        {
            Assert.Equal("""{"seed":null,"mean":0,"stddev":0.05}""", new RandomNormalInitializer().GetConfig().Values.ToJsonString());
            Assert.Equal("""{"seed":null,"minval":-0.05,"maxval":0.05}""", new RandomUniformInitializer().GetConfig().Values.ToJsonString());
            Assert.Equal("""{"seed":null,"scale":1,"mode":"fan_in","distribution":"truncated_normal"}""", new VarianceScalingInitializer().GetConfig().Values.ToJsonString());
            Assert.Equal("""{"seed":42}""", new HeNormalInitializer(42).GetConfig().Values.ToJsonString());
            Assert.Equal("""{"l1":0.01}""", new L1Regularizer().GetConfig().Values.ToJsonString());
            Assert.Equal("""{"l1":0,"l2":0}""", new L1L2Regularizer().GetConfig().Values.ToJsonString());
            Assert.Equal("""{"max_value":2,"axis":0}""", new MaxNormConstraint().GetConfig().Values.ToJsonString());
            Assert.Equal("""{"min_value":0,"max_value":1,"rate":1,"axis":0}""", new MinMaxNormConstraint().GetConfig().Values.ToJsonString());
        }

        [Fact]
        public void AKeras3VarianceScalingConfigIsRead()
        {
            const string json = """
                {"module": "keras.initializers", "class_name": "VarianceScaling",
                 "config": {"scale": 2.0, "mode": "fan_out", "distribution": "normal", "seed": null}, "registered_name": null}
                """;
            var initializer = Assert.IsType<VarianceScalingInitializer>(ComponentRegistry.Deserialize(JsonNode.Parse(json), typeof(Initializer)));
            Assert.Equal(2.0, initializer.Scale);
            Assert.Equal(VarianceScalingMode.FanOut, initializer.Mode);
            Assert.Equal(VarianceScalingDistribution.TruncatedNormal, initializer.Distribution);
            Assert.Null(initializer.Seed);
        }

        [Fact]
        public void AKeras3OrthogonalInitializerConfigIsReadAndWrittenBackAsOrthogonal()
        {
            // Keras 3.0 to 3.3 named the class OrthogonalInitializer.
            const string json = """{"module": "keras.initializers", "class_name": "OrthogonalInitializer", "config": {"gain": 2.0, "seed": 4}}""";
            var initializer = Assert.IsType<OrthogonalInitializer>(ComponentRegistry.Deserialize(JsonNode.Parse(json), typeof(Initializer)));
            Assert.Equal(2.0, initializer.Gain);
            Assert.Equal(4L, initializer.Seed);
            Assert.Equal("Orthogonal", initializer.GetConfig().ClassName);
        }

        [Fact]
        public void AKerasRegularizerConfigWithAFloat32RoundedFactorIsRead()
        {
            const string json = """{"module": "keras.regularizers", "class_name": "L2", "config": {"l2": 0.009999999776482582}, "registered_name": null}""";
            var regularizer = Assert.IsType<L2Regularizer>(ComponentRegistry.Deserialize(JsonNode.Parse(json), typeof(Regularizer)));
            Assert.Equal(0.009999999776482582, regularizer.L2);
        }

        [Fact]
        public void AKerasL1L2ConfigWithANullFactorReadsItAsZero()
        {
            const string json = """{"class_name": "L1L2", "config": {"l1": null, "l2": 0.5}}""";
            var regularizer = Assert.IsType<L1L2Regularizer>(ComponentRegistry.Deserialize(JsonNode.Parse(json), typeof(Regularizer)));
            Assert.Equal(0.0, regularizer.L1);
            Assert.Equal(0.5, regularizer.L2);
        }

        [Fact]
        public void AKerasMaxNormConfigWithAListAxisAndAnIntegerMaxValueIsRead()
        {
            const string json = """{"module": "keras.constraints", "class_name": "MaxNorm", "config": {"max_value": 3, "axis": [0, 1, 2]}}""";
            var constraint = Assert.IsType<MaxNormConstraint>(ComponentRegistry.Deserialize(JsonNode.Parse(json), typeof(Constraint)));
            Assert.Equal(3.0, constraint.MaxValue);
            Assert.Equal(new[] { 0, 1, 2 }, constraint.Axes);
            Assert.Equal("""{"max_value":3,"axis":[0,1,2]}""", constraint.GetConfig().Values.ToJsonString());
        }

        [Fact]
        public void AConstraintConfigWithAnUnknownKeyIsRejected()
        {
            const string json = """{"class_name": "UnitNorm", "config": {"axis": 0, "norm": 2}}""";
            var e = Assert.Throws<FormatException>(() => ComponentRegistry.Deserialize(JsonNode.Parse(json), typeof(Constraint)));
            Assert.Contains("norm", e.Message);
        }

        [Fact]
        public void AnInitializerConfigWithAnUnknownKeyIsRejected()
        {
            const string json = """{"class_name": "HeNormal", "config": {"seed": 1, "scale": 3.0}}""";
            var e = Assert.Throws<FormatException>(() => ComponentRegistry.Deserialize(JsonNode.Parse(json), typeof(Initializer)));
            Assert.Contains("scale", e.Message);
        }
    }
}
