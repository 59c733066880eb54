using System;
using System.Linq;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Components
{
    /// <summary>Reading tensors into doubles and comparing them with expectations computed in the tests.</summary>
    internal static class ComponentTestHelpers
    {
        /// <summary>Makes TorchSharp loadable before a test's first native call (the tests call TorchSharp directly).</summary>
        public static void EnsureNative() => NativeBackend.EnsureLoaded();

        /// <summary>The elements of <paramref name="tensor"/> in row-major order, as doubles.</summary>
        public static double[] Values(Tensor tensor)
        {
            using var wide = tensor.detach().to(ScalarType.Float64).contiguous();
            return wide.data<double>().ToArray();
        }

        /// <summary>A float32 tensor of <paramref name="shape"/> holding <paramref name="values"/>.</summary>
        public static Tensor Floats(double[] values, params long[] shape)
            => tensor(values.Select(v => (float)v).ToArray(), shape);

        /// <summary>Whether two tensors have the same shape, dtype and element values.</summary>
        public static bool SameValues(Tensor a, Tensor b)
            => a.dtype == b.dtype && a.shape.SequenceEqual(b.shape) && Values(a).SequenceEqual(Values(b));

        /// <summary>Mean and (population) standard deviation, computed in double.</summary>
        public static (double Mean, double Std) Moments(double[] values)
        {
            double mean = values.Average();
            double variance = values.Sum(v => (v - mean) * (v - mean)) / values.Length;
            return (mean, Math.Sqrt(variance));
        }
    }
}
