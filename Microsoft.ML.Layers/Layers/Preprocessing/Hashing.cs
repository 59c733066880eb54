using System;
using System.Linq;
using Microsoft.ML.Layers.Onnx;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Hashes integer inputs into <c>num_bins</c> bins (Keras's <c>Hashing</c>), bit for bit as Keras: each value is written in
    /// decimal (<c>tf.as_string</c>), hashed with FarmHash's <c>Fingerprint64</c> (or SipHash-2-4 keyed by <c>salt</c>), and the
    /// unsigned hash is taken modulo the number of bins.
    /// </summary>
    /// <remarks>
    /// <para>With a <c>mask_value</c> (and more than one bin), elements equal to it go to bin 0 and the others to
    /// <c>1 + hash mod (num_bins - 1)</c>. Floating inputs are truncated to int64 first, as Keras casts them. String inputs,
    /// which Keras also hashes, do not exist in this library's tensors.</para>
    /// <para>Output: bin indices in int64 (the layer's dtype is int64 by default in <c>"int"</c> mode, as in Keras), or their
    /// one-hot, multi-hot or count encoding over <c>num_bins</c> in the compute dtype. No weights. Hashing runs on the CPU, one
    /// element at a time, as TensorFlow's does: a preprocessing layer, not a fast path.</para>
    /// <code>
    /// var hash = new Hashing(numBins: 3);
    /// Tensor y = hash.Apply(tensor(new long[] { 0, 1, 2, 3, 4 }).reshape(5, 1));   // [[1], [0], [1], [0], [2]], as Keras
    /// </code>
    /// </remarks>
    [RegisterLayer("Hashing")]
    public sealed class Hashing : Layer, IOnnxExportable
    {
        private readonly long[]? _salt;

        /// <summary>Creates the layer.</summary>
        /// <param name="numBins">The number of bins, the mask's bin included.</param>
        /// <param name="maskValue">The value that goes to bin 0, or none.</param>
        /// <param name="salt">Two key values for SipHash (one value is used twice), or null for FarmHash.</param>
        /// <param name="outputMode">Bin indices (default) or their one-hot, multi-hot or count encoding.</param>
        /// <param name="sparse">Keras's sparse output; only <see langword="false"/>.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Keras's base argument (the layer has no weights).</param>
        /// <param name="dtype">The output dtype: int64 by default in int mode, the global policy otherwise.</param>
        /// <exception cref="ArgumentException">An argument Keras refuses, or <paramref name="sparse"/>.</exception>
        public Hashing(int? numBins = null, long? maskValue = null, long[]? salt = null, EncodingMode outputMode = EncodingMode.Int,
            bool sparse = false, string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(name, trainable, dtype ?? (outputMode == EncodingMode.Int ? ScalarType.Int64 : null))
        {
            if (numBins is null or <= 0)
                throw new ArgumentException("Hashing: the `num_bins` for `Hashing` cannot be `None` or non-positive values. Received: " +
                    $"num_bins={numBins?.ToString() ?? "None"}.", nameof(numBins));
            if (outputMode == EncodingMode.Int && DTypes.IsFloating(DType))
                throw new ArgumentException("Hashing: when `output_mode=\"int\"`, `dtype` should be an integer type, 'int32' or 'int64'. " +
                    $"Received: dtype={DTypes.ToKerasName(DType)}", nameof(dtype));
            if (sparse)
                throw new ArgumentException("Hashing: sparse=True (a sparse output tensor) is not supported; use sparse=False.",
                    nameof(sparse));
            if (salt is not null && salt.Length is not (1 or 2))
                throw new ArgumentException("Hashing: the `salt` argument for `Hashing` can only be a tuple of size 2 integers, or a " +
                    $"single integer. Received: salt=[{string.Join(", ", salt)}].", nameof(salt));
            NumBins = numBins.Value;
            MaskValue = maskValue;
            _salt = salt is null ? null : salt.Length == 1 ? new[] { salt[0], salt[0] } : (long[])salt.Clone();
            OutputMode = outputMode;
            Autocast = false;
        }

        /// <summary>The number of bins, the mask's bin included.</summary>
        public int NumBins { get; }

        /// <summary>The value that goes to bin 0, or null.</summary>
        public long? MaskValue { get; }

        /// <summary>The SipHash key (two values), or null for FarmHash.</summary>
        public long[]? Salt => (long[]?)_salt?.Clone();

        /// <summary>Bin indices or an encoding of them.</summary>
        public EncodingMode OutputMode { get; }

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            var x = inputs;
            if (OutputMode == EncodingMode.OneHot && x.dim() >= 1 && x.shape[^1] == 1)
                x = x.squeeze(-1);
            var bins = ShapeInference.Active ? zeros(x.shape, ScalarType.Int64) : HashToBins(x);
            var dtype = OutputMode == EncodingMode.Int ? (DTypes.IsFloating(DType) ? ScalarType.Int64 : DType) : ComputeDType;
            return IndexEncoder.Encode(bins, OutputMode, NumBins, dtype, $"Layer '{Name}' (Hashing)");
        }

        private Tensor HashToBins(Tensor x)
        {
            if (x.dtype == ScalarType.Bool)
                throw new ArgumentException($"Layer '{Name}' (Hashing) takes integer or floating inputs. Received dtype {x.dtype}.");
            bool floating = DTypes.IsFloating(x.dtype);
            // Keras compares with mask_value before casting floats to int64.
            bool[]? masked = MaskValue is long m && NumBins > 1
                ? (floating ? x.to(ScalarType.Float64).eq(tensor((double)m)) : x.to(ScalarType.Int64).eq(tensor(m)))
                    .contiguous().data<bool>().ToArray()
                : null;
            long[] values = x.to(ScalarType.Int64).contiguous().data<long>().ToArray();
            long buckets = masked is null ? NumBins : NumBins - 1;
            var result = new long[values.Length];
            for (int i = 0; i < values.Length; i++)
            {
                var text = KerasHash.Decimal(values[i]);
                long bin = _salt is null ? KerasHash.FastBucket(text, buckets)
                    : KerasHash.StrongBucket(text, unchecked((ulong)_salt[0]), unchecked((ulong)_salt[1]), buckets);
                result[i] = masked is null ? bin : masked[i] ? 0 : bin + 1;
            }
            return tensor(result).reshape(x.shape);
        }

        /// <summary>Not exportable: Keras's hashes (FarmHash fingerprint, SipHash) are not ONNX operators.</summary>
        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input)
            => throw context.Unsupported("its hash (Keras's FarmHash fingerprint or salted SipHash) is not an ONNX operator.");

        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape)
            => IndexEncoder.OutputShape(inputShape, OutputMode, NumBins);

        /// <inheritdoc />
        public override LayerConfig GetConfig() => base.GetConfig()
            .With("num_bins", NumBins)
            .With("salt", _salt)
            .With("mask_value", MaskValue)
            .With("output_mode", OutputMode)
            .With("sparse", false);
    }
}
