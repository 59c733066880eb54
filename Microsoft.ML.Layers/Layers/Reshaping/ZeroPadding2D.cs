using Microsoft.ML.Layers.Infrastructure;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Adds rows and columns of zeros around an image (Keras's <c>ZeroPadding2D</c>).
    /// </summary>
    /// <remarks>
    /// No weights. Input <c>(batch, rows, cols, channels)</c> (<c>channels_last</c>) or <c>(batch, channels, rows, cols)</c>;
    /// output with <c>top + rows + bottom</c> rows and <c>left + cols + right</c> columns. The config holds
    /// <c>[[top, bottom], [left, right]]</c>. Masks are dropped, as in Keras.
    /// <code>
    /// Tensor y = new ZeroPadding2D(1).Apply(torch.ones(1, 2, 2, 3));   // (1, 4, 4, 3)
    /// </code>
    /// </remarks>
    [RegisterLayer("ZeroPadding2D")]
    public sealed class ZeroPadding2D : BaseZeroPadding
    {
        /// <summary>Creates the layer with symmetric padding.</summary>
        /// <param name="padding">One integer for every side, or <c>(rows, cols)</c> added at both ends of each axis;
        /// non-negative; <c>(1, 1)</c> when null (Keras's default).</param>
        /// <param name="dataFormat">Where the channels are (<see cref="Layers.DataFormat"/>); last by default.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype floating inputs are cast to; the global policy by default.</param>
        /// <exception cref="System.ArgumentException">A wrong number of values, a negative one, or an unknown data format.</exception>
        public ZeroPadding2D(IntTuple? padding = null, DataFormat dataFormat = DataFormat.ChannelsLast, string? name = null,
            bool trainable = true, ScalarType? dtype = null)
            : this(SpatialPairs.FromSymmetric(padding ?? 1, 2, "padding"), dataFormat, name, trainable, dtype)
        {
        }

        /// <summary>Creates the layer with <c>((top, bottom), (left, right))</c> padding.</summary>
        /// <param name="padding">The rows added at the top and bottom, and the columns added at the left and right; non-negative.</param>
        /// <param name="dataFormat">Where the channels are (<see cref="Layers.DataFormat"/>); last by default.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype floating inputs are cast to; the global policy by default.</param>
        public ZeroPadding2D(((int Top, int Bottom) Height, (int Left, int Right) Width) padding,
            DataFormat dataFormat = DataFormat.ChannelsLast,
            string? name = null, bool trainable = true, ScalarType? dtype = null)
            : this(SpatialPairs.Check(new[] { padding.Height, padding.Width }, "padding"), dataFormat, name, trainable, dtype)
        {
        }

        private ZeroPadding2D((int Before, int After)[] padding, DataFormat dataFormat, string? name, bool trainable, ScalarType? dtype)
            : base(padding, dataFormat, name, trainable, dtype)
        {
        }

        /// <summary>Reads a config: <c>padding</c> as Keras writes it (<c>[[top, bottom], [left, right]]</c>), or an integer or one per
        /// axis.</summary>
        public static ZeroPadding2D FromConfig(LayerConfig config)
            => SpatialPairs.FromConfig(config, "padding", 2, 1,
                (amounts, dataFormat, name, trainable) => new ZeroPadding2D(amounts, dataFormat, name, trainable, null));
    }
}
