using System;
using Microsoft.ML.Layers.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Repeats each sample vector <c>n</c> times (Keras's <c>RepeatVector</c>): <c>(batch, features)</c> becomes
    /// <c>(batch, n, features)</c>.
    /// </summary>
    /// <remarks>
    /// No weights. Input of rank 2. Masks are dropped, as in Keras.
    /// <code>
    /// Tensor y = new RepeatVector(3).Apply(torch.randn(8, 32));   // (8, 3, 32)
    /// </code>
    /// </remarks>
    [RegisterLayer("RepeatVector")]
    public sealed class RepeatVector : Layer, IOnnxExportable
    {
        /// <summary>Creates the layer.</summary>
        /// <param name="n">The number of repetitions; non-negative.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype floating inputs are cast to; the global policy by default.</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is negative.</exception>
        public RepeatVector(int n, string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(name, trainable, dtype)
        {
            N = Arguments.NonNegative(n, "n");
            InputSpec = new InputSpec { NDim = 2 };
        }

        /// <summary>The number of repetitions.</summary>
        public int N { get; }

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
            => inputs.unsqueeze(1).repeat_interleave(N, dim: 1);

        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape)
        {
            ArgumentNullException.ThrowIfNull(inputShape);
            return new Shape(inputShape[0], N, inputShape[1]);
        }

        /// <summary>ONNX: <c>Unsqueeze</c> at axis 1, then <c>Tile</c> with <c>(1, n, 1)</c>.</summary>
        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input)
            => context.Node("Tile", context.Unsqueeze(input.Name, 1), context.Int64s(1, N, 1));

        /// <inheritdoc />
        public override LayerConfig GetConfig() => base.GetConfig().With("n", N);
    }
}
