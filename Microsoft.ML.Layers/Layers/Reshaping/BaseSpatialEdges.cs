using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Infrastructure
{
    /// <summary>
    /// The base of the layers that change the ends of each spatial axis, <see cref="BaseCropping"/> and
    /// <see cref="BaseZeroPadding"/>: one <c>(before, after)</c> amount per spatial axis and a data format, written to the
    /// config as Keras writes them (<c>[[before, after], ...]</c> and <c>data_format</c>). No weights; masks are dropped, as
    /// in Keras.
    /// </summary>
    public abstract class BaseSpatialEdges : Layer
    {
        private readonly string _argument;

        private protected BaseSpatialEdges((int Before, int After)[] amounts, string argument, DataFormat dataFormat, string? name,
            bool trainable, ScalarType? dtype)
            : base(name, trainable, dtype)
        {
            Amounts = amounts;
            _argument = argument;
            DataFormat = Arguments.DataFormat(dataFormat);
            InputSpec = new InputSpec { NDim = amounts.Length + 2 };
        }

        /// <summary>The (before, after) amounts, one pair per spatial axis.</summary>
        private protected (int Before, int After)[] Amounts { get; }

        /// <summary>Where the channels are (<see cref="Layers.DataFormat"/>).</summary>
        public DataFormat DataFormat { get; }

        /// <inheritdoc />
        public override LayerConfig GetConfig() => base.GetConfig()
            .With(_argument, SpatialPairs.ToConfig(Amounts))
            .With("data_format", DataFormat);
    }
}
