using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Data;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Estimators
{
    /// <summary>
    /// The columns a trained network adds, with ML.NET's conventions and annotations (so that <c>Evaluate</c>, <c>PredictionEngine</c>
    /// and permutation feature importance find them): regression <c>Score</c>; binary <c>Score</c> (raw), <c>Probability</c>,
    /// <c>PredictedLabel</c> (Boolean); multiclass <c>Score</c> (class probabilities with slot names) and <c>PredictedLabel</c>
    /// (key with the label's key values). Computes their values for a whole batch from the network's output.
    /// </summary>
    internal sealed class ScoreColumns
    {
        private readonly NeuralNetworkModelParameters _model;

        public ScoreColumns(NeuralNetworkModelParameters model, DataViewSchema inputSchema)
        {
            _model = model;
            uint setId = NextScoreColumnSetId(inputSchema);
            var builder = new DataViewSchema.Builder();
            switch (model.Task)
            {
                case NeuralNetworkTask.Regression:
                    builder.AddColumn("Score", NumberDataViewType.Single, ScoreAnnotations("Regression", "Score", setId));
                    break;
                case NeuralNetworkTask.BinaryClassification:
                    builder.AddColumn("Score", NumberDataViewType.Single, ScoreAnnotations("BinaryClassification", "Score", setId));
                    builder.AddColumn("Probability", NumberDataViewType.Single,
                        ScoreAnnotations("BinaryClassification", "Probability", setId, normalized: true));
                    builder.AddColumn("PredictedLabel", BooleanDataViewType.Instance,
                        ScoreAnnotations("BinaryClassification", "PredictedLabel", setId));
                    break;
                case NeuralNetworkTask.FeatureExtraction:
                    builder.AddColumn(model.OutputColumnName, new VectorDataViewType(NumberDataViewType.Single, model.OutputWidth));
                    break;
                default:
                    int classes = model.ClassCount;
                    var names = model.ClassNames;
                    var scoreAnnotations = new DataViewSchema.Annotations.Builder();
                    scoreAnnotations.Add(ScoreAnnotations("MulticlassClassification", "Score", setId), _ => true);
                    if (names.Length == classes)
                    {
                        scoreAnnotations.AddSlotNames(classes, (ref VBuffer<ReadOnlyMemory<char>> value) => names.CopyTo(ref value));
                        scoreAnnotations.Add("TrainingLabelValues", new VectorDataViewType(TextDataViewType.Instance, classes),
                            (ref VBuffer<ReadOnlyMemory<char>> value) => names.CopyTo(ref value));
                    }
                    builder.AddColumn("Score", new VectorDataViewType(NumberDataViewType.Single, classes),
                        scoreAnnotations.ToAnnotations());
                    var labelAnnotations = new DataViewSchema.Annotations.Builder();
                    labelAnnotations.Add(ScoreAnnotations("MulticlassClassification", "PredictedLabel", setId), _ => true);
                    if (names.Length == classes)
                        labelAnnotations.AddKeyValues(classes, TextDataViewType.Instance,
                            (ref VBuffer<ReadOnlyMemory<char>> value) => names.CopyTo(ref value));
                    builder.AddColumn("PredictedLabel", new KeyDataViewType(typeof(uint), classes), labelAnnotations.ToAnnotations());
                    break;
            }
            Added = builder.ToSchema();
        }

        /// <summary>ML.NET's type of the <c>ScoreColumnSetId</c> annotation: a key of UInt32 with int.MaxValue values.</summary>
        internal static readonly KeyDataViewType ScoreColumnSetIdType = new(typeof(uint), int.MaxValue);

        /// <summary>The added columns (names, types, annotations).</summary>
        public DataViewSchema Added { get; }

        private static uint NextScoreColumnSetId(DataViewSchema schema)
        {
            uint max = 0;
            foreach (var column in schema)
            {
                if (column.Annotations.Schema.GetColumnOrNull("ScoreColumnSetId") is DataViewSchema.Column id
                    && id.Type.RawType == typeof(uint))
                {
                    uint value = 0;
                    column.Annotations.GetValue("ScoreColumnSetId", ref value);
                    max = Math.Max(max, value);
                }
            }
            return max + 1;
        }

        private static DataViewSchema.Annotations ScoreAnnotations(string kind, string valueKind, uint setId, bool normalized = false)
        {
            var builder = new DataViewSchema.Annotations.Builder();
            builder.Add("ScoreColumnSetId", ScoreColumnSetIdType, (ref uint value) => value = setId);
            builder.Add("ScoreColumnKind", TextDataViewType.Instance, (ref ReadOnlyMemory<char> value) => value = kind.AsMemory());
            builder.Add("ScoreValueKind", TextDataViewType.Instance, (ref ReadOnlyMemory<char> value) => value = valueKind.AsMemory());
            if (normalized)
                builder.Add("IsNormalized", BooleanDataViewType.Instance, (ref bool value) => value = true);
            return builder.ToAnnotations();
        }

        /// <summary>Computes every added column for a batch from the network's output (no gradients).</summary>
        public ScoreBatch Compute(Tensor output)
        {
            using var scope = NewDisposeScope();
            var values = output.detach().to(ScalarType.Float32);
            if (values.ndim == 1)
                values = values.unsqueeze(1);
            int rows = (int)values.shape[0];
            switch (_model.Task)
            {
                case NeuralNetworkTask.FeatureExtraction:
                    return new ScoreBatch(rows, values.reshape(rows, -1).contiguous().data<float>().ToArray(), null, null, null);
                case NeuralNetworkTask.Regression:
                    return new ScoreBatch(rows, values[.., 0].contiguous().data<float>().ToArray(), null, null, null);
                case NeuralNetworkTask.BinaryClassification:
                {
                    var first = values[.., 0];
                    var probability = _model.OutputsProbabilities ? first : first.sigmoid();
                    // ML.NET's Score is the raw (uncalibrated) score: the logit.
                    var score = _model.OutputsProbabilities ? first.ClampScalar(1e-7, 1 - 1e-7).logit() : first;
                    var p = probability.contiguous().data<float>().ToArray();
                    return new ScoreBatch(rows, score.contiguous().data<float>().ToArray(), p, p.Select(v => v > 0.5f).ToArray(), null);
                }
                default:
                {
                    var probabilities = _model.OutputsProbabilities ? values : values.softmax(-1);
                    var scores = probabilities.contiguous().data<float>().ToArray();
                    return new ScoreBatch(rows, scores, null, null, PredictedKeys(scores, rows, (int)probabilities.shape[1]));
                }
            }
        }

        /// <summary>The arrays of one row's added columns, filled again by every <see cref="ComputeSingleRow"/>.</summary>
        public ScoreBatch CreateSingleRowBatch() => _model.Task switch
        {
            NeuralNetworkTask.FeatureExtraction => new ScoreBatch(1, new float[_model.OutputWidth], null, null, null),
            NeuralNetworkTask.Regression => new ScoreBatch(1, new float[1], null, null, null),
            NeuralNetworkTask.BinaryClassification => new ScoreBatch(1, new float[1], new float[1], new bool[1], null),
            _ => new ScoreBatch(1, new float[_model.ClassCount], null, null, new uint[1]),
        };

        /// <summary>
        /// <see cref="Compute"/> for an output of one row, written into <paramref name="target"/> (from
        /// <see cref="CreateSingleRowBatch"/>): the same tensor operations, so the same values, without new arrays. The caller
        /// owns the dispose scope and the no-gradient mode.
        /// </summary>
        public void ComputeSingleRow(Tensor output, ScoreBatch target)
        {
            var values = output.dtype == ScalarType.Float32 ? output : output.to(ScalarType.Float32);
            long rows = values.ndim == 0 ? -1 : values.size(0);
            if (rows != 1)
                throw new InvalidOperationException($"The single-row scorer expected an output of one row, received shape " +
                    $"[{string.Join(", ", values.shape)}].");
            switch (_model.Task)
            {
                case NeuralNetworkTask.FeatureExtraction:
                    ReadFloats(values, target.Scores, "the feature vector");
                    return;
                case NeuralNetworkTask.Regression:
                    target.Scores[0] = FirstFloat(values);
                    return;
                case NeuralNetworkTask.BinaryClassification:
                {
                    // values[.., 0] as Compute takes it; a (1, 1) or (1,) output is that element already.
                    var first = values.NumberOfElements == 1 ? values : values.ndim == 1 ? values[0] : values[.., 0];
                    var probability = _model.OutputsProbabilities ? first : first.sigmoid();
                    var score = _model.OutputsProbabilities ? first.ClampScalar(1e-7, 1 - 1e-7).logit() : first;
                    float p = FirstFloat(probability);
                    target.Scores[0] = FirstFloat(score);
                    target.Probabilities![0] = p;
                    target.PredictedBooleans![0] = p > 0.5f;
                    return;
                }
                default:
                {
                    if (values.ndim == 1)
                        values = values.unsqueeze(1);
                    var probabilities = _model.OutputsProbabilities ? values : values.softmax(-1);
                    ReadFloats(probabilities, target.Scores, "the class scores");
                    target.PredictedKeys![0] = PredictedKeys(target.Scores, 1, target.Scores.Length)[0];
                    return;
                }
            }
        }

        private static float FirstFloat(Tensor values)
            => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(
                (values.is_contiguous() ? values : values.contiguous()).bytes)[0];

        private static void ReadFloats(Tensor values, float[] target, string what)
        {
            var span = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(
                (values.is_contiguous() ? values : values.contiguous()).bytes);
            if (span.Length != target.Length)
                throw new InvalidOperationException($"The network's output has {span.Length} values per row; {what} has {target.Length}.");
            span.CopyTo(target);
        }

        /// <summary>
        /// The predicted class keys as ML.NET's multiclass scorer computes them: one plus the index of the largest score, NaN
        /// scores skipped and the first of equal scores taken; key 0 (missing) when every score of the row is NaN, as a row
        /// with NaN features gets from ML.NET's own trainers (docs/mlnet.md, "Missing values").
        /// </summary>
        internal static uint[] PredictedKeys(float[] scores, int rows, int classes)
        {
            var keys = new uint[rows];
            for (int row = 0; row < rows; row++)
            {
                int best = -1;
                float max = float.NegativeInfinity;
                for (int c = 0; c < classes; c++)
                {
                    float value = scores[row * classes + c];
                    if (value > max || (best < 0 && !float.IsNaN(value)))
                    {
                        best = c;
                        max = value;
                    }
                }
                keys[row] = (uint)(best + 1);
            }
            return keys;
        }

        /// <summary>The getter of added column <paramref name="index"/> reading row <paramref name="rowInBatch"/>() of the current
        /// batch.</summary>
        public Delegate Getter(int index, Func<ScoreBatch> batch, Func<int> rowInBatch)
        {
            string name = Added[index].Name;
            int width = _model.Task switch
            {
                NeuralNetworkTask.MulticlassClassification => _model.ClassCount,
                NeuralNetworkTask.FeatureExtraction => _model.OutputWidth,
                _ => 1,
            };
            return (_model.Task, name) switch
            {
                (NeuralNetworkTask.FeatureExtraction, _) => VectorGetter(batch, rowInBatch, width),
                (NeuralNetworkTask.MulticlassClassification, "Score") => VectorGetter(batch, rowInBatch, width),
                (NeuralNetworkTask.MulticlassClassification, _)
                    => (ValueGetter<uint>)((ref uint value) => value = batch().PredictedKeys![rowInBatch()]),
                (_, "Score") => (ValueGetter<float>)((ref float value) => value = batch().Scores[rowInBatch()]),
                (_, "Probability") => (ValueGetter<float>)((ref float value) => value = batch().Probabilities![rowInBatch()]),
                _ => (ValueGetter<bool>)((ref bool value) => value = batch().PredictedBooleans![rowInBatch()]),
            };
        }

        private static ValueGetter<VBuffer<float>> VectorGetter(Func<ScoreBatch> batch, Func<int> rowInBatch, int width)
            => (ref VBuffer<float> value) =>
            {
                var editor = VBufferEditor.Create(ref value, width);
                batch().Scores.AsSpan(rowInBatch() * width, width).CopyTo(editor.Values);
                value = editor.Commit();
            };
    }

    /// <summary>The added columns' values for a batch of rows, in flat arrays.</summary>
    internal sealed record ScoreBatch(int Rows, float[] Scores, float[]? Probabilities, bool[]? PredictedBooleans, uint[]? PredictedKeys);
}
