using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Metrics
{
    /// <summary>
    /// Keras's <c>"accuracy"</c>: binary, sparse categorical or categorical accuracy, chosen at the first batch from the
    /// shapes of targets and predictions (<see cref="Metric.Accuracy"/>). It keeps the name it was asked for.
    /// </summary>
    internal sealed class AccuracyMetric : Metric
    {
        private Metric? _resolved;

        public AccuracyMetric(string name) : base(name)
        {
        }

        public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null)
        {
            _resolved ??= Metric.Accuracy(Name, yTrue, yPred);
            _resolved.UpdateState(yTrue, yPred, sampleWeight);
        }

        public override double Result() => _resolved?.Result() ?? 0;

        public override void ResetState() => _resolved?.ResetState();
    }
}
