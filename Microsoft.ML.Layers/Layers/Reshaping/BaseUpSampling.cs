using System;
using System.Linq;
using Microsoft.ML.Layers.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Infrastructure
{
    /// <summary>
    /// The base of <see cref="UpSampling2D"/> and <see cref="UpSampling3D"/>: repeats every element <c>size[i]</c> times
    /// along spatial axis <c>i</c> (Keras's <c>ops.repeat</c>, nearest-neighbour upsampling), in either data format.
    /// </summary>
    /// <remarks>
    /// No weights. The config holds <c>size</c> (one factor per spatial axis) and the data format, as Keras writes them.
    /// Masks are dropped, as in Keras.
    /// </remarks>
    public abstract class BaseUpSampling : Layer, IOnnxExportable
    {
        private protected BaseUpSampling(IntTuple size, int spatialAxes, DataFormat dataFormat, string? name, bool trainable,
            ScalarType? dtype)
            : base(name, trainable, dtype)
        {
            Factors = Arguments.PositiveTuple(size, spatialAxes, "size");
            DataFormat = Arguments.DataFormat(dataFormat);
            InputSpec = new InputSpec { NDim = spatialAxes + 2 };
        }

        /// <summary>The factor of each spatial axis.</summary>
        private protected int[] Factors { get; }

        /// <summary>Where the channels are (<see cref="Layers.DataFormat"/>).</summary>
        public DataFormat DataFormat { get; }

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            int first = ChannelLayout.FirstSpatialAxis(DataFormat);
            return Enumerable.Range(0, Factors.Length).Aggregate(inputs, (x, i) => x.repeat_interleave(Factors[i], dim: first + i));
        }

        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input) => ExportOnnx(context, input);

        /// <summary>Writes the upsampling into ONNX; nearest (each cell repeated) unless a subclass overrides it.</summary>
        private protected virtual string ExportOnnx(OnnxExportContext context, OnnxValue input)
            => OnnxResize(context, input.Name, Factors, ChannelLayout.FirstSpatialAxis(DataFormat), "nearest", "asymmetric");

        /// <summary>
        /// ONNX's <c>Resize</c> of the axes from <paramref name="firstAxis"/> on by the integer <paramref name="factors"/>. With
        /// <c>nearest</c> and <c>asymmetric</c> coordinates (and <c>floor</c>), output cell i is input cell <c>floor(i / factor)</c>:
        /// each cell repeated, as <c>repeat_interleave</c> does.
        /// </summary>
        internal static string OnnxResize(OnnxExportContext context, string input, int[] factors, int firstAxis, string mode,
            string coordinates)
        {
            var scales = new float[factors.Length + 2];
            Array.Fill(scales, 1f);
            for (int i = 0; i < factors.Length; i++)
                scales[firstAxis + i] = factors[i];
            var attributes = new OnnxAttributes { { "mode", mode }, { "coordinate_transformation_mode", coordinates } };
            if (mode == "nearest")
                attributes.Add("nearest_mode", "floor");
            // Before opset 13 the roi and scales inputs are both required; an empty roi is allowed.
            var roi = context.Constant(Array.Empty<float>(), new long[] { 0 }, "roi");
            return context.Node("Resize", new[] { input, roi, context.Constant(scales, new long[] { scales.Length }, "scales") },
                attributes);
        }

        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape)
            => ChannelLayout.MapSpatialAxes(inputShape, DataFormat, Factors.Length, (i, size) => size * Factors[i]);

        /// <inheritdoc />
        public override LayerConfig GetConfig() => base.GetConfig()
            .With("size", Factors)
            .With("data_format", DataFormat);
    }
}
