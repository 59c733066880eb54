using System;
using Microsoft.ML.Layers.Constraints;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Regularizers;
using Xunit;

namespace Microsoft.ML.Layers.Tests.Components
{
    /// <summary>Constructor validation: the exception type, and a message naming the argument and the value received.</summary>
    public sealed class ComponentArgumentTests
    {
        public static TheoryData<Func<object>, Type, string> BadArguments => new()
        {
            { () => new RandomNormalInitializer(stddev: -1), typeof(ArgumentOutOfRangeException), "Received: stddev=-1." },
            { () => new RandomNormalInitializer(mean: double.NaN), typeof(ArgumentOutOfRangeException), "Received: mean=nan." },
            { () => new TruncatedNormalInitializer(stddev: -0.5), typeof(ArgumentOutOfRangeException), "Received: stddev=-0.5." },
            { () => new RandomUniformInitializer(minVal: 1, maxVal: 0), typeof(ArgumentOutOfRangeException), "Received: maxval=0." },
            { () => new RandomUniformInitializer(maxVal: double.PositiveInfinity), typeof(ArgumentOutOfRangeException), "Received: maxval=inf." },
            { () => new VarianceScalingInitializer(scale: 0), typeof(ArgumentOutOfRangeException), "Received: scale=0." },
            { () => new VarianceScalingInitializer(scale: -2), typeof(ArgumentOutOfRangeException), "Received: scale=-2." },
            { () => new VarianceScalingInitializer(mode: (VarianceScalingMode)7), typeof(ArgumentOutOfRangeException), "Received: mode=7." },
            { () => new VarianceScalingInitializer(distribution: (VarianceScalingDistribution)9), typeof(ArgumentOutOfRangeException), "Received: distribution=9." },
            { () => new OrthogonalInitializer(gain: double.NaN), typeof(ArgumentOutOfRangeException), "Received: gain=nan." },
            { () => new IdentityInitializer(gain: double.NegativeInfinity), typeof(ArgumentOutOfRangeException), "Received: gain=-inf." },
            { () => new L1Regularizer(-0.01), typeof(ArgumentOutOfRangeException), "Received: l1=-0.01." },
            { () => new L2Regularizer(double.NaN), typeof(ArgumentOutOfRangeException), "Received: l2=nan." },
            { () => new L1L2Regularizer(l1: -1), typeof(ArgumentOutOfRangeException), "Received: l1=-1." },
            { () => new L1L2Regularizer(l2: -3), typeof(ArgumentOutOfRangeException), "Received: l2=-3." },
            { () => new MaxNormConstraint(maxValue: -1), typeof(ArgumentOutOfRangeException), "Received: max_value=-1." },
            { () => new MaxNormConstraint(2.0, Array.Empty<int>()), typeof(ArgumentException), "Received: axis=[]." },
            { () => new UnitNormConstraint(new[] { 0, 0 }), typeof(ArgumentException), "Received: axis=[0, 0]." },
            { () => new MinMaxNormConstraint(minValue: -0.5), typeof(ArgumentOutOfRangeException), "Received: min_value=-0.5." },
            { () => new MinMaxNormConstraint(minValue: 2, maxValue: 1), typeof(ArgumentOutOfRangeException), "Received: max_value=1." },
            { () => new MinMaxNormConstraint(rate: 1.5), typeof(ArgumentOutOfRangeException), "Received: rate=1.5." },
        };

        [Theory]
        [MemberData(nameof(BadArguments))]
        public void BadConstructorArgumentIsRejectedWithTheReceivedValue(Func<object> create, Type exceptionType, string received)
        {
            var e = Assert.ThrowsAny<ArgumentException>(() => create());
            Assert.IsType(exceptionType, e);
            Assert.Contains(received, e.Message);
        }
    }
}
