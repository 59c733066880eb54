using System;
using System.Linq;
using Microsoft.ML.Layers.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Infrastructure
{
    /// <summary>
    /// The base of <see cref="Cropping2D"/> and <see cref="Cropping3D"/>: removes <c>before</c> and <c>after</c> elements at
    /// the ends of each spatial axis, in either data format.
    /// </summary>
    /// <remarks>
    /// No weights. Each cropped axis must keep at least one element. The config holds one <c>[before, after]</c> pair per
    /// spatial axis and the data format, as Keras writes them. Masks are dropped, as in Keras.
    /// </remarks>
    public abstract class BaseCropping : BaseSpatialEdges, IOnnxExportable
    {
        private protected BaseCropping((int Before, int After)[] cropping, DataFormat dataFormat, string? name, bool trainable,
            ScalarType? dtype)
            : base(cropping, "cropping", dataFormat, name, trainable, dtype)
        {
        }

        /// <summary>The (before, after) amounts, one pair per spatial axis.</summary>
        public (int Before, int After)[] Cropping => Amounts;

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            var output = ComputeOutputShape(Shape.Of(inputs));
            int first = ChannelLayout.FirstSpatialAxis(DataFormat);
            return Enumerable.Range(0, Cropping.Length)
                .Aggregate(inputs, (x, i) => x.narrow(first + i, Cropping[i].Before, output[first + i]));
        }

        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input)
            => OnnxSlice(context, input.Name, Cropping, ChannelLayout.FirstSpatialAxis(DataFormat));

        /// <summary>ONNX's <c>Slice</c> removing <paramref name="pairs"/> from the axes from <paramref name="firstAxis"/> on
        /// (an end counted from the back, so the input's sizes need not be known).</summary>
        internal static string OnnxSlice(OnnxExportContext context, string input, (int Before, int After)[] pairs, int firstAxis)
        {
            var starts = pairs.Select(p => (long)p.Before).ToArray();
            var ends = pairs.Select(p => p.After == 0 ? long.MaxValue : -p.After).ToArray();
            var axes = Enumerable.Range(firstAxis, pairs.Length).Select(a => (long)a).ToArray();
            return context.Node("Slice", input, context.Int64s(starts), context.Int64s(ends), context.Int64s(axes));
        }

        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape)
        {
            ArgumentNullException.ThrowIfNull(inputShape);
            return ChannelLayout.MapSpatialAxes(inputShape, DataFormat, Cropping.Length, (i, size) =>
            {
                long cropped = size - Cropping[i].Before - Cropping[i].After;
                return cropped > 0 ? cropped : throw new ArgumentException(
                    $"Layer '{Name}': values in `cropping` argument should be smaller than the corresponding spatial dimension of the " +
                    $"input. Received: input_shape={inputShape}, cropping={SpatialPairs.Format(Cropping)}");
            });
        }
    }
}
