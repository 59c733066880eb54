using System.Collections.Generic;

namespace Microsoft.ML.Layers.Callbacks
{
    /// <summary>
    /// Hooks into <c>Model.Fit</c>
    /// (Keras's <c>keras.callbacks.Callback</c>). Logs map names (<c>"loss"</c>, <c>"accuracy"</c>, <c>"val_loss"</c>, ...) to values;
    /// epochs and batches are 0-based.
    /// </summary>
    public abstract class Callback
    {
        /// <summary>The model being trained; set before <see cref="OnTrainBegin"/>.</summary>
        public Model? Model { get; internal set; }

        /// <summary>Called once before the first epoch.</summary>
        public virtual void OnTrainBegin(IReadOnlyDictionary<string, double> logs)
        {
        }

        /// <summary>Called once after the last epoch (or when training stops early).</summary>
        public virtual void OnTrainEnd(IReadOnlyDictionary<string, double> logs)
        {
        }

        /// <summary>Called at the start of each epoch.</summary>
        public virtual void OnEpochBegin(int epoch, IReadOnlyDictionary<string, double> logs)
        {
        }

        /// <summary>Called at the end of each epoch with the epoch's training and validation results.</summary>
        public virtual void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs)
        {
        }

        /// <summary>Called before each training batch.</summary>
        public virtual void OnTrainBatchBegin(int batch, IReadOnlyDictionary<string, double> logs)
        {
        }

        /// <summary>Called after each training batch with the running loss and metrics of the epoch.</summary>
        public virtual void OnTrainBatchEnd(int batch, IReadOnlyDictionary<string, double> logs)
        {
        }
    }
}
