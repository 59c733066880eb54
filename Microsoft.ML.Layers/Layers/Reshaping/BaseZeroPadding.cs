using System;
using System.Linq;
using Microsoft.ML.Layers.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Infrastructure
{
    /// <summary>
    /// The base of <see cref="ZeroPadding2D"/> and <see cref="ZeroPadding3D"/>: adds <c>before</c> and <c>after</c> zeros at
    /// the ends of each spatial axis, in either data format.
    /// </summary>
    /// <remarks>
    /// No weights. The config holds one <c>[before, after]</c> pair per spatial axis and the data format, as Keras writes
    /// them. Masks are dropped, as in Keras.
    /// </remarks>
    public abstract class BaseZeroPadding : BaseSpatialEdges, IOnnxExportable
    {
        private protected BaseZeroPadding((int Before, int After)[] padding, DataFormat dataFormat, string? name, bool trainable,
            ScalarType? dtype)
            : base(padding, "padding", dataFormat, name, trainable, dtype)
        {
        }

        /// <summary>The (before, after) amounts, one pair per spatial axis.</summary>
        public (int Before, int After)[] Padding => Amounts;

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            // libtorch's pad lists the last axis first: the spatial axes reversed, then zeros for channels_last's channel axis.
            var spatial = ChannelLayout.PadArgument(Padding.Select(p => ((long)p.Before, (long)p.After)).ToArray());
            var pad = DataFormat == DataFormat.ChannelsFirst ? spatial : new long[] { 0, 0 }.Concat(spatial).ToArray();
            return nn.functional.pad(inputs, pad);
        }

        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input)
            => OnnxPad(context, input.Name, Padding, DataFormat);

        /// <summary>ONNX's <c>Pad</c> with zeros of the spatial axes of a rank <c>pairs.Length + 2</c> value.</summary>
        internal static string OnnxPad(OnnxExportContext context, string input, (int Before, int After)[] pairs, DataFormat dataFormat)
        {
            int rank = pairs.Length + 2;
            int first = ChannelLayout.FirstSpatialAxis(dataFormat);
            var pads = new long[2 * rank];
            for (int i = 0; i < pairs.Length; i++)
            {
                pads[first + i] = pairs[i].Before;
                pads[rank + first + i] = pairs[i].After;
            }
            return context.Node("Pad", input, context.Int64s(pads));
        }

        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape)
            => ChannelLayout.MapSpatialAxes(inputShape, DataFormat, Padding.Length,
                (i, size) => size + Padding[i].Before + Padding[i].After);
    }
}
