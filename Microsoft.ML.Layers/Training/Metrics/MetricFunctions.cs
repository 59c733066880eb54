using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Metrics
{
    /// <summary>Keras's per-sample metric functions.</summary>
    internal static class MetricFunctions
    {
        private static Tensor Targets(Tensor yTrue, Tensor yPred)
        {
            var target = yTrue;
            if (target.ndim == yPred.ndim - 1 && yPred.shape[^1] == 1)
                target = target.unsqueeze(-1);
            return target;
        }

        /// <summary>Binary accuracy: the mean over the last axis of <c>(y_pred &gt; threshold) == y_true</c>.</summary>
        public static Tensor BinaryAccuracy(Tensor yTrue, Tensor yPred, double threshold = 0.5)
            => yPred.GtScalar(threshold).to(ScalarType.Float32).eq(Targets(yTrue, yPred).to(ScalarType.Float32)).to(ScalarType.Float32)
                .mean(new long[] { -1 });

        /// <summary>Categorical accuracy: <c>argmax(y_true) == argmax(y_pred)</c> for one-hot targets.</summary>
        public static Tensor CategoricalAccuracy(Tensor yTrue, Tensor yPred)
            => yTrue.argmax(-1).eq(yPred.argmax(-1)).to(ScalarType.Float32);

        /// <summary>Sparse categorical accuracy: <c>y_true == argmax(y_pred)</c> for class-index targets.</summary>
        public static Tensor SparseCategoricalAccuracy(Tensor yTrue, Tensor yPred)
        {
            var target = yTrue.ndim == yPred.ndim && yTrue.shape[^1] == 1 ? yTrue.squeeze(-1) : yTrue;
            return target.to(ScalarType.Int64).eq(yPred.argmax(-1)).to(ScalarType.Float32);
        }

        /// <summary>Whether the true class (one-hot) is among the <paramref name="k"/> highest predictions.</summary>
        public static Tensor TopKCategoricalAccuracy(Tensor yTrue, Tensor yPred, int k = 5)
            => SparseTopKCategoricalAccuracy(yTrue.argmax(-1), yPred, k);

        /// <summary>Whether the true class (index) is among the <paramref name="k"/> highest predictions.</summary>
        public static Tensor SparseTopKCategoricalAccuracy(Tensor yTrue, Tensor yPred, int k = 5)
        {
            var target = (yTrue.ndim == yPred.ndim && yTrue.shape[^1] == 1 ? yTrue.squeeze(-1) : yTrue).to(ScalarType.Int64);
            var top = yPred.topk((int)System.Math.Min(k, yPred.shape[^1]), -1).indexes;
            return top.eq(target.unsqueeze(-1)).any(-1).to(ScalarType.Float32);
        }

        /// <summary>Squared error, averaged over the last axis.</summary>
        public static Tensor SquaredError(Tensor yTrue, Tensor yPred)
            => (yPred - Targets(yTrue, yPred).to(yPred.dtype)).Squared().mean(new long[] { -1 });

        /// <summary>Absolute error, averaged over the last axis.</summary>
        public static Tensor AbsoluteError(Tensor yTrue, Tensor yPred)
            => (yPred - Targets(yTrue, yPred).to(yPred.dtype)).abs().mean(new long[] { -1 });
    }
}
