using System;
using System.Collections.Generic;
using Microsoft.ML.Layers.Regularizers;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    // Losses: AddLoss, activity regularization and the weight penalties, collected over nested layers.
    public abstract partial class Layer
    {
        /// <summary>Adds a loss (a scalar tensor) from <see cref="Call(Tensor, bool?, Tensor?)"/>; it counts until the next outermost
        /// call.</summary>
        public void AddLoss(Tensor loss)
        {
            ArgumentNullException.ThrowIfNull(loss);
            lock (_stateGate)
                _losses.Add(loss);
            CallContext.Current?.Losses.Add(loss);
        }

        /// <summary>
        /// The losses of the last outermost call (from <see cref="AddLoss"/> and activity regularizers, this layer's and its
        /// nested layers'), then the weight regularization penalties of the trainable weights, computed now.
        /// </summary>
        public IReadOnlyList<Tensor> Losses
        {
            get
            {
                var result = new List<Tensor>();
                CollectOwnLosses(result, new HashSet<Layer>(ReferenceEqualityComparer.Instance));
                foreach (var weight in TrainableWeights)
                {
                    if (weight.Regularizer is not null)
                        result.Add(weight.Regularizer.Compute(weight));
                }
                return result;
            }
        }

        private void CollectOwnLosses(List<Tensor> result, HashSet<Layer> visited)
        {
            if (!visited.Add(this))
                return;
            lock (_stateGate)
                result.AddRange(_losses);
            foreach (var (_, layer) in TrackedLayers())
                layer.CollectOwnLosses(result, visited);
        }

        private void ClearLosses()
        {
            var visited = new HashSet<Layer>(ReferenceEqualityComparer.Instance);
            var pending = new Stack<Layer>();
            pending.Push(this);
            while (pending.Count > 0)
            {
                var layer = pending.Pop();
                if (!visited.Add(layer))
                    continue;
                lock (layer._stateGate)
                    layer._losses.Clear();
                foreach (var (_, nested) in layer.TrackedLayers())
                    pending.Push(nested);
            }
        }
    }
}
