using System;
using System.Globalization;
using TorchSharp;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Checks made before the native calls that cannot report an error: a libtorch error there ends the process
    /// (<c>terminate called after throwing an instance of 'c10::Error'</c>) or crashes it, so no exception reaches the caller.
    /// </summary>
    /// <remarks>
    /// <para>The audit: the entry points of <c>src/Native/LibTorchSharp/*.cpp</c> (dotnet/TorchSharp after v0.106.0, the
    /// sources of 0.107) without the usual <c>CATCH</c>/<c>CATCH_TENSOR</c> wrapper, and the managed paths seen to crash on
    /// a bad shape; then every such call the library makes, and what guards it:</para>
    /// <list type="bullet">
    /// <item><c>THSTensor_matmul</c> (no <c>CATCH</c>; its neighbour <c>THSTensor_mm</c> has one): a size mismatch aborts.
    /// <c>Dense.Call</c>: <c>Dense</c>'s <see cref="InputSpec"/> fixes the last axis at build. <c>RecurrentLayer</c>'s cell
    /// (<c>h.matmul(kernel)</c>, <c>sequence.matmul(kernel)</c>): the sequence is checked against
    /// <c>RecurrentLayer.SequenceSpec</c> (rank and feature axis) and initial states against the state shape before the time
    /// loop. A user layer's <c>inputs.matmul(weight)</c>: <see cref="Layer.Apply(torch.Tensor, bool?, torch.Tensor?)"/>
    /// checks the spec derived from the build shape (<c>Layer.DerivesInputSpecFromBuildShape</c>) before <c>Call</c>.</item>
    /// <item><c>torch.rand</c>/<c>torch.randn</c>/<c>torch.empty</c> of a shape whose element count overflows a 64-bit
    /// integer: <c>rand</c> segfaults (in <c>THSTensor_numel</c>), <c>empty</c>/<c>zeros</c> throw; a shape that does not
    /// overflow but is huge allocates it (gigabytes from a 1 KB config). Every shape that comes from a config, a file or an
    /// argument goes through <see cref="CheckAllocation"/> first: <c>Layer.AddWeight</c>, every built-in initializer
    /// (<c>Sampling.Dimensions</c>), the symbolic input's probe (<c>KerasTensor.CreateInput</c>), the shape-inference probes
    /// (<c>Layer.ComputeOutputShape</c>) and a subclassed model's build probe (<c>Model.Build</c>).</item>
    /// <item><c>THSTorch_set_num_threads</c> (no <c>CATCH</c>): 0 or a negative count aborts. The only call,
    /// <c>NeuralNetworkTrainer.Fit</c>, is preceded by <c>NeuralNetworkOptions</c>'s check (1 to
    /// <c>NeuralNetworkOptions.MaxNumberOfThreads</c>), made in the trainer's constructor and again at <c>Fit</c>.</item>
    /// <item><c>THSGenerator_*</c>, <c>THSTorch_manual_seed</c> (no <c>CATCH</c>): they take any seed and cannot fail.</item>
    /// <item>Allocations sized by the data rather than by a config (a batch, <c>RandomNoise</c>'s mask of the input's shape,
    /// attention's causal mask, the class-weight table of <c>Model.Steps</c> sized by the largest label) go through entry
    /// points that have <c>CATCH</c>; too large, they throw an out-of-memory error like any allocation.
    /// Sizes a config multiplies at call time (<c>RepeatVector</c>'s <c>n</c>, <c>UpSampling</c>'s <c>size</c>,
    /// <c>ZeroPadding</c>'s padding) reach <c>repeat_interleave</c>, <c>interpolate</c> and <c>pad</c>, which have
    /// <c>CATCH</c>. Everything else the library calls (the other tensor maths and factories, the <c>THSNN_*</c>
    /// functionals) has <c>CATCH</c> in those sources. Without it but harmless here: the module, autograd and storage
    /// getters and flags, scalar conversions, and the native optimizers' constructors (which abort on a negative learning
    /// rate), which the library never calls: its optimizers are written in C# (<c>Training/Optimizers</c>).
    /// <c>Serialization/SafeTensors</c> allocates a stored tensor with <c>torch.empty</c> (which throws on overflow); its byte
    /// limits belong to the loader's limits.</item>
    /// </list>
    /// </remarks>
    internal static class NativeGuards
    {
        /// <summary>The number of elements of <paramref name="dimensions"/>, or -1 when the product overflows a 64-bit integer
        /// or a dimension is negative.</summary>
        internal static long ElementCount(ReadOnlySpan<long> dimensions)
        {
            long count = 1;
            foreach (long d in dimensions)
            {
                if (d < 0)
                    return -1;
                try
                {
                    count = checked(count * d);
                }
                catch (OverflowException)
                {
                    // A zero later in the shape still makes an empty tensor, but libtorch computes the product as it goes.
                    return -1;
                }
            }
            return count;
        }

        /// <summary>The size in bytes of one element of <paramref name="dtype"/>.</summary>
        internal static int ElementSize(torch.ScalarType dtype) => dtype switch
        {
            torch.ScalarType.Bool or torch.ScalarType.Byte or torch.ScalarType.Int8 => 1,
            torch.ScalarType.Int16 or torch.ScalarType.Float16 or torch.ScalarType.BFloat16 => 2,
            torch.ScalarType.Int32 or torch.ScalarType.Float32 => 4,
            torch.ScalarType.ComplexFloat64 => 16,
            _ => 8,
        };

        /// <summary>
        /// Checks that a tensor of <paramref name="dimensions"/> and <paramref name="dtype"/> can be allocated: its element
        /// count does not overflow and its size is at most <see cref="Layer.MaxAllocationBytes"/>.
        /// </summary>
        /// <param name="dimensions">The tensor's dimensions.</param>
        /// <param name="dtype">Its dtype.</param>
        /// <param name="what">What the tensor is, for the message (<c>"weight 'kernel' of layer 'dense' (Dense)"</c>).</param>
        /// <returns>The tensor's size in bytes.</returns>
        /// <exception cref="ArgumentException">The tensor is too large; the message names it, its shape and its size.</exception>
        internal static long CheckAllocation(ReadOnlySpan<long> dimensions, torch.ScalarType dtype, string what)
        {
            long limit = Layer.MaxAllocationBytes;
            string shape = "(" + string.Join(", ", dimensions.ToArray()) + ")";
            long elements = ElementCount(dimensions);
            if (elements < 0)
            {
                throw new ArgumentException($"The {what} has shape {shape}, whose element count overflows a 64-bit integer: no tensor " +
                    $"can hold it. A config or file asking for it is corrupt or hostile.");
            }
            long bytes;
            try
            {
                bytes = checked(elements * ElementSize(dtype));
            }
            catch (OverflowException)
            {
                bytes = long.MaxValue;
            }
            if (bytes > limit)
            {
                throw new ArgumentException($"The {what} has shape {shape} of {DTypeName(dtype)}: {Describe(bytes)}, " +
                    $"over the limit of {Describe(limit)} (Layer.MaxAllocationBytes). A config or file asking for it is most likely " +
                    $"corrupt; if the model is really this large, raise Layer.MaxAllocationBytes.");
            }
            return bytes;
        }

        /// <summary><see cref="CheckAllocation"/>, returning <paramref name="dimensions"/> for use in an expression.</summary>
        internal static long[] Checked(long[] dimensions, torch.ScalarType dtype, string what)
        {
            CheckAllocation(dimensions, dtype, what);
            return dimensions;
        }

        private static string DTypeName(torch.ScalarType dtype)
        {
            try
            {
                return DTypes.ToKerasName(dtype);
            }
            catch (ArgumentOutOfRangeException)
            {
                return dtype.ToString();
            }
        }

        internal static string Describe(long bytes)
            => bytes == long.MaxValue ? "more than 8 EiB"
               : string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes ({bytes / (double)(1L << 30):0.##} GiB)");
    }
}
