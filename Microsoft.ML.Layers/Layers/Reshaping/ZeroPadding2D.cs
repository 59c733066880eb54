using System;
using System.Linq;
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
    public sealed class ZeroPadding2D : Layer
    {
        /// <summary>Creates the layer with symmetric padding.</summary>
        /// <param name="padding">One integer for every side, or <c>(rows, cols)</c> added at both ends of each axis;
        /// non-negative; <c>(1, 1)</c> when null (Keras's default).</param>
        /// <param name="dataFormat"><c>"channels_last"</c> (the default for null) or <c>"channels_first"</c>.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype floating inputs are cast to; the global policy by default.</param>
        /// <exception cref="ArgumentException">A wrong number of values, a negative one, or an unknown data format.</exception>
        public ZeroPadding2D(IntTuple? padding = null, string? dataFormat = null, string? name = null, bool trainable = true, ScalarType? dtype = null)
            : this(SpatialPairs.FromSymmetric(padding ?? 1, 2, "padding"), dataFormat, name, trainable, dtype)
        {
        }

        /// <summary>Creates the layer with <c>((top, bottom), (left, right))</c> padding.</summary>
        /// <param name="padding">The rows added at the top and bottom, and the columns added at the left and right; non-negative.</param>
        /// <param name="dataFormat"><c>"channels_last"</c> (the default for null) or <c>"channels_first"</c>.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype floating inputs are cast to; the global policy by default.</param>
        public ZeroPadding2D(((int Top, int Bottom) Height, (int Left, int Right) Width) padding, string? dataFormat = null,
            string? name = null, bool trainable = true, ScalarType? dtype = null)
            : this(SpatialPairs.Check(new[] { padding.Height, padding.Width }, "padding"), dataFormat, name, trainable, dtype)
        {
        }

        private ZeroPadding2D((int Before, int After)[] padding, string? dataFormat, string? name, bool trainable, ScalarType? dtype)
            : base(name, trainable, dtype)
        {
            Padding = padding;
            DataFormat = Arguments.DataFormat(dataFormat);
            InputSpec = new InputSpec { NDim = 4 };
        }

        /// <summary>The (before, after) amounts for rows and for columns.</summary>
        public (int Before, int After)[] Padding { get; }

        /// <summary><c>"channels_last"</c> or <c>"channels_first"</c>.</summary>
        public string DataFormat { get; }

        private int FirstSpatialAxis => DataFormat == "channels_first" ? 2 : 1;

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            // libtorch's pad lists the last axis first: (left, right, top, bottom), then zeros for channels_last's channel axis.
            var spatial = ChannelLayout.PadArgument(new[] { ((long)Padding[0].Before, (long)Padding[0].After), (Padding[1].Before, Padding[1].After) });
            var pad = DataFormat == "channels_first" ? spatial : new long[] { 0, 0 }.Concat(spatial).ToArray();
            return nn.functional.pad(inputs, pad);
        }

        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape)
        {
            ArgumentNullException.ThrowIfNull(inputShape);
            var result = inputShape;
            for (int i = 0; i < 2; i++)
            {
                int axis = FirstSpatialAxis + i;
                if (inputShape[axis] != Shape.Unknown)
                    result = result.With(axis, inputShape[axis] + Padding[i].Before + Padding[i].After);
            }
            return result;
        }

        /// <inheritdoc />
        public override LayerConfig GetConfig() => base.GetConfig()
            .With("padding", SpatialPairs.ToConfig(Padding))
            .With("data_format", DataFormat);

        /// <summary>Reads a config: <c>padding</c> as Keras writes it (<c>[[top, bottom], [left, right]]</c>), or an integer or one per axis.</summary>
        public static ZeroPadding2D FromConfig(LayerConfig config)
        {
            ArgumentNullException.ThrowIfNull(config);
            SpatialPairs.RequireKnownKeys(config, "padding", "data_format");
            var padding = config.Contains("padding") ? SpatialPairs.Read(config.Values["padding"], 2, "padding") : new[] { (1, 1), (1, 1) };
            var layer = new ZeroPadding2D(padding, config.Get<string?>("data_format", null), config.Name, config.Trainable, null);
            layer.ApplyBaseConfig(config, SpatialPairs.BoundBaseKeys);
            return layer;
        }
    }
}
