using System;
using System.Linq;
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
    public abstract class BaseUpSampling : Layer
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

        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape)
            => ChannelLayout.MapSpatialAxes(inputShape, DataFormat, Factors.Length, (i, size) => size * Factors[i]);

        /// <inheritdoc />
        public override LayerConfig GetConfig() => base.GetConfig()
            .With("size", Factors)
            .With("data_format", DataFormat);
    }
}
