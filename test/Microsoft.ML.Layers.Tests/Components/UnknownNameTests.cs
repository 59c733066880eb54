using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Layers.Constraints;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Losses;
using Microsoft.ML.Layers.Metrics;
using Microsoft.ML.Layers.Optimizers;
using Microsoft.ML.Layers.Regularizers;
using Xunit;

namespace Microsoft.ML.Layers.Tests.Components
{
    /// <summary>Every open registry keeps its string shortcuts, and a wrong name fails saying which names exist.</summary>
    public sealed class UnknownNameTests
    {
        public UnknownNameTests() => ComponentTestHelpers.EnsureNative();

        private static readonly Dictionary<string, (Func<string, object> Get, IReadOnlyCollection<string> Valid)> Registries = new()
        {
            ["activation"] = (n => Activations.Get(n), Activations.Names),
            ["initializer"] = (n => Initializer.Get(n), new[] { "glorot_uniform", "zeros" }),
            ["regularizer"] = (n => Regularizer.Get(n), new[] { "l1", "l2" }),
            ["constraint"] = (n => Constraint.Get(n), new[] { "max_norm", "non_neg" }),
            ["loss"] = (n => Loss.Get(n), Loss.Names),
            ["metric"] = (n => Metric.Get(n), new[] { "accuracy", "auc", "mae" }),
            ["optimizer"] = (n => Optimizer.Get(n), new[] { "adam", "sgd" }),
        };

        public static TheoryData<string> Kinds() => new(Registries.Keys);

        [Theory]
        [MemberData(nameof(Kinds))]
        public void AWrongNameIsRefusedWithTheKindTheNameAndTheValidNames(string kind)
        {
            var (get, valid) = Registries[kind];

            var error = Assert.Throws<ArgumentException>(() => get("no_such_thing"));

            Assert.Contains(kind, error.Message);
            Assert.Contains("'no_such_thing'", error.Message);
            Assert.True(valid.Count(name => error.Message.Contains(name, StringComparison.Ordinal)) >= 2,
                $"The message should list the valid {kind} names: {error.Message}");
        }

        [Fact]
        public void ALayerGivenAWrongActivationNameFailsInItsConstructor()
        {
            var error = Assert.Throws<ArgumentException>(() => new Dense(3, activation: "relux"));

            Assert.Contains("'relux'", error.Message);
            Assert.Contains("relu", error.Message.Replace("'relux'", "", StringComparison.Ordinal));
        }
    }
}
