using Xunit;

namespace Microsoft.ML.Layers.Estimators.Tests
{
    /// <summary>
    /// Tests whose results depend on TorchSharp's global random generator (training with an MLContext seed). They run
    /// alone: tests running in parallel would draw from the same generator and change the numbers.
    /// </summary>
    [CollectionDefinition(Name, DisableParallelization = true)]
    public sealed class SerialTrainingCollection
    {
        public const string Name = "Serial training";
    }
}
