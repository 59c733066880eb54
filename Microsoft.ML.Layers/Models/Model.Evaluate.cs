using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    public partial class Model
    {
        private Dictionary<string, double> EvaluateCore(IEnumerable<Batch> batches, string prefix)
        {
            // Fit has already read the epoch's training results; the same metric objects now measure the evaluation data.
            ResetMetrics();
            int count = 0;
            using (var enumerator = batches.GetEnumerator())
            {
                while (true)
                {
                    using var scope = NewDisposeScope();
                    if (!enumerator.MoveNext())
                        break;
                    TestStep(enumerator.Current);
                    count++;
                }
            }
            if (count == 0)
                throw new InvalidOperationException($"Model '{Name}': the evaluation data produced no batches.");
            return MetricLogs(prefix);
        }

        /// <summary>The loss on <paramref name="x"/>, <paramref name="y"/> in inference mode (Keras's <c>evaluate</c>).</summary>
        public double Evaluate(Tensor x, Tensor y, int batchSize = 32, Tensor? sampleWeight = null)
            => EvaluateAll(x, y, batchSize, sampleWeight)["loss"];

        /// <summary>The loss and every compiled metric on <paramref name="x"/>, <paramref name="y"/> (Keras's
        /// <c>evaluate(return_dict=True)</c>).</summary>
        public IReadOnlyDictionary<string, double> EvaluateAll(Tensor x, Tensor y, int batchSize = 32, Tensor? sampleWeight = null)
        {
            ArgumentNullException.ThrowIfNull(x);
            ArgumentNullException.ThrowIfNull(y);
            return EvaluateAll(new[] { x }, new[] { y }, batchSize, sampleWeight);
        }

        /// <summary>The loss and metrics of a model with several inputs and/or outputs.</summary>
        public IReadOnlyDictionary<string, double> EvaluateAll(IReadOnlyList<Tensor> x, IReadOnlyList<Tensor> y, int batchSize = 32,
            Tensor? sampleWeight = null)
        {
            EnsureCompiled("Evaluate");
            var data = new TensorData(x, y, sampleWeight);
            return EvaluateCore(data.Batches(batchSize, shuffle: false), "");
        }

        /// <summary>The loss and metrics over a sequence of batches.</summary>
        public IReadOnlyDictionary<string, double> EvaluateAll(IEnumerable<Batch> batches)
        {
            ArgumentNullException.ThrowIfNull(batches);
            EnsureCompiled("Evaluate");
            return EvaluateCore(batches, "");
        }

        /// <summary>Predictions for <paramref name="x"/>, computed in batches in inference mode without gradients (Keras's
        /// <c>predict</c>).</summary>
        public Tensor Predict(Tensor x, int batchSize = 32)
            => PredictAll(new[] { x ?? throw new ArgumentNullException(nameof(x)) }, batchSize)[0];

        /// <summary>Predictions of every output for a model with several inputs and/or outputs.</summary>
        public IReadOnlyList<Tensor> PredictAll(IReadOnlyList<Tensor> x, int batchSize = 32)
        {
            ArgumentNullException.ThrowIfNull(x);
            if (batchSize <= 0)
                throw new ArgumentOutOfRangeException(nameof(batchSize), $"Received: batch_size={batchSize}");
            long rows = x[0].shape[0];
            var pieces = new List<List<Tensor>>();
            using (var scope = NewDisposeScope())
            using (no_grad())
            {
                for (long start = 0; start < rows; start += batchSize)
                {
                    long length = Math.Min(batchSize, rows - start);
                    var outputs = Forward(x.Select(t => t.narrow(0, start, length)).ToList(), training: false);
                    for (int i = 0; i < outputs.Count; i++)
                    {
                        if (pieces.Count <= i)
                            pieces.Add(new List<Tensor>());
                        pieces[i].Add(outputs[i]);
                    }
                }
                var results = pieces.Select(p => p.Count == 1 ? p[0].alias() : cat(p, 0)).ToList();
                return results.Select(r => r.MoveToOuterDisposeScope()).ToList();
            }
        }

        /// <summary>Predictions for a .NET array of inputs.</summary>
        public Tensor Predict(Array x, int batchSize = 32)
        {
            using var tx = from_array(x ?? throw new ArgumentNullException(nameof(x)));
            return Predict(tx, batchSize);
        }

        /// <summary>
        /// One gradient step on one batch; returns its loss (Keras's <c>train_on_batch</c>). With a <see cref="Distribution"/>,
        /// the batch is the global batch: each replica trains on its shard and the gradients are combined, but the weights are not
        /// broadcast first (they must already agree, for example after <c>Fit</c> or the strategy's <c>SynchronizeWeights</c>).
        /// </summary>
        public double TrainOnBatch(Tensor x, Tensor y, Tensor? sampleWeight = null, IReadOnlyDictionary<int, double>? classWeight = null)
        {
            EnsureCompiled("TrainOnBatch");
            using var scope = NewDisposeScope();
            ResetMetrics();
            var batch = new Batch(x, y, sampleWeight);
            return Distribution is { } strategy ? TrainStep(strategy.Shard(batch), classWeight, strategy)
                : TrainStep(batch, classWeight);
        }

        /// <summary>The loss on one batch in inference mode (Keras's <c>test_on_batch</c>).</summary>
        public double TestOnBatch(Tensor x, Tensor y, Tensor? sampleWeight = null)
        {
            EnsureCompiled("TestOnBatch");
            using var scope = NewDisposeScope();
            ResetMetrics();
            return TestStep(new Batch(x, y, sampleWeight));
        }

        /// <summary>Predictions for one batch in inference mode without gradients (Keras's <c>predict_on_batch</c>).</summary>
        public Tensor PredictOnBatch(Tensor x)
        {
            ArgumentNullException.ThrowIfNull(x);
            using var noGrad = no_grad();
            return Apply(x, training: false);
        }
    }
}
