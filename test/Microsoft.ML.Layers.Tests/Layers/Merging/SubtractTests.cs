using System;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Merging
{
    public sealed class SubtractTests
    {
        [Theory]
        [InlineData(1)]
        [InlineData(3)]
        public void OtherThanTwoInputsFailNamingTheLayer(int count)
        {
            var inputs = new Tensor[count];
            for (int i = 0; i < count; i++)
                inputs[i] = ones(2, 3);
            var error = Assert.Throws<ArgumentException>(() => new Subtract(name: "sub_count").Apply(inputs));
            Assert.Contains("'sub_count'", error.Message);
            Assert.Contains("exactly 2 inputs", error.Message);
        }
    }
}
