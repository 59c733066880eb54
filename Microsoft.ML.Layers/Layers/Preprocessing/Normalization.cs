using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Shifts and scales features to mean 0 and variance 1 (Keras's <c>Normalization</c>):
    /// <c>(x - mean) / max(sqrt(variance), 1e-7)</c>, or the inverse <c>mean + x * max(sqrt(variance), 1e-7)</c> with
    /// <c>invert</c>. The mean and variance are given to the constructor, or learned from data with <see cref="Adapt(Tensor)"/>.
    /// </summary>
    /// <remarks>
    /// <para><c>axis</c> lists the axes that keep a separate mean and variance per index (default the last axis; an empty
    /// tuple, Keras's <c>axis=None</c>, gives one scalar mean and variance). The other axes are reduced over by
    /// <see cref="Adapt(IEnumerable{Tensor})"/>.</para>
    /// <para>Weights, when the statistics are adapted (none when they are given, as in Keras, where the config holds them):
    /// <c>mean</c> and <c>variance</c> with the sizes of the kept axes, and <c>count</c> (int64 scalar, the number of values
    /// each statistic was computed from), all non-trainable, so they are saved with a model.</para>
    /// <para>Input: any shape whose kept axes have the build sizes; output: the same shape in the compute dtype. Masks pass
    /// through. Calling the layer on data before it is adapted (and without given statistics) fails with an
    /// <see cref="InvalidOperationException"/>; wiring it into a model (a symbolic call) before adapting is fine.</para>
    /// <code>
    /// var norm = new Normalization();                      // per-feature statistics on the last axis
    /// norm.Adapt(trainingFeatures);                        // (n, 3): mean and variance of each column
    /// Tensor y = norm.Apply(batch);                        // (batch - mean) / sqrt(variance)
    /// var fixedNorm = new Normalization(mean: 3.0, variance: 2.0);
    /// </code>
    /// </remarks>
    [RegisterLayer("Normalization")]
    public sealed class Normalization : Layer, IOnnxExportable
    {
        private const double Epsilon = 1e-7;

        private readonly Statistic? _givenMean;
        private readonly Statistic? _givenVariance;
        private int[] _keepAxes = Array.Empty<int>();
        private long[] _reduceAxes = Array.Empty<long>();
        private long[] _broadcastShape = Array.Empty<long>();
        private long[] _givenShape = Array.Empty<long>();
        private Parameter? _mean;
        private Parameter? _variance;
        private Parameter? _count;
        private volatile bool _adapted;

        /// <summary>Creates a normalization layer with scalar statistics, or without statistics (to be adapted).</summary>
        /// <param name="axis">The axes with a separate mean and variance; the last axis when null (Keras's default -1); an
        /// empty tuple for a single scalar mean and variance (Keras's <c>axis=None</c>).</param>
        /// <param name="mean">The mean, broadcast to the kept axes; given together with <paramref name="variance"/>, or neither.</param>
        /// <param name="variance">The variance, broadcast to the kept axes.</param>
        /// <param name="invert">Whether to apply the inverse transformation (de-normalize).</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility; the statistics are never trained.</param>
        /// <param name="dtype">The dtype of the statistics and the output; the global policy by default.</param>
        /// <exception cref="ArgumentException">Only one of <paramref name="mean"/> and <paramref name="variance"/> is given.</exception>
        public Normalization(IntTuple? axis = null, double? mean = null, double? variance = null, bool invert = false,
            string? name = null, bool trainable = true, ScalarType? dtype = null)
            : this(AxesOf(axis), mean is double m ? new Statistic(new[] { m }, Array.Empty<long>()) : null,
                variance is double v ? new Statistic(new[] { v }, Array.Empty<long>()) : null, invert, name, trainable, dtype)
        {
        }

        /// <summary>Creates a normalization layer with one mean and variance per index of the (last) kept axis.</summary>
        /// <param name="axis">The axes with a separate mean and variance; the last axis when null.</param>
        /// <param name="mean">The means, aligned with the last kept axis (broadcast as Keras does).</param>
        /// <param name="variance">The variances; the same length as <paramref name="mean"/>.</param>
        /// <param name="invert">Whether to apply the inverse transformation (de-normalize).</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility; the statistics are never trained.</param>
        /// <param name="dtype">The dtype of the output; the global policy by default.</param>
        /// <exception cref="ArgumentException">The lengths differ.</exception>
        public Normalization(IntTuple? axis, double[] mean, double[] variance, bool invert = false,
            string? name = null, bool trainable = true, ScalarType? dtype = null)
            : this(AxesOf(axis), new Statistic(mean ?? throw new ArgumentNullException(nameof(mean)), new long[] { mean.Length }),
                new Statistic(variance ?? throw new ArgumentNullException(nameof(variance)), new long[] { variance.Length }), invert, name,
                trainable, dtype)
        {
        }

        private Normalization(int[] axis, Statistic? mean, Statistic? variance, bool invert, string? name, bool trainable,
            ScalarType? dtype)
            : base(name, trainable, dtype)
        {
            if ((mean is null) != (variance is null))
            {
                throw new ArgumentException(
                    $"When setting values directly, both `mean` and `variance` must be set. Received: mean={mean?.ToString() ?? "None"} " +
                    $"and variance={variance?.ToString() ?? "None"}");
            }
            if (mean is not null && !mean.Shape.SequenceEqual(variance!.Shape))
            {
                throw new ArgumentException(
                    $"When setting values directly, `mean` and `variance` must have the same shape. Received: mean shape " +
                    $"{new Shape(mean.Shape)} and variance shape {new Shape(variance.Shape)}");
            }
            if (mean is not null && mean.Shape.Length > axis.Length)
            {
                throw new ArgumentException(
                    $"The rank of `mean` must be less than or equal to the number of axes ({axis.Length}). Received: mean shape " +
                    $"{new Shape(mean.Shape)} for axis {new IntTuple(axis)}");
            }
            Axis = axis;
            _givenMean = mean;
            _givenVariance = variance;
            Invert = invert;
            SupportsMasking = true;
        }

        /// <summary>The axes that keep a separate mean and variance (empty: scalar statistics).</summary>
        public IReadOnlyList<int> Axis { get; }

        /// <summary>Whether the layer de-normalizes.</summary>
        public bool Invert { get; }

        /// <summary>The adapted mean (non-trainable weight), or null before build or when the statistics were given.</summary>
        public Parameter? Mean => _mean;

        /// <summary>The adapted variance (non-trainable weight), or null before build or when the statistics were given.</summary>
        public Parameter? Variance => _variance;

        private static int[] AxesOf(IntTuple? axis) => axis is IntTuple given ? given.Values : new[] { -1 };

        /// <summary>Computes the mean and variance of <paramref name="data"/> over the reduced axes, and stores them.</summary>
        /// <exception cref="ArgumentException">The data's kept axes differ from the layer's build shape.</exception>
        /// <exception cref="InvalidOperationException">The statistics were given to the constructor.</exception>
        public void Adapt(Tensor data)
        {
            ArgumentNullException.ThrowIfNull(data);
            Adapt(new[] { data });
        }

        /// <summary>
        /// Computes the mean and variance over every batch (the reduced axes of all batches together) in one pass, combining
        /// per-batch statistics in float64 with Chan's parallel formula (Keras's running lack-of-fit update), and stores them.
        /// Any earlier statistics are replaced.
        /// </summary>
        /// <param name="batches">The batches; all with the same sizes on the kept axes.</param>
        /// <exception cref="ArgumentException">No batches, no values, or a batch whose kept axes differ from the others.</exception>
        /// <exception cref="InvalidOperationException">The statistics were given to the constructor.</exception>
        public void Adapt(IEnumerable<Tensor> batches)
        {
            ArgumentNullException.ThrowIfNull(batches);
            if (_givenMean is not null)
                throw new InvalidOperationException($"Layer '{Name}' (Normalization) was given its mean and variance; it cannot be " +
                    $"adapted.");

            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            Tensor? mean = null, squares = null;
            long total = 0;
            bool any = false;
            foreach (var batch in batches)
            {
                ArgumentNullException.ThrowIfNull(batch, nameof(batches));
                var shape = Shape.Of(batch);
                if (!Built)
                    EnsureBuilt(shape);
                CheckKeptAxes(shape, "adapt() received data with an incompatible shape");
                any = true;

                var x = batch.to(ScalarType.Float64);
                long count = _reduceAxes.Aggregate(1L, (a, d) => a * shape[(int)d]);
                if (count == 0)
                    continue;
                var batchMean = _reduceAxes.Length == 0 ? x : x.mean(_reduceAxes);
                var batchSquares = _reduceAxes.Length == 0 ? zeros_like(x)
                    : (x - x.mean(_reduceAxes, keepdim: true)).Squared().sum(_reduceAxes);
                if (mean is null)
                {
                    (mean, squares, total) = (batchMean, batchSquares, count);
                    continue;
                }
                long combined = total + count;
                var delta = batchMean - mean;
                mean = mean.Plus(delta.MulScalar((double)count / combined));
                squares = squares!.Plus(batchSquares).Plus(delta.Squared().MulScalar((double)total * count / combined));
                total = combined;
            }
            if (!any)
                throw new ArgumentException($"Layer '{Name}' (Normalization): adapt() received no batches. Pass at least one tensor.",
                    nameof(batches));
            if (mean is null)
                throw new ArgumentException($"Layer '{Name}' (Normalization): adapt() received batches without any values.",
                    nameof(batches));

            _mean!.Assign(mean.reshape(_mean.shape).to(_mean.dtype));
            _variance!.Assign(squares!.DivScalar(total).reshape(_variance.shape).to(_variance.dtype));
            _count!.Assign(tensor(total, ScalarType.Int64));
            _adapted = true;
        }

        /// <inheritdoc />
        protected override void Build(Shape inputShape)
        {
            int ndim = inputShape.Rank;
            if (Axis.Any(a => a < -ndim || a >= ndim))
            {
                throw new ArgumentException(
                    $"Layer '{Name}' (Normalization): all `axis` values must be in the range [-ndim, ndim). Received inputs with " +
                    $"ndim={ndim}, while axis={new IntTuple(Axis.ToArray())}");
            }
            _keepAxes = Axis.Select(a => a < 0 ? a + ndim : a).Distinct().OrderBy(a => a).ToArray();
            foreach (int d in _keepAxes.Where(d => inputShape[d] == Shape.Unknown))
            {
                throw new ArgumentException(
                    $"Layer '{Name}' (Normalization): all `axis` values to be kept must have a known shape. Received " +
                    $"axis={new IntTuple(Axis.ToArray())}, inputs.shape={inputShape}, with unknown axis at index {d}");
            }
            _reduceAxes = Enumerable.Range(0, ndim).Where(d => !_keepAxes.Contains(d)).Select(d => (long)d).ToArray();
            _broadcastShape = Enumerable.Range(0, ndim).Select(d => _keepAxes.Contains(d) ? inputShape[d] : 1L).ToArray();
            var statsShape = new Shape(_keepAxes.Select(d => inputShape[d]));
            // The statistics are broadcast in the build rank; only the kept axes' sizes are fixed (not the last axis).
            InputSpec = new InputSpec { NDim = ndim, Axes = _keepAxes.ToDictionary(d => d, d => inputShape[d]) };

            if (_givenMean is null)
            {
                _mean = AddWeight("mean", statsShape, Initializer.Zeros(), trainable: false);
                _variance = AddWeight("variance", statsShape, Initializer.Ones(), trainable: false);
                _count = AddWeight("count", Shape.Scalar, Initializer.Zeros(), dtype: ScalarType.Int64, trainable: false);
                return;
            }

            // Given statistics: their axes align with the last kept axes (right to left), then broadcast, as in Keras.
            var expanded = Enumerable.Repeat(1L, ndim).ToArray();
            var given = _givenMean.Shape;
            for (int i = 1; i <= given.Length; i++)
                expanded[_keepAxes[^i]] = given[^i];
            for (int d = 0; d < ndim; d++)
            {
                if (expanded[d] != 1 && expanded[d] != _broadcastShape[d])
                {
                    throw new ArgumentException(
                        $"Layer '{Name}' (Normalization): `mean` and `variance` of shape {new Shape(given)} cannot be broadcast to the " +
                        $"kept axes of the input shape {inputShape} (axis={new IntTuple(Axis.ToArray())}).");
                }
            }
            _givenShape = expanded;
        }

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            CheckKeptAxes(Shape.Of(inputs), "the input has an incompatible shape");
            var x = inputs.to(ComputeDType);
            Tensor mean, variance;
            if (_givenMean is not null)
            {
                mean = tensor(_givenMean.Values, ScalarType.Float64).reshape(_givenShape).to(ComputeDType);
                variance = tensor(_givenVariance!.Values, ScalarType.Float64).reshape(_givenShape).to(ComputeDType);
            }
            else
            {
                if (!ShapeInference.Active)
                    RequireAdapted();
                mean = _mean!.reshape(_broadcastShape).to(ComputeDType);
                variance = _variance!.reshape(_broadcastShape).to(ComputeDType);
            }
            var scale = variance.sqrt().ClampMinScalar(Epsilon);
            return Invert ? mean.Plus(x * scale) : (x - mean) / scale;
        }

        /// <summary><c>(x - mean) / max(sqrt(variance), 1e-7)</c>, or with <see cref="Invert"/> <c>mean + x * that scale</c>;
        /// the given or adapted statistics as constants.</summary>
        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input)
        {
            using var scope = NewDisposeScope();
            Tensor mean, variance;
            if (_givenMean is not null)
            {
                mean = tensor(_givenMean.Values, ScalarType.Float64).reshape(_givenShape);
                variance = tensor(_givenVariance!.Values, ScalarType.Float64).reshape(_givenShape);
            }
            else
            {
                RequireAdapted();
                mean = _mean!.reshape(_broadcastShape);
                variance = _variance!.reshape(_broadcastShape);
            }
            var x = IndexEncoder.OnnxCast(context, input.Name, IndexEncoder.OnnxFloat);
            var meanName = context.Weight(mean, "mean");
            var scale = context.Node("Max", context.Node("Sqrt", context.Weight(variance, "variance")), context.Constant((float)Epsilon));
            return Invert ? context.Node("Add", meanName, context.Node("Mul", x, scale))
                : context.Node("Div", context.Node("Sub", x, meanName), scale);
        }

        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape) => inputShape;

        /// <inheritdoc />
        public override LayerConfig GetConfig() => base.GetConfig()
            .With("axis", new IntTuple(Axis.ToArray()))
            .With("invert", Invert)
            .With("mean", _givenMean?.ToJson())
            .With("variance", _givenVariance?.ToJson());

        /// <summary>
        /// Reads a config: <c>axis</c> as a list (an integer, or null for Keras's <c>None</c>, also accepted), and
        /// <c>mean</c>/<c>variance</c> as null, a number or (nested) lists.
        /// </summary>
        public static Normalization FromConfig(LayerConfig config)
        {
            ArgumentNullException.ThrowIfNull(config);
            var own = new[] { "axis", "mean", "variance", "invert" };
            var unknown = config.Keys.Where(k => !own.Contains(k) && !BaseConfigKeys.Contains(k)).ToList();
            if (unknown.Count > 0)
                throw new FormatException($"The config of 'Normalization' has keys that Normalization does not take: " +
                    $"{string.Join(", ", unknown)}.");
            int[] axis = !config.Contains("axis") ? new[] { -1 }
                : config.Values["axis"] is null ? Array.Empty<int>()
                : config.Get<IntTuple>("axis").Values;
            var layer = new Normalization(axis, Statistic.FromJson(config.Values["mean"], "mean"),
                Statistic.FromJson(config.Values["variance"], "variance"),
                config.Get("invert", false), config.Name, config.Trainable, null);
            layer.ApplyBaseConfig(config, new HashSet<string>(StringComparer.Ordinal) { "name", "trainable" });
            return layer;
        }

        private void CheckKeptAxes(Shape shape, string problem)
        {
            var built = BuildShapes![0];
            if (_keepAxes.Length > 0 && (shape.Rank != built.Rank || _keepAxes.Any(d => shape[d] != built[d])))
            {
                throw new ArgumentException(
                    $"Layer '{Name}' (Normalization): {problem}: the layer was built with input_shape={built.With(0, Shape.Unknown)}, " +
                    $"which fixes the sizes of axis {new IntTuple(Axis.ToArray())}, but received shape {shape}.");
            }
        }

        private void RequireAdapted()
        {
            if (_adapted)
                return;
            // Weights set from a saved model count as adapted: Keras 3 files keep count at 0, so the values decide.
            bool hasStatistics = _count!.item<long>() > 0 || _mean!.ne(Scalars.IntZero).any().item<bool>()
                || _variance!.ne(Scalars.IntOne).any().item<bool>();
            if (!hasStatistics)
            {
                throw new InvalidOperationException(
                    $"Layer '{Name}' (Normalization) has no mean and variance yet: call Adapt(data) before using it, or give `mean` and " +
                    "`variance` to the constructor.");
            }
            _adapted = true;
        }

        /// <summary>Given statistics: values in row-major order and their shape (empty for a scalar).</summary>
        private sealed class Statistic
        {
            public Statistic(double[] values, long[] shape)
            {
                Values = values;
                Shape = shape;
            }

            public double[] Values { get; }

            public long[] Shape { get; }

            public JsonNode ToJson()
            {
                int offset = 0;
                JsonNode Build(int axis)
                {
                    if (axis == Shape.Length)
                        return JsonValue.Create(Values[offset++]);
                    var items = new JsonArray();
                    for (long i = 0; i < Shape[axis]; i++)
                        items.Add(Build(axis + 1));
                    return items;
                }
                return Build(0);
            }

            public static Statistic? FromJson(JsonNode? node, string argument)
            {
                if (node is null)
                    return null;
                // The shape follows the first element at each depth; every list must then match it (no ragged lists).
                var shape = new List<long>();
                for (var probe = node; probe is JsonArray array; probe = array.Count > 0 ? array[0] : null)
                    shape.Add(array.Count);
                var values = new List<double>();
                void Read(JsonNode? item, int axis, string where)
                {
                    if (axis == shape.Count)
                    {
                        values.Add(item is JsonArray ? throw new FormatException($"{where} must be a number: the nested lists are ragged.")
                            : (double)KerasJson.FromNode(item, typeof(double), where)!);
                        return;
                    }
                    if (item is not JsonArray array || array.Count != shape[axis])
                        throw new FormatException($"{where} must be a list of {shape[axis]} values: the nested lists are ragged.");
                    for (int i = 0; i < array.Count; i++)
                        Read(array[i], axis + 1, $"{where}[{i}]");
                }
                Read(node, 0, $"Normalization.{argument}");
                return new Statistic(values.ToArray(), shape.ToArray());
            }

            public override string ToString() => ToJson().ToJsonString();
        }
    }
}
