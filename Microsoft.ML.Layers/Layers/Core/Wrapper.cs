using System;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// The base of the layers that wrap another layer and change how it runs (Keras's <c>Wrapper</c>):
    /// <see cref="TimeDistributed"/>, <see cref="Bidirectional"/>, <see cref="SpectralNormalization"/>, or a wrapper of your own.
    /// </summary>
    /// <remarks>
    /// <para>The wrapped layer is <see cref="Layer"/>: it is tracked as a nested layer, so its weights are the wrapper's weights
    /// (after the wrapper's own), it trains, saves and loads with the wrapper. By default the wrapper builds it for the wrapper's
    /// input shape and reports its output shape. The config holds the wrapped layer's config under <c>"layer"</c>, as Keras's
    /// does, and a config is read back through a constructor whose first parameter is <c>layer</c>.</para>
    /// <code>
    /// public sealed class Twice : Wrapper
    /// {
    ///     public Twice(Layer layer, string? name = null) : base(layer, name) { }
    ///     protected override Tensor Call(Tensor x, bool? training = null, Tensor? mask = null)
    ///         => Layer.Apply(Layer.Apply(x, training), training);
    /// }
    /// </code>
    /// </remarks>
    public abstract class Wrapper : Layer
    {
        /// <summary>Wraps <paramref name="layer"/>.</summary>
        /// <param name="layer">The layer to wrap.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Whether the weights are trained.</param>
        /// <param name="dtype">The wrapper's dtype; the wrapped layer keeps its own.</param>
        /// <exception cref="ArgumentNullException"><paramref name="layer"/> is null.</exception>
        protected Wrapper(Layer layer, string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(name, trainable, dtype)
        {
            Layer = layer ?? throw new ArgumentNullException(nameof(layer),
                $"Layer {GetType().Name} needs a layer to wrap (Keras's `layer`). Received: layer=None");
        }

        /// <summary>The wrapped layer (Keras's <c>layer</c>).</summary>
        public Layer Layer { get; }

        /// <summary>Builds the wrapped layer for the same input shape (Keras's <c>Wrapper.build</c>).</summary>
        protected override void Build(Shape inputShape) => Layer.EnsureBuilt(inputShape);

        /// <summary>The wrapped layer's output shape.</summary>
        public override Shape ComputeOutputShape(Shape inputShape) => Layer.ComputeOutputShape(inputShape);

        /// <summary>The base config followed by <c>"layer"</c>, the wrapped layer's config.</summary>
        public override LayerConfig GetConfig() => GetLayerBaseConfig().With("layer", Layer);

        /// <summary>The config every layer writes (name, trainable, dtype, ...), without <c>"layer"</c>: for a wrapper that writes its
        /// keys in another order.</summary>
        private protected LayerConfig GetLayerBaseConfig() => base.GetConfig();
    }
}
