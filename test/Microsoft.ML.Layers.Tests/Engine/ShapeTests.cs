using System;
using Xunit;

namespace Microsoft.ML.Layers.Tests.Engine
{
    public sealed class ShapeTests
    {
        [Fact]
        public void IndexesFromTheEndAndWithNegativeAxes()
        {
            var shape = new Shape(Shape.Unknown, 8, 3);

            Assert.Equal(3, shape[^1]);
            Assert.Equal(3, shape[-1]);
            Assert.Equal(new Shape(8, 3), shape[1..]);
            Assert.Equal(3, shape.Rank);
        }

        [Fact]
        public void PrintsInKerasNotation()
        {
            Assert.Equal("(None, 8, 3)", new Shape(Shape.Unknown, 8, 3).ToString());
            Assert.Equal("(4,)", new Shape(4).ToString());
            Assert.Equal("()", Shape.Scalar.ToString());
        }

        [Fact]
        public void UnknownDimensionsMatchAnySize()
        {
            Assert.True(new Shape(Shape.Unknown, 3).IsCompatibleWith(new Shape(17, 3)));
            Assert.False(new Shape(Shape.Unknown, 3).IsCompatibleWith(new Shape(17, 4)));
            Assert.False(new Shape(Shape.Unknown, 3).IsFullyDefined);
            Assert.Null(new Shape(Shape.Unknown, 3).ElementCount);
            Assert.Equal(24, new Shape(2, 3, 4).ElementCount);
        }

        [Fact]
        public void RefusesNegativeDimensionsOtherThanUnknown()
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Shape(2, -3));
            Assert.Contains("-3", error.Message);
        }

        [Fact]
        public void AxisOutOfRangeNamesTheShape()
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Shape(2, 3)[5]);
            Assert.Contains("(2, 3)", error.Message);
        }
    }
}
