using System;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Losses
{
    /// <summary>
    /// Keras's <c>huber</c>: per element <c>0.5 x^2</c> where <c>|x| &lt;= delta</c>, else <c>delta (|x| - 0.5 delta)</c>, with
    /// <c>x = y_true - y_pred</c>; per sample the mean over the last axis.
    /// </summary>
    public sealed class HuberLoss : Loss
    {
        /// <summary>Creates the loss.</summary>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="delta"/> is not positive.</exception>
        public HuberLoss(double delta = 1.0) : base("huber")
        {
            Delta = delta > 0 ? delta
                : throw new ArgumentOutOfRangeException(nameof(delta), $"Huber's delta must be positive. Received: delta={delta}");
        }

        /// <summary>Where the loss turns from quadratic to linear.</summary>
        public double Delta { get; }

        /// <inheritdoc />
        protected override Tensor PerSample(Tensor yTrue, Tensor yPred)
        {
            var error = (yPred - MatchTargets(yTrue, yPred)).abs();
            var quadratic = error.ClampMaxScalar(Delta);
            return quadratic.Squared().MulScalar(0.5).add((error - quadratic).MulScalar(Delta), Scalars.IntOne).mean(new long[] { -1 });
        }

        /// <inheritdoc />
        public override ComponentConfig GetConfig() => base.GetConfig().With("delta", Delta);
    }
}
