using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Merging
{
    public sealed class AverageTests
    {
        [Fact]
        public void DividesByTheNumberOfInputs()
        {
            var y = new Average().Apply(new[] { tensor(new float[] { 3 }).reshape(1, 1), tensor(new float[] { 6 }).reshape(1, 1), tensor(new float[] { 0 }).reshape(1, 1) });
            Assert.Equal(3f, y.item<float>());
        }
    }
}
