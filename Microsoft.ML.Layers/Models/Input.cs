using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>The functional API's entry point (Keras's <c>keras.Input</c>).</summary>
    public static class Input
    {
        /// <summary>
        /// Creates a symbolic input: call layers on it to build a graph, then make a <see cref="Model"/> from inputs and outputs.
        /// </summary>
        /// <param name="shape">The shape of one sample, without the batch dimension: <c>Input.Create(20)</c>,
        /// <c>Input.Create(new[] { 8, 8, 1 })</c>.</param>
        /// <param name="dtype">The input's dtype; float32 by default (int64 for token ids feeding an Embedding).</param>
        /// <param name="name">The input's name (its InputLayer's name); unique by default.</param>
        /// <param name="batchSize">A fixed batch size, or null for any.</param>
        public static Tensor Create(Shape shape, ScalarType? dtype = null, string? name = null, int? batchSize = null)
            => new InputLayer(shape, batchSize, dtype, name: name).Output;
    }
}
