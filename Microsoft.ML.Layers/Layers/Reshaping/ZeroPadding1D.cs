using System;
using Microsoft.ML.Layers.Infrastructure;
using Microsoft.ML.Layers.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Adds zeros at the start and end of a sequence's time axis (Keras's <c>ZeroPadding1D</c>).
    /// </summary>
    /// <remarks>
    /// No weights. Input <c>(batch, steps, features)</c> (<c>channels_last</c>) or <c>(batch, features, steps)</c>
    /// (<c>channels_first</c>); output with <c>left + steps + right</c> steps. Masks are dropped, as in Keras.
    /// <code>
    /// Tensor y = new ZeroPadding1D(2).Apply(torch.ones(2, 2, 3));   // (2, 6, 3): two zero steps at each end
    /// </code>
    /// </remarks>
    [RegisterLayer("ZeroPadding1D")]
    public sealed class ZeroPadding1D : Layer, IOnnxExportable
    {
        /// <summary>Creates the layer.</summary>
        /// <param name="padding">One integer for both ends, or <c>(left, right)</c>; non-negative; 1 when null (Keras's default).</param>
        /// <param name="dataFormat">Where the channels are (<see cref="Layers.DataFormat"/>); last by default.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype floating inputs are cast to; the global policy by default.</param>
        /// <exception cref="ArgumentException"><paramref name="padding"/> has neither 1 nor 2 values, or a negative one; or an unknown data
        /// format.</exception>
        public ZeroPadding1D(IntTuple? padding = null, DataFormat dataFormat = DataFormat.ChannelsLast, string? name = null,
            bool trainable = true, ScalarType? dtype = null)
            : base(name, trainable, dtype)
        {
            var amounts = (padding ?? 1).Expand(2, "padding");
            Padding = SpatialPairs.Check(new[] { (amounts[0], amounts[1]) }, "padding")[0];
            DataFormat = Arguments.DataFormat(dataFormat);
            InputSpec = new InputSpec { NDim = 3 };
        }

        /// <summary>The zeros added at the start and at the end.</summary>
        public (int Left, int Right) Padding { get; }

        /// <summary>Where the channels are (<see cref="Layers.DataFormat"/>).</summary>
        public DataFormat DataFormat { get; }

        private int StepAxis => DataFormat == DataFormat.ChannelsFirst ? 2 : 1;

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            // libtorch's pad lists the last axis first.
            var pad = StepAxis == 2 ? new long[] { Padding.Left, Padding.Right } : new long[] { 0, 0, Padding.Left, Padding.Right };
            return nn.functional.pad(inputs, pad);
        }

        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input)
            => BaseZeroPadding.OnnxPad(context, input.Name, new[] { Padding }, DataFormat);

        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape)
        {
            ArgumentNullException.ThrowIfNull(inputShape);
            long steps = inputShape[StepAxis];
            return inputShape.With(StepAxis, steps == Shape.Unknown ? Shape.Unknown : steps + Padding.Left + Padding.Right);
        }

        /// <inheritdoc />
        public override LayerConfig GetConfig() => base.GetConfig()
            .With("padding", new[] { Padding.Left, Padding.Right })
            .With("data_format", DataFormat);
    }
}
