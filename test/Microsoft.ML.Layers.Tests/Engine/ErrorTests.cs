using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Engine
{
    public sealed class ErrorTests
    {
        [Fact]
        public void WrongRankFailsNamingTheLayerTheExpectedAndTheReceivedShape()
        {
            var layer = new RankThreeLayer();

            var error = Assert.Throws<ArgumentException>(() => layer.Apply(ones(2, 5)));

            Assert.Contains($"'{layer.Name}'", error.Message);
            Assert.Contains("expected rank 3", error.Message);
            Assert.Contains("(2, 5)", error.Message);
            Assert.Contains("batch dimension", error.Message);
        }

        [Fact]
        public void WrongLastDimensionFailsNamingTheExpectedSize()
        {
            var layer = new RankThreeLayer();

            var error = Assert.Throws<ArgumentException>(() => layer.Apply(ones(2, 3, 4)));

            Assert.Contains("axis -1", error.Message);
            Assert.Contains("value 5", error.Message);
            Assert.Contains("(2, 3, 4)", error.Message);
        }

        [Fact]
        public void AddingAWeightAfterBuildIsRefused()
        {
            var layer = new LateWeightLayer();

            var error = Assert.Throws<InvalidOperationException>(() => layer.Apply(ones(1, 2)));

            Assert.Contains("already built", error.Message);
            Assert.Contains("'late'", error.Message);
            Assert.Empty(layer.Weights);
        }

        [Fact]
        public void SetWeightsWithTheWrongCountFailsAndChangesNothing()
        {
            var layer = new SimpleDense(2);
            layer.EnsureBuilt(new Shape(1, 3));
            var before = layer.GetWeights();

            var error = Assert.Throws<ArgumentException>(() => layer.SetWeights(new Array[] { new float[3, 2] }));

            Assert.Contains("length 1", error.Message);
            Assert.Contains("expecting 2 weights", error.Message);
            Assert.Equal(before.Cast<object>(), layer.GetWeights().Cast<object>(), new ArrayValueComparer());
        }

        [Fact]
        public void SetWeightsWithAWrongShapeFailsNamingTheWeightAndChangesNothing()
        {
            var layer = new SimpleDense(2, name: "shaped");
            layer.EnsureBuilt(new Shape(1, 3));
            var before = layer.GetWeights();

            var error = Assert.Throws<ArgumentException>(() => layer.SetWeights(new Array[] { new float[3, 2], new float[3] }));

            Assert.Contains("'shaped/b'", error.Message);
            Assert.Contains("(2,)", error.Message);
            Assert.Contains("(3,)", error.Message);
            Assert.Equal(before.Cast<object>(), layer.GetWeights().Cast<object>(), new ArrayValueComparer());
        }

        [Fact]
        public void AConfigNamingAnUnregisteredClassSaysWhichAndHowToRegisterIt()
        {
            const string json = """{"class_name": "MyMissingLayer", "config": {"name": "x"}}""";

            var error = Assert.Throws<KeyNotFoundException>(() => Layer.Deserialize(json));

            Assert.Contains("'MyMissingLayer'", error.Message);
            Assert.Contains("[RegisterLayer(\"MyMissingLayer\")]", error.Message);
        }

        [Fact]
        public void AConfigNamingANonLayerTypeIsRefused()
        {
            const string json = """{"class_name": "GlorotUniform", "config": {"name": "x"}}""";

            var error = Assert.Throws<KeyNotFoundException>(() => Layer.Deserialize(json));

            Assert.Contains("registered as an Initializer, not a Layer", error.Message);
        }

        [Fact]
        public void AConfigNamingADotNetTypeIsNeverInstantiated()
        {
            const string json = """{"class_name": "System.Diagnostics.Process", "module": "System.Diagnostics.Process", "config": {}}""";

            var error = Assert.Throws<KeyNotFoundException>(() => Layer.Deserialize(json));

            Assert.Contains("Only registered classes are deserialized", error.Message);
        }

        [Fact]
        public void AnUnregisteredLayerTypeWithOnlyAnAttributeLessClassCannotBeReadBack()
        {
            var layer = new LateWeightLayer();

            var error = Assert.Throws<KeyNotFoundException>(() => Layer.Deserialize(layer.GetConfig()));

            Assert.Contains("'LateWeightLayer'", error.Message);
        }

        [Fact]
        public void AConfigKeyThatNoConstructorParameterTakesIsRefused()
        {
            const string json = """{"class_name": "NoArguments", "config": {"name": "x", "units": 3}}""";

            var error = Assert.Throws<FormatException>(() => Layer.Deserialize(json));

            Assert.Contains("units", error.Message);
            Assert.Contains("FromConfig", error.Message);
        }

        [Fact]
        public void AConfigValueOfTheWrongTypeFailsNamingTheKey()
        {
            const string json = """{"class_name": "GatedBlock", "config": {"name": "g", "units": "four"}}""";

            var error = Assert.Throws<FormatException>(() => Layer.Deserialize(json));

            Assert.Contains("GatedBlock.units", error.Message);
        }

        [Fact]
        public void ConstructorArgumentsAreCheckedWithTheReceivedValue()
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new GatedBlock(-3));

            Assert.Contains("units=-3", error.Message);
        }

        [Fact]
        public void MalformedJsonFailsCleanly()
        {
            Assert.Throws<FormatException>(() => Layer.Deserialize("{\"class_name\": \"Probe\", "));
            Assert.Throws<FormatException>(() => Layer.Deserialize("[1, 2]"));
        }

        [Fact]
        public void CountParamsOfAnUnbuiltLayerSaysHowToBuildIt()
        {
            var error = Assert.Throws<InvalidOperationException>(() => new SimpleDense(2).CountParams());

            Assert.Contains("isn't built", error.Message);
        }

        private sealed class ArrayValueComparer : IEqualityComparer<object>
        {
            public new bool Equals(object? x, object? y) => x is Array a && y is Array b && a.Cast<object>().SequenceEqual(b.Cast<object>());

            public int GetHashCode(object obj) => 0;
        }
    }
}
