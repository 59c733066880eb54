using System;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Metrics
{
    /// <summary>
    /// The (weighted) mean of a per-sample value over all batches (Keras's <c>MeanMetricWrapper</c>): accuracies, errors,
    /// and the loss tracker. <see cref="RootMeanSquaredErrorMetric"/> reports the root of the mean.
    /// </summary>
    public class MeanMetric : Metric
    {
        private readonly Func<Tensor, Tensor, Tensor> _perSample;
        private double _total;
        private double _count;

        /// <summary>Creates a metric averaging <paramref name="perSample"/>(yTrue, yPred).</summary>
        public MeanMetric(string name, Func<Tensor, Tensor, Tensor> perSample) : base(name)
            => _perSample = perSample ?? throw new ArgumentNullException(nameof(perSample));

        /// <inheritdoc />
        public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var values = _perSample(yTrue, yPred).to(ScalarType.Float64);
            if (sampleWeight is null)
            {
                _total += values.sum().item<double>();
                _count += values.numel();
                return;
            }
            var weight = sampleWeight.to(ScalarType.Float64);
            while (weight.ndim > values.ndim && weight.shape[^1] == 1)
                weight = weight.squeeze(-1);
            weight = weight.expand_as(values);
            _total += (values * weight).sum().item<double>();
            _count += weight.sum().item<double>();
        }

        /// <summary>Adds an already reduced value with a weight (the loss tracker does this per batch).</summary>
        public void Add(double value, double weight)
        {
            _total += value * weight;
            _count += weight;
        }

        /// <inheritdoc />
        public override double Result() => _count == 0 ? 0 : Transform(_total / _count);

        /// <summary>What is reported from the mean; the identity here.</summary>
        protected virtual double Transform(double mean) => mean;

        /// <inheritdoc />
        public override void ResetState()
        {
            _total = 0;
            _count = 0;
        }
    }

    /// <summary>Keras's <c>RootMeanSquaredError</c>: the root of the mean squared error over everything seen.</summary>
    public sealed class RootMeanSquaredErrorMetric : MeanMetric
    {
        /// <summary>Creates the metric.</summary>
        public RootMeanSquaredErrorMetric(string name = "root_mean_squared_error") : base(name, MetricFunctions.SquaredError)
        {
        }

        /// <inheritdoc />
        protected override double Transform(double mean) => Math.Sqrt(mean);
    }
}
