using System.Collections.Generic;
using Microsoft.ML.Layers.Constraints;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Regularizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// The cell of <see cref="LSTM"/> (Keras's <c>LSTMCell</c>): one step <c>c' = σ(f) * c + σ(i) * act(c̃)</c>,
    /// <c>h' = σ(o) * act(c')</c> on <c>z = x @ kernel + h @ recurrent_kernel + bias</c> split into <c>i, f, c, o</c>. The output
    /// is <c>h'</c>; the states are <c>[h, c]</c>. <c>new RNN(new LSTMCell(n))</c> computes what <c>new LSTM(n)</c> does with the
    /// same weights.
    /// </summary>
    /// <remarks>
    /// Weights (Keras's names, layout and order): <c>kernel</c> <c>(features, 4 * units)</c>, <c>recurrent_kernel</c>
    /// <c>(units, 4 * units)</c>, <c>bias</c> <c>(4 * units,)</c>, in the column blocks <c>i, f, c, o</c>. See
    /// <see cref="DenseRecurrentCell"/> for dropout.
    /// <code>
    /// var rnn = new RNN(new LSTMCell(4), returnSequences: true, returnState: true);
    /// var all = rnn.ApplyAll(torch.randn(32, 10, 8));   // [(32, 10, 4), h (32, 4), c (32, 4)]
    /// </code>
    /// </remarks>
    [RegisterLayer("LSTMCell")]
    public sealed class LSTMCell : DenseRecurrentCell
    {
        /// <summary>Creates an LSTM cell; the arguments and defaults are Keras 3's.</summary>
        /// <param name="units">The size of the output and of each state; positive.</param>
        /// <param name="activation">Activation of the candidate and of the carry in the output; default <c>tanh</c>.</param>
        /// <param name="recurrentActivation">Activation of the gates <c>i, f, o</c>; default <c>sigmoid</c>.</param>
        /// <param name="useBias">Whether the cell has a bias.</param>
        /// <param name="kernelInitializer">Default <c>glorot_uniform</c>.</param>
        /// <param name="recurrentInitializer">Default <c>orthogonal</c>.</param>
        /// <param name="biasInitializer">Default <c>zeros</c>.</param>
        /// <param name="unitForgetBias">Whether the forget gate's bias starts at 1.</param>
        /// <param name="kernelRegularizer">Penalty on the kernel.</param>
        /// <param name="recurrentRegularizer">Penalty on the recurrent kernel.</param>
        /// <param name="biasRegularizer">Penalty on the bias.</param>
        /// <param name="kernelConstraint">Projection of the kernel after each optimizer step.</param>
        /// <param name="recurrentConstraint">Projection of the recurrent kernel after each optimizer step.</param>
        /// <param name="biasConstraint">Projection of the bias after each optimizer step.</param>
        /// <param name="dropout">Keras's input dropout rate, in training (see <see cref="DenseRecurrentCell"/>).</param>
        /// <param name="recurrentDropout">Keras's recurrent dropout rate, in training.</param>
        /// <param name="seed">Seed of the dropout masks; <see langword="null"/> draws from the global generator.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Whether the weights are trained.</param>
        /// <param name="dtype">The dtype; the global policy by default.</param>
        public LSTMCell(int units, Activation? activation = null, Activation? recurrentActivation = null, bool useBias = true,
            Initializer? kernelInitializer = null, Initializer? recurrentInitializer = null, Initializer? biasInitializer = null,
            bool unitForgetBias = true,
            Regularizer? kernelRegularizer = null, Regularizer? recurrentRegularizer = null, Regularizer? biasRegularizer = null,
            Constraint? kernelConstraint = null, Constraint? recurrentConstraint = null, Constraint? biasConstraint = null,
            double dropout = 0.0, double recurrentDropout = 0.0, long? seed = null,
            string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(units, activation ?? Activations.Get("tanh"), useBias, kernelInitializer, recurrentInitializer, biasInitializer,
                kernelRegularizer, recurrentRegularizer, biasRegularizer, kernelConstraint, recurrentConstraint, biasConstraint,
                dropout, recurrentDropout, seed, name, trainable, dtype)
        {
            RecurrentActivation = recurrentActivation ?? Activations.Get("sigmoid");
            UnitForgetBias = unitForgetBias;
        }

        /// <summary>The activation of the gates <c>i, f, o</c>.</summary>
        public Activation RecurrentActivation { get; }

        /// <summary>Whether the forget gate's bias starts at 1.</summary>
        public bool UnitForgetBias { get; }

        /// <summary>Two states, <c>[h, c]</c>, each of <see cref="DenseRecurrentCell.Units"/>.</summary>
        public override IReadOnlyList<int> StateSize => new[] { Units, Units };

        /// <inheritdoc />
        protected override int GateCount => 4;

        /// <inheritdoc />
        protected override Initializer BuildBiasInitializer
            => UnitForgetBias ? new UnitForgetBiasInitializer(BiasInitializer, Units) : BiasInitializer;

        /// <inheritdoc />
        public override (Tensor Output, IReadOnlyList<Tensor> States) Call(Tensor input, IReadOnlyList<Tensor> states,
            bool? training = null)
        {
            var projected = ProjectInput(input, states, training, Bias, out var recurrentMasks);
            var next = LSTM.StepMaths(projected, states, RecurrentKernel!, Units, recurrentMasks, Activation, RecurrentActivation);
            return (next[0], next);
        }

        /// <inheritdoc />
        public override LayerConfig GetConfig() => CellConfig(RecurrentActivation, UnitForgetBias, resetAfter: null);
    }
}
