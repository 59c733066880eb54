using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Layers.Onnx;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Maps integer tokens to indices in a vocabulary, or back with <c>invert</c> (Keras's <c>IntegerLookup</c>).
    /// </summary>
    /// <remarks>
    /// <para>Indices, as Keras numbers them: with a <c>mask_token</c> and <c>output_mode="int"</c>, index 0 is the mask; then come
    /// <c>num_oov_indices</c> out-of-vocabulary indices, then the vocabulary in the order given. With vocabulary
    /// <c>[10, 20, 30]</c> and one OOV index, 20 maps to 2 and 99 to 0. With several OOV indices an unknown token x goes to
    /// <c>floormod(x, num_oov_indices)</c> (Keras's default <c>oov_method</c>) or FarmHash of its decimal text
    /// (<c>oov_method="farmhash"</c>); with none, an unknown token fails naming the layer. A vocabulary that starts with the
    /// special tokens (<c>[mask]*… + [oov_token]*num_oov_indices</c>, as <see cref="GetVocabulary"/> returns it) is accepted.</para>
    /// <para><c>one_hot</c>, <c>multi_hot</c> and <c>count</c> encode the indices (depth: the vocabulary size with its OOV indices,
    /// or <c>max_tokens</c> with <c>pad_to_max_tokens</c>); the mask token then has no index and is dropped. Keras 3 returns
    /// those encodings as int64; this layer returns them in its compute dtype (float32 by default, as tf.keras 2 did), since
    /// the layers after it take floating inputs. <c>tf_idf</c> and sparse outputs are refused.</para>
    /// <para>The vocabulary is in the config (Keras keeps a given vocabulary there too), so the layer has no weights. A vocabulary
    /// learned with <see cref="Adapt"/> is written to the config as well (Keras writes it to a separate asset file).</para>
    /// <code>
    /// var lookup = new IntegerLookup(vocabulary: new long[] { 10, 20, 30 });
    /// Tensor y = lookup.Apply(tensor(new long[] { 20, 99 }));   // [2, 0]
    /// </code>
    /// </remarks>
    [RegisterLayer("IntegerLookup")]
    public sealed class IntegerLookup : Layer, IOnnxExportable
    {
        private long[]? _tokens;

        /// <summary>Creates the layer.</summary>
        /// <param name="maxTokens">The largest vocabulary size, special indices included; none by default.</param>
        /// <param name="numOovIndices">How many indices unknown tokens share (default 1).</param>
        /// <param name="maskToken">The token that means "masked" (index 0 in int mode), or none.</param>
        /// <param name="oovToken">The token that <c>invert</c> returns for OOV indices (default -1).</param>
        /// <param name="vocabulary">The tokens, in index order; or learn them with <see cref="Adapt"/>.</param>
        /// <param name="vocabularyDtype">Keras's key dtype; only <c>"int64"</c>, as in Keras.</param>
        /// <param name="idfWeights">Keras's TF-IDF weights; only null (TF-IDF is not supported).</param>
        /// <param name="invert">Maps indices back to tokens.</param>
        /// <param name="outputMode">Indices (default), or their one-hot, multi-hot or count encoding.</param>
        /// <param name="sparse">Keras's sparse output; only <see langword="false"/>.</param>
        /// <param name="padToMaxTokens">Encodes to depth <paramref name="maxTokens"/> instead of the vocabulary size.</param>
        /// <param name="oovMethod"><c>"floormod"</c> (default) or <c>"farmhash"</c>: how several OOV indices are chosen.</param>
        /// <param name="salt">Keras's salt for a salted OOV hash; only null.</param>
        /// <param name="vocabularySize">Keras's recorded vocabulary size; checked against the vocabulary when both are given.</param>
        /// <param name="hasInputVocabulary">tf.keras 2's record of whether the vocabulary was given; read and ignored, as Keras 3
        /// does.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Keras's base argument (the layer has no weights).</param>
        /// <param name="dtype">The compute dtype of encoded outputs; the global policy by default.</param>
        /// <exception cref="ArgumentException">An argument Keras refuses, or one this layer does not support (named).</exception>
        public IntegerLookup(int? maxTokens = null, int numOovIndices = 1, long? maskToken = null, long? oovToken = -1,
            long[]? vocabulary = null, string vocabularyDtype = "int64", double[]? idfWeights = null, bool invert = false,
            EncodingMode outputMode = EncodingMode.Int, bool sparse = false, bool padToMaxTokens = false,
            string oovMethod = "floormod", long[]? salt = null, int? vocabularySize = null, bool? hasInputVocabulary = null,
            string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(name, trainable, dtype)
        {
            if (maxTokens is <= 1)
                throw Error($"if `max_tokens` is set, it must be greater than 1. Received: max_tokens={maxTokens}");
            if (numOovIndices < 0)
                throw Error($"the value of `num_oov_indices` must >= 0. Received: num_oov_indices={numOovIndices}");
            if (vocabularyDtype != "int64")
                throw Error($"only `vocabulary_dtype='int64'` is supported at this time. Received: vocabulary_dtype={vocabularyDtype}");
            if (idfWeights is not null)
                throw Error("`idf_weights` (output_mode 'tf_idf') is not supported. Received: idf_weights of " +
                    $"{idfWeights.Length} values");
            if (sparse)
                throw Error("sparse=True (a sparse output tensor) is not supported; use sparse=False");
            if (padToMaxTokens && maxTokens is null)
                throw Error("if pad_to_max_tokens is True, must set `max_tokens`. Received: max_tokens=None");
            if (oovMethod is not ("floormod" or "farmhash"))
                throw Error($"`oov_method` must be one of \"floormod\", \"farmhash\". Received: oov_method={oovMethod}");
            if (salt is not null)
                throw Error($"a `salt` (a salted OOV hash) is not supported. Received: salt=[{string.Join(", ", salt)}]");
            if (invert && outputMode != EncodingMode.Int)
                throw Error($"`output_mode` must be 'int' when `invert` is true. Received: output_mode={KerasEnum.Describe(outputMode)}");
            if (invert && oovToken is null)
                throw Error("`oov_token` must be set when `invert` is true (OOV indices map to it). Received: oov_token=None");
            MaxTokens = maxTokens;
            NumOovIndices = numOovIndices;
            MaskToken = maskToken;
            OovToken = oovToken;
            Invert = invert;
            OutputMode = outputMode;
            PadToMaxTokens = padToMaxTokens;
            OovMethod = oovMethod;
            Autocast = false;
            _ = hasInputVocabulary;
            if (vocabulary is not null)
            {
                SetVocabulary(vocabulary);
                if (vocabularySize is int recorded && recorded != VocabularySize())
                    throw Error($"the recorded `vocabulary_size` ({recorded}) differs from the vocabulary's size with its special " +
                        $"indices ({VocabularySize()})");
            }
        }

        /// <summary>The largest vocabulary size, or null.</summary>
        public int? MaxTokens { get; }

        /// <summary>How many indices unknown tokens share.</summary>
        public int NumOovIndices { get; }

        /// <summary>The mask token, or null.</summary>
        public long? MaskToken { get; }

        /// <summary>The token <c>invert</c> returns for OOV indices.</summary>
        public long? OovToken { get; }

        /// <summary>Whether the layer maps indices back to tokens.</summary>
        public bool Invert { get; }

        /// <summary>Indices or an encoding of them.</summary>
        public EncodingMode OutputMode { get; }

        /// <summary>Whether encodings have depth <see cref="MaxTokens"/>.</summary>
        public bool PadToMaxTokens { get; }

        /// <summary><c>"floormod"</c> or <c>"farmhash"</c>.</summary>
        public string OovMethod { get; }

        private int OovStart => MaskToken is not null && OutputMode == EncodingMode.Int ? 1 : 0;

        private int TokenStart => OovStart + NumOovIndices;

        /// <summary>The vocabulary size with the mask and OOV indices (0 before a vocabulary is set).</summary>
        public int VocabularySize() => _tokens is null ? 0 : TokenStart + _tokens.Length;

        /// <summary>The vocabulary in index order; with <paramref name="includeSpecialTokens"/>, the mask and OOV tokens first.</summary>
        public IReadOnlyList<long?> GetVocabulary(bool includeSpecialTokens = true)
        {
            var tokens = (_tokens ?? Array.Empty<long>()).Select(t => (long?)t);
            if (!includeSpecialTokens || _tokens is null)
                return tokens.ToList();
            return Enumerable.Repeat(MaskToken, OovStart).Concat(Enumerable.Repeat(OovToken, NumOovIndices)).Concat(tokens).ToList();
        }

        /// <summary>
        /// Learns the vocabulary from <paramref name="data"/> as Keras's <c>adapt</c>: every token except the mask and OOV tokens,
        /// most frequent first, ties by the larger token first, at most <c>max_tokens</c> minus the special indices.
        /// </summary>
        /// <exception cref="InvalidOperationException">The layer was given its vocabulary.</exception>
        public void Adapt(Tensor data)
        {
            ArgumentNullException.ThrowIfNull(data);
            if (_tokens is not null && _givenVocabulary)
                throw new InvalidOperationException($"Layer '{Name}' (IntegerLookup): cannot adapt after setting a static vocabulary " +
                    "via the `vocabulary` argument.");
            using var scope = NewDisposeScope();
            var counts = new Dictionary<long, long>();
            foreach (long token in data.to(ScalarType.Int64).flatten().data<long>().ToArray())
            {
                if (token == MaskToken || token == OovToken)
                    continue;
                counts[token] = counts.GetValueOrDefault(token) + 1;
            }
            var ordered = counts.OrderByDescending(p => p.Value).ThenByDescending(p => p.Key).Select(p => p.Key);
            if (MaxTokens is int max)
                ordered = ordered.Take(Math.Max(0, max - TokenStart));
            _tokens = ordered.ToArray();
        }

        private bool _givenVocabulary;

        private void SetVocabulary(long[] vocabulary)
        {
            if (vocabulary.Length == 0)
                throw Error("cannot set an empty vocabulary. Received: vocabulary=[]");
            var special = Enumerable.Repeat(MaskToken, OovStart).Concat(Enumerable.Repeat(OovToken, NumOovIndices)).ToArray();
            bool withSpecials = vocabulary.Length >= special.Length
                && special.Select((t, i) => t == vocabulary[i]).All(b => b);
            var tokens = withSpecials ? vocabulary[special.Length..] : vocabulary;
            var repeated = tokens.GroupBy(t => t).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            if (repeated.Count > 0)
                throw Error("the passed vocabulary has at least one repeated term. The repeated terms are: " +
                    $"[{string.Join(", ", repeated)}]");
            if (MaskToken is long mask && tokens.Contains(mask))
                throw Error($"found reserved mask token at unexpected location in `vocabulary`. Received: mask_token={mask}");
            if (Invert && OovToken is long oov && tokens.Contains(oov))
                throw Error($"found reserved OOV token at unexpected location in `vocabulary`. Received: oov_token={oov}");
            if (MaxTokens is int max && TokenStart + tokens.Length > max)
                throw Error($"attempted to set a vocabulary larger than the maximum vocab size. Received vocabulary size is " +
                    $"{TokenStart + tokens.Length}; `max_tokens` is {max}.");
            _tokens = (long[])tokens.Clone();
            _givenVocabulary = true;
        }

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            if (DTypes.IsFloating(inputs.dtype) || inputs.dtype == ScalarType.Bool)
                throw new ArgumentException($"Layer '{Name}' (IntegerLookup) takes integer tokens. Received dtype {inputs.dtype}.");
            var x = inputs.to(ScalarType.Int64);
            if (ShapeInference.Active)
                return Output(zeros_like(x));
            if (_tokens is null)
                throw new InvalidOperationException($"Layer '{Name}' (IntegerLookup) has no vocabulary: pass `vocabulary` or call " +
                    "Adapt(data) before using it.");
            return Output(Invert ? LookUpTokens(x) : LookUpIndices(x));
        }

        private Tensor LookUpIndices(Tensor x)
        {
            var vocab = tensor(_tokens!);
            var (sorted, order) = vocab.sort();
            var position = searchsorted(sorted, x).minimum(tensor(sorted.shape[0] - 1));
            var found = sorted[position].eq(x);
            var index = order[position].Plus(tensor((long)TokenStart));
            Tensor oov;
            if (NumOovIndices == 0)
            {
                var unknown = found.logical_not();
                if (MaskToken is long maskToken)
                    unknown = unknown.logical_and(x.ne(tensor(maskToken)));
                if (unknown.any().item<bool>())
                {
                    var values = x[unknown].data<long>().Take(10);
                    throw new ArgumentException($"Layer '{Name}' (IntegerLookup): when `num_oov_indices=0` all inputs should be in " +
                        $"vocabulary, found OOV values [{string.Join(", ", values)}], consider setting `num_oov_indices=1`.");
                }
                oov = zeros_like(x);
            }
            else if (NumOovIndices == 1)
            {
                oov = zeros_like(x).Plus(tensor((long)OovStart));
            }
            else if (OovMethod == "floormod")
            {
                oov = x.remainder(tensor((long)NumOovIndices)).Plus(tensor((long)OovStart));
            }
            else
            {
                var hashed = x.contiguous().data<long>().ToArray()
                    .Select(v => KerasHash.FastBucket(KerasHash.Decimal(v), NumOovIndices) + OovStart).ToArray();
                oov = tensor(hashed).reshape(x.shape);
            }
            var result = where(found, index, oov);
            if (MaskToken is long masked)
                result = where(x.eq(tensor(masked)), tensor(OutputMode == EncodingMode.Int ? 0L : long.MaxValue), result);
            return result;
        }

        private Tensor LookUpTokens(Tensor x)
        {
            var vocab = tensor(_tokens!);
            long count = _tokens!.Length;
            var start = tensor((long)TokenStart);
            var valid = x.ge(start).logical_and(x.lt(tensor(TokenStart + count)));
            var tokens = vocab[(x - start).maximum(tensor(0L)).minimum(tensor(count - 1))];
            var result = where(valid, tokens, tensor(OovToken!.Value));
            if (MaskToken is long maskToken)
                result = where(x.eq(Scalars.IntZero), tensor(maskToken), result);
            return result;
        }

        private Tensor Output(Tensor lookups)
        {
            if (OutputMode == EncodingMode.Int)
                return lookups;
            return IndexEncoder.Encode(lookups, OutputMode, Depth(), ComputeDType, $"Layer '{Name}' (IntegerLookup)");
        }

        private long Depth()
        {
            if (PadToMaxTokens)
                return MaxTokens!.Value;
            if (_tokens is null && !ShapeInference.Active)
                throw new InvalidOperationException($"Layer '{Name}' (IntegerLookup): when using output_mode=" +
                    $"{KerasEnum.Describe(OutputMode)} and pad_to_max_tokens=False, you must set the layer's vocabulary before calling " +
                    "it.");
            return Math.Max(VocabularySize(), 1);
        }

        /// <summary>
        /// Standard operators only (ONNX-ML's <c>LabelEncoder</c> is another domain): <c>Equal</c> of each token with the
        /// vocabulary, the matching index as a sum of index times match, the OOV index where nothing matches (one OOV index, or
        /// <c>floormod</c> with <c>Mod</c>), the mask token's index; inverted, a <c>Gather</c> of the vocabulary. Then the
        /// encoding of <see cref="OutputMode"/> (int mode as float32 values, see <see cref="IndexEncoder.ExportOnnx"/>).
        /// </summary>
        /// <exception cref="NotSupportedException">No vocabulary, or several OOV indices chosen by FarmHash.</exception>
        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input)
        {
            if (_tokens is null)
                throw context.Unsupported("it has no vocabulary (pass `vocabulary` or call Adapt first).");
            var x = IndexEncoder.OnnxCast(context, input.Name, IndexEncoder.OnnxInt64);
            var result = Invert ? ExportTokens(context, x) : ExportIndices(context, x);
            return IndexEncoder.ExportOnnx(context, result, input.Shape, OutputMode, OutputMode == EncodingMode.Int ? 1 : Depth());
        }

        private string ExportIndices(OnnxExportContext context, string x)
        {
            if (NumOovIndices > 1 && OovMethod != "floormod")
                throw context.Unsupported($"oov_method '{OovMethod}' hashes with FarmHash, which is not an ONNX operator.");
            var matches = IndexEncoder.OnnxCast(context, context.Node("Equal", context.Unsqueeze(x, -1), context.Int64s(_tokens!)),
                IndexEncoder.OnnxInt64);
            var positions = context.Int64s(Enumerable.Range(TokenStart, _tokens!.Length).Select(i => (long)i).ToArray());
            var index = context.Reduce("ReduceSum", context.Node("Mul", matches, positions), new[] { -1L }, keepDims: false);
            var found = context.Node("Greater", context.Reduce("ReduceSum", matches, new[] { -1L }, keepDims: false), context.Int64(0));
            // Num_oov_indices=0 fails on unknown tokens in Call; the export gives them index 0.
            var oov = NumOovIndices <= 1 ? context.Int64(OovStart)
                : context.Node("Add", context.Node("Mod", x, context.Int64(NumOovIndices)), context.Int64(OovStart));
            var result = context.Node("Where", found, index, oov);
            if (MaskToken is long masked)
            {
                var maskIndex = context.Int64(OutputMode == EncodingMode.Int ? 0L : long.MaxValue);
                result = context.Node("Where", context.Node("Equal", x, context.Int64(masked)), maskIndex, result);
            }
            return result;
        }

        private string ExportTokens(OnnxExportContext context, string x)
        {
            long count = _tokens!.Length;
            var start = context.Int64(TokenStart);
            var valid = context.Node("And", context.Node("Not", context.Node("Less", x, start)),
                context.Node("Less", x, context.Int64(TokenStart + count)));
            var offset = context.Node("Max", context.Node("Sub", x, start), context.Int64(0));
            var position = context.Node("Min", offset, context.Int64(count - 1));
            var tokens = context.Node("Gather", context.Int64s(_tokens), position);
            var result = context.Node("Where", valid, tokens, context.Int64(OovToken!.Value));
            if (MaskToken is long maskToken)
                result = context.Node("Where", context.Node("Equal", x, context.Int64(0)), context.Int64(maskToken), result);
            return result;
        }

        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape)
            => OutputMode == EncodingMode.Int ? inputShape
            : IndexEncoder.OutputShape(inputShape, OutputMode, PadToMaxTokens || _tokens is not null ? Depth() : Shape.Unknown);

        /// <inheritdoc />
        public override LayerConfig GetConfig() => base.GetConfig()
            .With("invert", Invert)
            .With("max_tokens", MaxTokens)
            .With("num_oov_indices", NumOovIndices)
            .With("oov_token", OovToken)
            .With("mask_token", MaskToken)
            .With("output_mode", OutputMode)
            .With("sparse", false)
            .With("pad_to_max_tokens", PadToMaxTokens)
            .With("vocabulary_dtype", "int64")
            .With("idf_weights", null)
            .With("vocabulary", _tokens)
            .With("vocabulary_size", _tokens is null ? null : VocabularySize())
            .With("oov_method", OovMethod);

        private ArgumentException Error(string message) => new($"IntegerLookup: {message}.");
    }
}
