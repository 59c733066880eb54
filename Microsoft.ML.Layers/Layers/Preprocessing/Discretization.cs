using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Layers.Onnx;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Buckets values by ranges (Keras's <c>Discretization</c>): with <c>bin_boundaries = [b0, ..., bn-1]</c> a value x goes to
    /// bin <c>i</c> where <c>b[i-1] &lt;= x &lt; b[i]</c> (bin 0 below b0, bin n from bn-1 up), as <c>numpy.digitize</c>.
    /// </summary>
    /// <remarks>
    /// <para>The boundaries live in the config (Keras keeps them there, not in weights), so the layer has no weights. The input
    /// is read as float32 (Keras's <c>floatx</c>); the output has the input's shape in int64 with <c>output_mode="int"</c>
    /// (default), or the bins encoded one-hot, multi-hot or as counts (<see cref="EncodingMode"/>, depth
    /// <c>len(bin_boundaries) + 1</c>) in the compute dtype.</para>
    /// <para><c>num_bins</c> without boundaries needs Keras's <c>adapt</c>, which this library does not implement: such a layer
    /// fails when called, naming the layer. A config written after Keras's <c>adapt</c> holds both keys and loads.</para>
    /// <code>
    /// var bins = new Discretization(binBoundaries: new[] { 0.0, 1.0, 2.0 });
    /// Tensor y = bins.Apply(tensor(new[] { -1.5f, 1.0f, 3.4f, 0.5f }));   // [0, 2, 3, 1]
    /// </code>
    /// </remarks>
    [RegisterLayer("Discretization")]
    public sealed class Discretization : Layer, IOnnxExportable
    {
        private static readonly string[] OwnKeys = { "bin_boundaries", "num_bins", "epsilon", "output_mode", "sparse" };

        /// <summary>Creates the layer.</summary>
        /// <param name="binBoundaries">The increasing boundaries between bins.</param>
        /// <param name="numBins">Keras's number of bins to learn with <c>adapt</c> (not supported here); set it or the boundaries.</param>
        /// <param name="epsilon">Keras's quantile tolerance for <c>adapt</c>; kept in the config.</param>
        /// <param name="outputMode">The bin indices (default) or their one-hot, multi-hot or count encoding.</param>
        /// <param name="sparse">Keras's sparse output; only <see langword="false"/> is supported.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="dtype">The compute dtype of encoded outputs; the global policy by default.</param>
        /// <exception cref="ArgumentException">Neither or both of <paramref name="binBoundaries"/> and <paramref name="numBins"/>, a
        /// negative <paramref name="numBins"/>, boundaries that decrease, or <paramref name="sparse"/>.</exception>
        public Discretization(double[]? binBoundaries = null, int? numBins = null, double epsilon = 0.01,
            EncodingMode outputMode = EncodingMode.Int, bool sparse = false, string? name = null, ScalarType? dtype = null)
            : base(name, true, dtype)
        {
            if (sparse)
                throw new ArgumentException("Discretization: sparse=True (a sparse output tensor) is not supported; use sparse=False.",
                    nameof(sparse));
            if (numBins is < 0)
                throw new ArgumentException(
                    $"Discretization: `num_bins` must be greater than or equal to 0. Received: `num_bins={numBins}`",
                    nameof(numBins));
            if (numBins is not null && binBoundaries is not null)
                throw new ArgumentException("Discretization: both `num_bins` and `bin_boundaries` should not be set. Received: " +
                    $"`num_bins={numBins}` and `bin_boundaries=[{string.Join(", ", binBoundaries)}]`", nameof(numBins));
            if (numBins is null && binBoundaries is null)
                throw new ArgumentException("Discretization: you need to set either `num_bins` or `bin_boundaries`.",
                    nameof(binBoundaries));
            BinBoundaries = CheckedBoundaries(binBoundaries);
            NumBins = numBins;
            Epsilon = epsilon;
            OutputMode = outputMode;
        }

        /// <summary>The boundaries between bins, or null when only <see cref="NumBins"/> was given.</summary>
        public IReadOnlyList<double>? BinBoundaries { get; private set; }

        /// <summary>Keras's number of bins to adapt to, or null.</summary>
        public int? NumBins { get; }

        /// <summary>Keras's quantile tolerance for <c>adapt</c>.</summary>
        public double Epsilon { get; }

        /// <summary>Bin indices or an encoding of them.</summary>
        public EncodingMode OutputMode { get; }

        private long Depth => (BinBoundaries?.Count ?? 0) + 1;

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            if (BinBoundaries is null)
            {
                throw new InvalidOperationException($"Layer '{Name}' (Discretization) has no `bin_boundaries`: Keras learns them with " +
                    $"adapt() from num_bins={NumBins}, which this library does not implement. Pass `bin_boundaries` instead.");
            }
            var boundaries = tensor(BinBoundaries.ToArray(), ScalarType.Float64).to(ScalarType.Float32);
            var indices = bucketize(inputs.to(ScalarType.Float32), boundaries, outInt32: false, right: true);
            return IndexEncoder.Encode(indices, OutputMode, Depth, OutputMode == EncodingMode.Int ? ScalarType.Int64 : ComputeDType,
                $"Layer '{Name}' (Discretization)");
        }

        /// <summary>The bucket index as <c>bucketize(right=True)</c> computes it, the number of boundaries &lt;= x (a sum of
        /// <c>GreaterOrEqual</c>), then the encoding of <see cref="OutputMode"/> (int mode as float32 values, see
        /// <see cref="IndexEncoder.ExportOnnx"/>).</summary>
        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input)
        {
            if (BinBoundaries is null)
                throw context.Unsupported($"it has no `bin_boundaries` (num_bins={NumBins} needs adapt(), which is not implemented).");
            var boundaries = context.Constant(BinBoundaries.Select(b => (float)b).ToArray(), new[] { (long)BinBoundaries.Count }, "bins");
            var x = context.Unsqueeze(IndexEncoder.OnnxCast(context, input.Name, IndexEncoder.OnnxFloat), -1);
            var above = IndexEncoder.OnnxCast(context, context.Node("GreaterOrEqual", x, boundaries), IndexEncoder.OnnxInt64);
            var indices = context.Reduce("ReduceSum", above, new[] { -1L }, keepDims: false);
            return IndexEncoder.ExportOnnx(context, indices, input.Shape, OutputMode, Depth);
        }

        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape) => IndexEncoder.OutputShape(inputShape, OutputMode, Depth);

        /// <inheritdoc />
        public override LayerConfig GetConfig()
        {
            // Keras's own get_config: no trainable, the dtype as a name.
            var config = base.GetConfig();
            foreach (var key in new[] { "trainable", "dynamic", "activity_regularizer" })
                config.Values.Remove(key);
            return config.With("dtype", DTypes.ToKerasName(DType))
                .With("bin_boundaries", BinBoundaries?.ToArray())
                .With("num_bins", NumBins)
                .With("epsilon", Epsilon)
                .With("output_mode", OutputMode)
                .With("sparse", false);
        }

        /// <summary>
        /// Reads a config as Keras's <c>from_config</c> does: after Keras's <c>adapt</c> both <c>bin_boundaries</c> and
        /// <c>num_bins</c> are set, and the boundaries are applied after construction.
        /// </summary>
        public static Discretization FromConfig(LayerConfig config)
        {
            ArgumentNullException.ThrowIfNull(config);
            var unknown = config.Keys.Where(k => !OwnKeys.Contains(k) && !BaseConfigKeys.Contains(k)).ToList();
            if (unknown.Count > 0)
                throw new FormatException($"The config of 'Discretization' has keys that Discretization does not take: " +
                    $"{string.Join(", ", unknown)}.");
            var boundaries = config.Get<double[]?>("bin_boundaries", null);
            var numBins = config.Get<int?>("num_bins", null);
            var layer = new Discretization(numBins is null ? boundaries : null, numBins, config.Get("epsilon", 0.01),
                config.Get("output_mode", EncodingMode.Int), config.Get("sparse", false), config.Name);
            if (numBins is not null && boundaries is not null)
                layer.BinBoundaries = CheckedBoundaries(boundaries);
            layer.ApplyBaseConfig(config, new HashSet<string>(StringComparer.Ordinal) { "name" });
            return layer;
        }

        private static double[]? CheckedBoundaries(double[]? boundaries)
        {
            if (boundaries is null)
                return null;
            for (int i = 1; i < boundaries.Length; i++)
            {
                if (boundaries[i] < boundaries[i - 1])
                    throw new ArgumentException("Discretization: `bin_boundaries` must be sorted in increasing order. Received: " +
                        $"bin_boundaries=[{string.Join(", ", boundaries)}]", nameof(boundaries));
            }
            return (double[])boundaries.Clone();
        }
    }
}
