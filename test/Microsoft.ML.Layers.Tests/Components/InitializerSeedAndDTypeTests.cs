using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Layers.Initializers;
using Xunit;
using static Microsoft.ML.Layers.Tests.Components.ComponentTestHelpers;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Components
{
    /// <summary>Seeded initializers repeat their values; seeds give different values; the result has the requested dtype.</summary>
    public sealed class InitializerSeedAndDTypeTests
    {
        private static readonly Shape Kernel = new(6, 5);

        public InitializerSeedAndDTypeTests() => EnsureNative();

        public static TheoryData<string> RandomNames => RandomInitializerCatalog.Names();

        [Theory]
        [MemberData(nameof(RandomNames))]
        public void SeededInitializerReturnsTheSameValuesOnEveryCall(string name)
        {
            var initializer = RandomInitializerCatalog.ByName[name](1337);
            using var first = initializer.Create(Kernel, ScalarType.Float32);
            using var second = initializer.Create(Kernel, ScalarType.Float32);
            Assert.True(SameValues(first, second));
        }

        [Theory]
        [MemberData(nameof(RandomNames))]
        public void TwoInstancesWithTheSameSeedReturnTheSameValues(string name)
        {
            using var first = RandomInitializerCatalog.ByName[name](99).Create(Kernel, ScalarType.Float32);
            using var second = RandomInitializerCatalog.ByName[name](99).Create(Kernel, ScalarType.Float32);
            Assert.True(SameValues(first, second));
        }

        [Theory]
        [MemberData(nameof(RandomNames))]
        public void DifferentSeedsReturnDifferentValues(string name)
        {
            using var first = RandomInitializerCatalog.ByName[name](1).Create(Kernel, ScalarType.Float32);
            using var second = RandomInitializerCatalog.ByName[name](2).Create(Kernel, ScalarType.Float32);
            var a = Values(first);
            var b = Values(second);
            Assert.True(a.Zip(b).Count(p => p.First != p.Second) > a.Length / 2, "most values differ between seeds");
        }

        public static TheoryData<string, ScalarType> RandomNamesByFloatDType()
        {
            var data = new TheoryData<string, ScalarType>();
            foreach (var name in RandomInitializerCatalog.ByName.Keys)
                foreach (var dtype in new[] { ScalarType.Float32, ScalarType.Float64, ScalarType.Float16, ScalarType.BFloat16 })
                    data.Add(name, dtype);
            return data;
        }

        [Theory]
        [MemberData(nameof(RandomNamesByFloatDType))]
        public void RandomInitializerReturnsTheRequestedFloatDTypeAndShape(string name, ScalarType dtype)
        {
            using var t = RandomInitializerCatalog.ByName[name](5).Create(Kernel, dtype);
            Assert.Equal(dtype, t.dtype);
            Assert.Equal(Kernel.ToArray(), t.shape);
            var values = Values(t);
            Assert.All(values, v => Assert.True(double.IsFinite(v)));
            Assert.True(values.Distinct().Count() > values.Length / 2, "the values are random, not constant");
        }

        [Theory]
        [InlineData(ScalarType.Float16)]
        [InlineData(ScalarType.BFloat16)]
        [InlineData(ScalarType.Float64)]
        public void GlorotUniformStaysWithinItsLimitInEveryFloatDType(ScalarType dtype)
        {
            // limit = sqrt(6 / (60 + 50)); bfloat16 rounds to 8 significant bits, so allow a relative 2^-8.
            double limit = Math.Sqrt(6.0 / 110);
            var values = Values(Initializer.GlorotUniform(seed: 3).Create(new Shape(60, 50), dtype));
            Assert.All(values, v => Assert.InRange(Math.Abs(v), 0, limit * (1 + 1.0 / 256)));
            Assert.True(values.Max(Math.Abs) > limit * 0.95, "the values spread up to the limit");
        }

        [Theory]
        [MemberData(nameof(RandomNames))]
        public void RandomInitializerRejectsAnIntegerDType(string name)
        {
            var e = Assert.Throws<ArgumentException>(() => RandomInitializerCatalog.ByName[name](1).Create(Kernel, ScalarType.Int32));
            Assert.Contains("floating dtype", e.Message);
            Assert.Contains("int32", e.Message);
        }

        public static TheoryData<string, ScalarType> DeterministicByDType()
        {
            var data = new TheoryData<string, ScalarType>();
            foreach (var name in new[] { "Zeros", "Ones", "Constant", "Identity" })
                foreach (var dtype in new[] { ScalarType.Float32, ScalarType.Float64, ScalarType.Float16, ScalarType.BFloat16, ScalarType.Int32, ScalarType.Int64 })
                    data.Add(name, dtype);
            return data;
        }

        [Theory]
        [MemberData(nameof(DeterministicByDType))]
        public void DeterministicInitializerReturnsTheRequestedDTypeWithExactValues(string name, ScalarType dtype)
        {
            Initializer initializer = name switch
            {
                "Zeros" => Initializer.Zeros(),
                "Ones" => Initializer.Ones(),
                "Constant" => Initializer.Constant(3.0),
                _ => Initializer.Identity(gain: 3.0),
            };
            using var t = initializer.Create(new Shape(2, 2), dtype);
            Assert.Equal(dtype, t.dtype);
            double[] expected = name switch
            {
                "Zeros" => new double[] { 0, 0, 0, 0 },
                "Ones" => new double[] { 1, 1, 1, 1 },
                "Constant" => new double[] { 3, 3, 3, 3 },
                _ => new double[] { 3, 0, 0, 3 },
            };
            Assert.Equal(expected, Values(t));
        }
    }
}
