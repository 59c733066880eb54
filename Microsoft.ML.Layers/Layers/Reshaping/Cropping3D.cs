using Microsoft.ML.Layers.Infrastructure;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Crops a volume along its three spatial axes (Keras's <c>Cropping3D</c>): removes <c>before</c>/<c>after</c> elements
    /// at both ends of depth, height and width.
    /// </summary>
    /// <remarks>
    /// No weights. Input <c>(batch, dim1, dim2, dim3, channels)</c> (<c>channels_last</c>) or
    /// <c>(batch, channels, dim1, dim2, dim3)</c>; each spatial axis loses <c>before + after</c> elements and must keep at
    /// least one. The config holds <c>[[b1, a1], [b2, a2], [b3, a3]]</c>. Masks are dropped, as in Keras.
    /// <code>
    /// Tensor y = new Cropping3D((2, 4, 2)).Apply(torch.randn(2, 28, 28, 10, 3));   // (2, 24, 20, 6, 3)
    /// </code>
    /// </remarks>
    [RegisterLayer("Cropping3D")]
    public sealed class Cropping3D : BaseCropping
    {
        /// <summary>Creates the layer with symmetric cropping.</summary>
        /// <param name="cropping">One integer for every side, or <c>(dim1, dim2, dim3)</c> removed at both ends of each axis;
        /// non-negative; 1 on every side when null (Keras's default <c>((1, 1), (1, 1), (1, 1))</c>).</param>
        /// <param name="dataFormat">Where the channels are (<see cref="Layers.DataFormat"/>); last by default.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype floating inputs are cast to; the global policy by default.</param>
        /// <exception cref="System.ArgumentException">A wrong number of values, a negative one, or an unknown data format.</exception>
        public Cropping3D(IntTuple? cropping = null, DataFormat dataFormat = DataFormat.ChannelsLast, string? name = null,
            bool trainable = true, ScalarType? dtype = null)
            : base(SpatialPairs.FromSymmetric(cropping ?? 1, 3, "cropping"), dataFormat, name, trainable, dtype)
        {
        }

        /// <summary>Creates the layer with one <c>(before, after)</c> pair per spatial axis.</summary>
        /// <param name="cropping">The elements removed at both ends of each of the three spatial axes; non-negative.</param>
        /// <param name="dataFormat">Where the channels are (<see cref="Layers.DataFormat"/>); last by default.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype floating inputs are cast to; the global policy by default.</param>
        /// <exception cref="System.ArgumentOutOfRangeException">An amount is negative.</exception>
        public Cropping3D(((int Before, int After) Dim1, (int Before, int After) Dim2, (int Before, int After) Dim3) cropping,
            DataFormat dataFormat = DataFormat.ChannelsLast, string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(SpatialPairs.Check(new[] { cropping.Dim1, cropping.Dim2, cropping.Dim3 }, "cropping"), dataFormat, name, trainable,
                dtype)
        {
        }

        /// <summary>Reads a config: <c>cropping</c> as Keras writes it (<c>[[b1, a1], [b2, a2], [b3, a3]]</c>), or an integer or one per
        /// axis.</summary>
        public static Cropping3D FromConfig(LayerConfig config)
            => SpatialPairs.FromConfig(config, "cropping", 3, 1,
                (amounts, dataFormat, name, trainable) => new Cropping3D((amounts[0], amounts[1], amounts[2]), dataFormat, name,
                    trainable));
    }
}
