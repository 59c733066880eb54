using System;
using System.Collections.Generic;
using System.Text.Json.Nodes;
using Microsoft.ML.Layers.Constraints;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Regularizers;
using Xunit;

namespace Microsoft.ML.Layers.Tests.Components
{
    /// <summary>Keras's string names and aliases, and the errors for unknown names and names of another kind.</summary>
    public sealed class ComponentNameTests
    {
        public ComponentNameTests() => ComponentTestHelpers.EnsureNative();

        [Theory]
        [InlineData("zeros", typeof(ZerosInitializer))]
        [InlineData("zero", typeof(ZerosInitializer))]
        [InlineData("Zeros", typeof(ZerosInitializer))]
        [InlineData("ones", typeof(OnesInitializer))]
        [InlineData("one", typeof(OnesInitializer))]
        [InlineData("constant", typeof(ConstantInitializer))]
        [InlineData("random_normal", typeof(RandomNormalInitializer))]
        [InlineData("normal", typeof(RandomNormalInitializer))]
        [InlineData("random_uniform", typeof(RandomUniformInitializer))]
        [InlineData("uniform", typeof(RandomUniformInitializer))]
        [InlineData("truncated_normal", typeof(TruncatedNormalInitializer))]
        [InlineData("variance_scaling", typeof(VarianceScalingInitializer))]
        [InlineData("glorot_uniform", typeof(GlorotUniformInitializer))]
        [InlineData("GlorotUniform", typeof(GlorotUniformInitializer))]
        [InlineData("glorot_normal", typeof(GlorotNormalInitializer))]
        [InlineData("he_uniform", typeof(HeUniformInitializer))]
        [InlineData("he_normal", typeof(HeNormalInitializer))]
        [InlineData("lecun_uniform", typeof(LecunUniformInitializer))]
        [InlineData("lecun_normal", typeof(LecunNormalInitializer))]
        [InlineData("orthogonal", typeof(OrthogonalInitializer))]
        [InlineData("Orthogonal", typeof(OrthogonalInitializer))]
        [InlineData("OrthogonalInitializer", typeof(OrthogonalInitializer))]
        [InlineData("identity", typeof(IdentityInitializer))]
        [InlineData("IdentityInitializer", typeof(IdentityInitializer))]
        public void InitializerNameResolves(string name, Type expected)
            => Assert.IsType(expected, Initializer.Get(name));

        [Theory]
        [InlineData("l1", typeof(L1Regularizer))]
        [InlineData("L1", typeof(L1Regularizer))]
        [InlineData("l2", typeof(L2Regularizer))]
        [InlineData("L2", typeof(L2Regularizer))]
        [InlineData("l1l2", typeof(L1L2Regularizer))]
        [InlineData("L1L2", typeof(L1L2Regularizer))]
        [InlineData("l1_l2", typeof(L1L2Regularizer))]
        public void RegularizerNameResolves(string name, Type expected)
            => Assert.IsType(expected, Regularizer.Get(name));

        [Theory]
        [InlineData("max_norm", typeof(MaxNormConstraint))]
        [InlineData("MaxNorm", typeof(MaxNormConstraint))]
        [InlineData("non_neg", typeof(NonNegConstraint))]
        [InlineData("unit_norm", typeof(UnitNormConstraint))]
        [InlineData("min_max_norm", typeof(MinMaxNormConstraint))]
        public void ConstraintNameResolves(string name, Type expected)
            => Assert.IsType(expected, Constraint.Get(name));

        [Fact]
        public void ANameGivesTheKerasDefaults()
        {
            var normal = Assert.IsType<RandomNormalInitializer>(Initializer.Get("random_normal"));
            Assert.Equal((0.0, 0.05, (long?)null), (normal.Mean, normal.Stddev, normal.Seed));
            Assert.Equal(0.01, Assert.IsType<L2Regularizer>(Regularizer.Get("l2")).L2);
            var maxNorm = Assert.IsType<MaxNormConstraint>(Constraint.Get("max_norm"));
            Assert.Equal(2.0, maxNorm.MaxValue);
            Assert.Equal(new[] { 0 }, maxNorm.Axes);
        }

        [Fact]
        public void ABareNameInAConfigDeserializes()
        {
            Assert.IsType<HeNormalInitializer>(ComponentRegistry.Deserialize(JsonValue.Create("he_normal"), typeof(Initializer)));
            Assert.IsType<L2Regularizer>(ComponentRegistry.Deserialize(JsonValue.Create("l2"), typeof(Regularizer)));
            Assert.IsType<MaxNormConstraint>(ComponentRegistry.Deserialize(JsonValue.Create("max_norm"), typeof(Constraint)));
        }

        [Fact]
        public void AnUnknownInitializerNameFailsNamingTheValueAndTheKnownNames()
        {
            var e = Assert.Throws<ArgumentException>(() => Initializer.Get("glorot_unifrom"));
            Assert.Contains("'glorot_unifrom'", e.Message);
            Assert.Contains("Unknown initializer", e.Message);
            Assert.Contains("glorot_uniform", e.Message);
            Assert.Contains("he_normal", e.Message);
        }

        [Fact]
        public void AnUnknownRegularizerNameFailsNamingTheKnownNames()
        {
            var e = Assert.Throws<ArgumentException>(() => Regularizer.Get("l3"));
            Assert.Contains("'l3'", e.Message);
            Assert.Contains("l1_l2", e.Message);
        }

        [Fact]
        public void AnUnknownConstraintNameFailsNamingTheKnownNames()
        {
            var e = Assert.Throws<ArgumentException>(() => Constraint.Get("max_norms"));
            Assert.Contains("'max_norms'", e.Message);
            Assert.Contains("max_norm", e.Message);
            Assert.Contains("non_neg", e.Message);
        }

        [Fact]
        public void AConstraintNameAskedForAsAnInitializerFailsSayingItIsAConstraint()
        {
            var e = Assert.Throws<ArgumentException>(() => Initializer.Get("max_norm"));
            Assert.Contains("'max_norm' is registered as a constraint, not an initializer", e.Message);
        }

        [Fact]
        public void AnInitializerNameAskedForAsARegularizerFailsSayingItIsAnInitializer()
        {
            var e = Assert.Throws<ArgumentException>(() => Regularizer.Get("he_normal"));
            Assert.Contains("'he_normal' is registered as an initializer, not a regularizer", e.Message);
        }

        [Fact]
        public void ARegularizerNameInAConstraintConfigFailsSayingItIsARegularizer()
        {
            var e = Assert.Throws<KeyNotFoundException>(() => ComponentRegistry.Deserialize(JsonValue.Create("l2"), typeof(Constraint)));
            Assert.Contains("registered as a Regularizer", e.Message);
        }

        [Fact]
        public void ANullNameIsRejected()
            => Assert.Throws<ArgumentNullException>(() => Initializer.Get(null!));
    }
}
