using Microsoft.ML.Layers.Infrastructure;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Crops an image along height and width (Keras's <c>Cropping2D</c>): removes <c>top</c>/<c>bottom</c> rows and
    /// <c>left</c>/<c>right</c> columns.
    /// </summary>
    /// <remarks>
    /// No weights. Input <c>(batch, rows, cols, channels)</c> (<c>channels_last</c>) or <c>(batch, channels, rows, cols)</c>;
    /// output with <c>rows - top - bottom</c> rows and <c>cols - left - right</c> columns, each at least 1. The config holds
    /// <c>[[top, bottom], [left, right]]</c>. Masks are dropped, as in Keras.
    /// <code>
    /// Tensor y = new Cropping2D(((2, 2), (4, 4))).Apply(torch.randn(2, 28, 28, 3));   // (2, 24, 20, 3)
    /// </code>
    /// </remarks>
    [RegisterLayer("Cropping2D")]
    public sealed class Cropping2D : BaseCropping
    {
        /// <summary>Creates the layer with symmetric cropping.</summary>
        /// <param name="cropping">One integer for every side, or <c>(rows, cols)</c> removed at both ends of each axis;
        /// non-negative; none when null (Keras's default <c>((0, 0), (0, 0))</c>).</param>
        /// <param name="dataFormat">Where the channels are (<see cref="Layers.DataFormat"/>); last by default.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype floating inputs are cast to; the global policy by default.</param>
        /// <exception cref="System.ArgumentException">A wrong number of values, a negative one, or an unknown data format.</exception>
        public Cropping2D(IntTuple? cropping = null, DataFormat dataFormat = DataFormat.ChannelsLast, string? name = null,
            bool trainable = true, ScalarType? dtype = null)
            : this(SpatialPairs.FromSymmetric(cropping ?? 0, 2, "cropping"), dataFormat, name, trainable, dtype)
        {
        }

        /// <summary>Creates the layer with <c>((top, bottom), (left, right))</c> cropping.</summary>
        /// <param name="cropping">The rows removed at the top and bottom, and the columns removed at the left and right;
        /// non-negative.</param>
        /// <param name="dataFormat">Where the channels are (<see cref="Layers.DataFormat"/>); last by default.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype floating inputs are cast to; the global policy by default.</param>
        public Cropping2D(((int Top, int Bottom) Height, (int Left, int Right) Width) cropping,
            DataFormat dataFormat = DataFormat.ChannelsLast,
            string? name = null, bool trainable = true, ScalarType? dtype = null)
            : this(SpatialPairs.Check(new[] { cropping.Height, cropping.Width }, "cropping"), dataFormat, name, trainable, dtype)
        {
        }

        private Cropping2D((int Before, int After)[] cropping, DataFormat dataFormat, string? name, bool trainable, ScalarType? dtype)
            : base(cropping, dataFormat, name, trainable, dtype)
        {
        }

        /// <summary>Reads a config: <c>cropping</c> as Keras writes it (<c>[[top, bottom], [left, right]]</c>), or an integer or one per
        /// axis.</summary>
        public static Cropping2D FromConfig(LayerConfig config)
            => SpatialPairs.FromConfig(config, "cropping", 2, 0,
                (amounts, dataFormat, name, trainable) => new Cropping2D(amounts, dataFormat, name, trainable, null));
    }
}
