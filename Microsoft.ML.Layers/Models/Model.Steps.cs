using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Layers.Optimizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    public partial class Model
    {
        private IReadOnlyList<Tensor> Forward(IReadOnlyList<Tensor> inputs, bool training)
        {
            if (Graph is not null && Graph.Inputs.Count != inputs.Count)
                throw new ArgumentException($"Model '{Name}' expects {Graph.Inputs.Count} input(s) but received {inputs.Count}.");
            return inputs.Count == 1 && (Graph is null || Graph.Inputs.Count == 1) ? ApplyAll(inputs[0], training)
                : ApplyAll(inputs, training);
        }

        /// <summary>The total loss of a batch: the weighted outputs' losses plus the layers' <see cref="Layer.Losses"/>.</summary>
        private Tensor TotalLoss(Batch batch, IReadOnlyList<Tensor> predictions, Tensor? sampleWeight)
        {
            if (batch.Targets.Count != OutputCount)
                throw new ArgumentException($"Model '{Name}' has {OutputCount} output(s) but the data has {batch.Targets.Count} " +
                    $"target(s).");
            Tensor? total = null;
            for (int i = 0; i < OutputCount; i++)
            {
                var value = _losses![i].Compute(batch.Targets[i], predictions[i], sampleWeight);
                if (_lossWeights![i] != 1.0)
                    value = value.MulScalar(_lossWeights[i]);
                total = total is null ? value : total.Plus(value);
            }
            var sum = total!;
            foreach (var extra in Losses)
                sum = sum.Plus(extra.to(sum.dtype).sum());
            return sum;
        }

        private Tensor? SampleWeightsFor(Batch batch, IReadOnlyDictionary<int, double>? classWeight)
        {
            if (classWeight is null)
                return batch.SampleWeight;
            var target = batch.Targets[0];
            Tensor classes = target.ndim >= 2 && target.shape[^1] > 1 ? target.argmax(-1)
                : (target.ndim >= 2 ? target.squeeze(-1) : target).round().to(ScalarType.Int64);
            long maxClass = classWeight.Keys.DefaultIfEmpty(0).Max();
            var table = ones(Math.Max(maxClass + 1, classes.numel() == 0 ? 1 : classes.max().item<long>() + 1), dtype: ScalarType.Float32);
            foreach (var (cls, weight) in classWeight)
                table[cls] = tensor((float)weight);
            var weights = table.index_select(0, classes.reshape(-1)).reshape(classes.shape);
            return batch.SampleWeight is null ? weights : weights * batch.SampleWeight.to(ScalarType.Float32);
        }

        /// <summary>One optimizer step on <paramref name="batch"/>; with a strategy, the batch is this replica's shard of a global
        /// batch and the returned loss is the global batch's, and <paramref name="runningLogs"/> (when given) receives the
        /// epoch's running logs averaged over the replicas, <paramref name="logWeight"/> being this replica's rows so far.</summary>
        private double TrainStep(Batch batch, IReadOnlyDictionary<int, double>? classWeight, DistributionStrategy? strategy = null,
            Dictionary<string, double>? runningLogs = null, double logWeight = 0)
        {
            var trainable = TrainableWeights;
            foreach (var weight in trainable)
                weight.grad = null;
            var predictions = Forward(batch.Inputs, training: true);
            var sampleWeight = SampleWeightsFor(batch, classWeight);
            var loss = TotalLoss(batch, predictions, sampleWeight);
            double lossValue = ReadScalar(loss);
            if (strategy is not null)
            {
                // Every replica joins the collective, whatever its own loss; the global loss decides the step on all of them.
                // The metrics are updated first (they read this step's predictions, not the updated weights), so that their
                // running values travel in the same collective as the gradients.
                loss.backward();
                UpdateMetrics(batch, predictions, sampleWeight, lossValue);
                if (runningLogs is not null)
                {
                    foreach (var (key, value) in MetricLogs())
                        runningLogs[key] = value;
                }
                double globalLoss = strategy.SynchronizeStep(this, trainable, lossValue, batch.Size, runningLogs, logWeight);
                if (double.IsFinite(globalLoss))
                    Optimizer!.Apply(trainable);
                return globalLoss;
            }
            if (double.IsFinite(lossValue))
            {
                loss.backward();
                Optimizer!.Apply(trainable);
            }
            UpdateMetrics(batch, predictions, sampleWeight, lossValue);
            return lossValue;
        }

        /// <summary>A scalar loss as a double, read without a conversion kernel for the usual float32 and float64.</summary>
        private static double ReadScalar(Tensor loss) => loss.dtype switch
        {
            ScalarType.Float32 => loss.item<float>(),
            ScalarType.Float64 => loss.item<double>(),
            _ => loss.to(ScalarType.Float64).item<double>(),
        };

        private void UpdateMetrics(Batch batch, IReadOnlyList<Tensor> predictions, Tensor? sampleWeight, double lossValue)
        {
            _lossTracker.Add(lossValue, batch.Size);
            var metrics = MetricsFor();
            using var noGrad = no_grad();
            for (int output = 0; output < metrics.Count; output++)
            {
                foreach (var metric in metrics[output])
                    metric.UpdateState(batch.Targets[output], predictions[output].detach(), sampleWeight);
            }
        }

        private double TestStep(Batch batch)
        {
            using var noGrad = no_grad();
            var predictions = Forward(batch.Inputs, training: false);
            double lossValue = ReadScalar(TotalLoss(batch, predictions, batch.SampleWeight));
            UpdateMetrics(batch, predictions, batch.SampleWeight, lossValue);
            return lossValue;
        }
    }
}
