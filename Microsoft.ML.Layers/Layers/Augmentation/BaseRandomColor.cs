using System;
using Microsoft.ML.Layers.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Infrastructure
{
    /// <summary>
    /// The base of <see cref="RandomContrast"/> and <see cref="RandomBrightness"/>: in training, one random adjustment per
    /// image, the result clipped to <c>value_range</c>; in inference the input passes unchanged. A <c>factor</c> (a number or a
    /// pair), a <c>value_range</c> (<c>[0, 255]</c> by default) and a <c>seed</c> (the k-th draw uses <c>seed + k</c>), as
    /// Keras's configs hold them. No weights; the output has the input's shape (rank 3 for one image, rank 4 for a batch).
    /// </summary>
    public abstract class BaseRandomColor : Layer, IOnnxExportable
    {
        private readonly double[] _valueRange;

        private protected BaseRandomColor(double[] factor, (double Min, double Max) bounds, bool numberGivesEqualBounds,
            double[]? valueRange, bool sortValueRange, long? seed, string? name, bool trainable, ScalarType? dtype)
            : base(name, trainable, dtype)
        {
            ArgumentNullException.ThrowIfNull(factor);
            if (factor.Length == 1)
            {
                var range = ImageAugmentation.Symmetric(this, factor[0], bounds.Min, bounds.Max, "factor");
                Factor = numberGivesEqualBounds ? (range.Upper, range.Upper) : range;
            }
            else
            {
                Factor = ImageAugmentation.Pair(this, (factor[0], factor[1]), bounds.Min, bounds.Max, "factor");
            }
            _valueRange = ImageAugmentation.ValueRange(this, valueRange ?? new[] { 0.0, 255.0 });
            if (sortValueRange)
                Array.Sort(_valueRange);
            Seed = seed;
            Seeds = new SeedStream(seed);
        }

        /// <summary>The pair <c>(lower, upper)</c> the adjustments are drawn from (each layer says how).</summary>
        public (double Lower, double Upper) Factor { get; }

        /// <summary>The range the outputs are clipped to.</summary>
        public (double Low, double High) ValueRange => (_valueRange[0], _valueRange[1]);

        /// <summary>The seed, or <see langword="null"/> for TorchSharp's global generator.</summary>
        public long? Seed { get; }

        /// <summary>The generators of the layer's successive draws.</summary>
        private protected SeedStream Seeds { get; }

        /// <summary>Reads <c>factor</c> (a number or a pair), <c>value_range</c> and <c>seed</c>, then the base keys.</summary>
        private protected static TLayer Read<TLayer>(LayerConfig config, Func<double[], double[]?, long?, string?, bool, TLayer> create)
            where TLayer : BaseRandomColor
        {
            ArgumentNullException.ThrowIfNull(config);
            config.RequireKnownKeys("factor", "value_range", "seed");
            var layer = create(ImageAugmentation.ReadFactor(config, "factor"), config.Get<double[]?>("value_range", null),
                config.Get<long?>("seed", null), config.Name, config.Trainable);
            layer.ApplyBaseConfig(config, LayerConfig.BoundBaseKeys);
            return layer;
        }

        /// <summary>The adjusted batch <c>(N, H, W, C)</c>, before clipping.</summary>
        private protected abstract Tensor Adjust(Tensor images);

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            if (training != true)
                return inputs.alias();
            var images = ImageAugmentation.Batched(this, inputs, out bool unbatched);
            var output = Adjust(images).ClampScalar(_valueRange[0], _valueRange[1]);
            return unbatched ? output.squeeze(0) : output;
        }

        /// <summary>The identity: the layer only acts in training.</summary>
        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input) => input.Name;

        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape) => inputShape;

        /// <inheritdoc />
        public override LayerConfig GetConfig() => base.GetConfig()
            .With("factor", new[] { Factor.Lower, Factor.Upper })
            .With("value_range", _valueRange)
            .With("seed", Seed);
    }
}
