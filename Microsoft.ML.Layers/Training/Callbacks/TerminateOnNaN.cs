using System.Collections.Generic;

namespace Microsoft.ML.Layers.Callbacks
{
    /// <summary>
    /// Stops training quietly when the loss becomes NaN or infinite (Keras's <c>TerminateOnNaN</c>). With it, <c>Fit</c>
    /// returns instead of raising its non-finite-loss error.
    /// </summary>
    public sealed class TerminateOnNaN : Callback
    {
        /// <summary>The (0-based) batch at which the loss was first non-finite, or null.</summary>
        public int? TerminatedAtBatch { get; private set; }

        /// <inheritdoc />
        public override void OnTrainBatchEnd(int batch, IReadOnlyDictionary<string, double> logs)
        {
            if (logs.TryGetValue("loss", out double loss) && !double.IsFinite(loss))
            {
                TerminatedAtBatch = batch;
                Model!.StopTraining = true;
            }
        }
    }
}
