using Microsoft.ML.Layers.Infrastructure;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Adds zeros around a volume along its three spatial axes (Keras's <c>ZeroPadding3D</c>).
    /// </summary>
    /// <remarks>
    /// No weights. Input <c>(batch, dim1, dim2, dim3, channels)</c> (<c>channels_last</c>) or
    /// <c>(batch, channels, dim1, dim2, dim3)</c>; each spatial axis grows by <c>before + after</c> zeros. The config holds
    /// <c>[[b1, a1], [b2, a2], [b3, a3]]</c>. Masks are dropped, as in Keras.
    /// <code>
    /// Tensor y = new ZeroPadding3D(2).Apply(torch.ones(1, 1, 2, 2, 3));   // (1, 5, 6, 6, 3)
    /// </code>
    /// </remarks>
    [RegisterLayer("ZeroPadding3D")]
    public sealed class ZeroPadding3D : BaseZeroPadding
    {
        /// <summary>Creates the layer with symmetric padding.</summary>
        /// <param name="padding">One integer for every side, or <c>(dim1, dim2, dim3)</c> zeros added at both ends of each axis;
        /// non-negative; 1 on every side when null (Keras's default <c>((1, 1), (1, 1), (1, 1))</c>).</param>
        /// <param name="dataFormat">Where the channels are (<see cref="Layers.DataFormat"/>); last by default.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype floating inputs are cast to; the global policy by default.</param>
        /// <exception cref="System.ArgumentException">A wrong number of values, a negative one, or an unknown data format.</exception>
        public ZeroPadding3D(IntTuple? padding = null, DataFormat dataFormat = DataFormat.ChannelsLast, string? name = null,
            bool trainable = true, ScalarType? dtype = null)
            : base(SpatialPairs.FromSymmetric(padding ?? 1, 3, "padding"), dataFormat, name, trainable, dtype)
        {
        }

        /// <summary>Creates the layer with one <c>(before, after)</c> pair per spatial axis.</summary>
        /// <param name="padding">The zeros added at both ends of each of the three spatial axes; non-negative.</param>
        /// <param name="dataFormat">Where the channels are (<see cref="Layers.DataFormat"/>); last by default.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype floating inputs are cast to; the global policy by default.</param>
        /// <exception cref="System.ArgumentOutOfRangeException">An amount is negative.</exception>
        public ZeroPadding3D(((int Before, int After) Dim1, (int Before, int After) Dim2, (int Before, int After) Dim3) padding,
            DataFormat dataFormat = DataFormat.ChannelsLast, string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(SpatialPairs.Check(new[] { padding.Dim1, padding.Dim2, padding.Dim3 }, "padding"), dataFormat, name, trainable, dtype)
        {
        }

        /// <summary>Reads a config: <c>padding</c> as Keras writes it (<c>[[b1, a1], [b2, a2], [b3, a3]]</c>), or an integer or one per
        /// axis.</summary>
        public static ZeroPadding3D FromConfig(LayerConfig config)
            => SpatialPairs.FromConfig(config, "padding", 3, 1,
                (amounts, dataFormat, name, trainable) => new ZeroPadding3D((amounts[0], amounts[1], amounts[2]), dataFormat, name,
                    trainable));
    }
}
