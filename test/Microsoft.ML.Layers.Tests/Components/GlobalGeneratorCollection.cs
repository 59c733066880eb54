using Xunit;

namespace Microsoft.ML.Layers.Tests.Components
{
    /// <summary>
    /// Tests that draw from or reseed TorchSharp's global generator: they run alone, never in parallel with other tests,
    /// so that no other test consumes the global random stream between their draws.
    /// </summary>
    [CollectionDefinition(Name, DisableParallelization = true)]
    public sealed class GlobalGeneratorCollection
    {
        public const string Name = "TorchSharp global generator";
    }
}
