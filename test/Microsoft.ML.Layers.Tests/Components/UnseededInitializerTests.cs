using Xunit;
using static Microsoft.ML.Layers.Tests.Components.ComponentTestHelpers;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Components
{
    /// <summary>
    /// Unseeded initializers draw from TorchSharp's global generator: <c>torch.manual_seed</c> makes them reproducible and
    /// each call draws new values. A seeded initializer leaves the global stream alone. These tests run alone.
    /// </summary>
    [Collection(GlobalGeneratorCollection.Name)]
    public sealed class UnseededInitializerTests
    {
        private static readonly Shape Kernel = new(6, 5);

        public UnseededInitializerTests() => EnsureNative();

        public static TheoryData<string> RandomNames => RandomInitializerCatalog.Names();

        [Theory]
        [MemberData(nameof(RandomNames))]
        public void UnseededInitializerIsReproducibleWithManualSeed(string name)
        {
            var initializer = RandomInitializerCatalog.ByName[name](null);
            manual_seed(2718);
            using var first = initializer.Create(Kernel, ScalarType.Float32);
            manual_seed(2718);
            using var second = initializer.Create(Kernel, ScalarType.Float32);
            Assert.True(SameValues(first, second));
        }

        [Theory]
        [MemberData(nameof(RandomNames))]
        public void UnseededInitializerDrawsNewValuesOnEachCall(string name)
        {
            var initializer = RandomInitializerCatalog.ByName[name](null);
            manual_seed(31);
            using var first = initializer.Create(Kernel, ScalarType.Float32);
            using var second = initializer.Create(Kernel, ScalarType.Float32);
            Assert.False(SameValues(first, second));
        }

        [Theory]
        [MemberData(nameof(RandomNames))]
        public void SeededInitializerDoesNotAdvanceTheGlobalGenerator(string name)
        {
            manual_seed(5);
            using var expected = rand(4);
            manual_seed(5);
            using (RandomInitializerCatalog.ByName[name](8).Create(Kernel, ScalarType.Float32))
            {
            }
            using var actual = rand(4);
            Assert.True(SameValues(expected, actual));
        }
    }
}
