using System;
using System.Linq;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Metrics
{
    /// <summary>
    /// Accumulates true/false positives and negatives at a set of thresholds (a prediction is positive when it is above
    /// the threshold), over all batches; the base of <see cref="AucMetric"/>, <see cref="PrecisionMetric"/> and <see cref="RecallMetric"/>.
    /// </summary>
    public abstract class ConfusionMatrixMetric : Metric
    {
        private readonly double[] _thresholds;

        /// <summary>Creates the metric for the given thresholds.</summary>
        protected ConfusionMatrixMetric(string name, double[] thresholds) : base(name)
        {
            _thresholds = thresholds;
            TruePositives = new double[thresholds.Length];
            FalsePositives = new double[thresholds.Length];
            TrueNegatives = new double[thresholds.Length];
            FalseNegatives = new double[thresholds.Length];
        }

        /// <summary>Weighted true positives per threshold.</summary>
        protected double[] TruePositives { get; }

        /// <summary>Weighted false positives per threshold.</summary>
        protected double[] FalsePositives { get; }

        /// <summary>Weighted true negatives per threshold.</summary>
        protected double[] TrueNegatives { get; }

        /// <summary>Weighted false negatives per threshold.</summary>
        protected double[] FalseNegatives { get; }

        /// <inheritdoc />
        public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var predictions = yPred.to(ScalarType.Float64).reshape(-1, 1);
            var labels = yTrue.to(ScalarType.Float64).reshape(-1, 1).gt(Scalars.Half);
            if (labels.shape[0] != predictions.shape[0])
                throw new ArgumentException($"Metric '{Name}': {labels.shape[0]} targets for {predictions.shape[0]} predictions.");
            var weights = sampleWeight is null ? ones_like(predictions)
                : sampleWeight.to(ScalarType.Float64).reshape(-1, 1).expand_as(predictions);
            var thresholds = tensor(_thresholds, ScalarType.Float64).reshape(1, -1);
            var positive = predictions.gt(thresholds);
            var actual = labels.expand_as(positive);
            Accumulate(TruePositives, (positive & actual).to(ScalarType.Float64) * weights);
            Accumulate(FalsePositives, (positive & actual.logical_not()).to(ScalarType.Float64) * weights);
            Accumulate(TrueNegatives, (positive.logical_not() & actual.logical_not()).to(ScalarType.Float64) * weights);
            Accumulate(FalseNegatives, (positive.logical_not() & actual).to(ScalarType.Float64) * weights);
        }

        private static void Accumulate(double[] totals, Tensor counts)
        {
            var sums = counts.sum(dim: 0).data<double>().ToArray();
            for (int i = 0; i < totals.Length; i++)
                totals[i] += sums[i];
        }

        /// <inheritdoc />
        public override void ResetState()
        {
            foreach (var array in new[] { TruePositives, FalsePositives, TrueNegatives, FalseNegatives })
                Array.Clear(array);
        }

        /// <summary><paramref name="numerator"/> / <paramref name="denominator"/>, or 0 when the denominator is 0 (Keras's
        /// divide_no_nan).</summary>
        protected static double DivideNoNan(double numerator, double denominator) => denominator == 0 ? 0 : numerator / denominator;
    }

    /// <summary>Keras's <c>Precision</c> at threshold 0.5: TP / (TP + FP).</summary>
    public sealed class PrecisionMetric : ConfusionMatrixMetric
    {
        /// <summary>Creates the metric.</summary>
        public PrecisionMetric(double threshold = 0.5, string name = "precision") : base(name, new[] { threshold })
        {
        }

        /// <inheritdoc />
        public override double Result() => DivideNoNan(TruePositives[0], TruePositives[0] + FalsePositives[0]);
    }

    /// <summary>Keras's <c>Recall</c> at threshold 0.5: TP / (TP + FN).</summary>
    public sealed class RecallMetric : ConfusionMatrixMetric
    {
        /// <summary>Creates the metric.</summary>
        public RecallMetric(double threshold = 0.5, string name = "recall") : base(name, new[] { threshold })
        {
        }

        /// <inheritdoc />
        public override double Result() => DivideNoNan(TruePositives[0], TruePositives[0] + FalseNegatives[0]);
    }

    /// <summary>
    /// Keras's <c>AUC</c> (ROC curve, interpolation summation): confusion matrices at <c>num_thresholds</c> thresholds evenly
    /// spaced in [0, 1] (the ends nudged by 1e-7), then the trapezoidal area under TPR against FPR.
    /// </summary>
    public sealed class AucMetric : ConfusionMatrixMetric
    {
        /// <summary>Creates the metric.</summary>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="numThresholds"/> is below 2.</exception>
        public AucMetric(int numThresholds = 200, string name = "auc") : base(name, Thresholds(numThresholds))
        {
        }

        private static double[] Thresholds(int count)
        {
            if (count < 2)
                throw new ArgumentOutOfRangeException(nameof(count), $"`num_thresholds` must be > 1. Received: num_thresholds={count}");
            return new[] { -Epsilon.Value }
                .Concat(Enumerable.Range(1, count - 2).Select(i => (double)i / (count - 1)))
                .Append(1 + Epsilon.Value)
                .ToArray();
        }

        /// <inheritdoc />
        public override double Result()
        {
            int n = TruePositives.Length;
            double area = 0;
            for (int i = 0; i < n - 1; i++)
            {
                double tprA = DivideNoNan(TruePositives[i], TruePositives[i] + FalseNegatives[i]);
                double tprB = DivideNoNan(TruePositives[i + 1], TruePositives[i + 1] + FalseNegatives[i + 1]);
                double fprA = DivideNoNan(FalsePositives[i], FalsePositives[i] + TrueNegatives[i]);
                double fprB = DivideNoNan(FalsePositives[i + 1], FalsePositives[i + 1] + TrueNegatives[i + 1]);
                area += (fprA - fprB) * (tprA + tprB) / 2;
            }
            return area;
        }
    }
}
