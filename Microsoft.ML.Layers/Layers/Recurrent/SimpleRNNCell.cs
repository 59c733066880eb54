using System.Collections.Generic;
using Microsoft.ML.Layers.Constraints;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Regularizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// The cell of <see cref="SimpleRNN"/> (Keras's <c>SimpleRNNCell</c>): one step <c>h' = act(x @ kernel + bias + h @
    /// recurrent_kernel)</c>; the output and the only state is <c>h'</c>. <c>new RNN(new SimpleRNNCell(n))</c> computes what
    /// <c>new SimpleRNN(n)</c> does with the same weights.
    /// </summary>
    /// <remarks>
    /// Weights (Keras's names, layout and order): <c>kernel</c> <c>(features, units)</c>, <c>recurrent_kernel</c>
    /// <c>(units, units)</c>, <c>bias</c> <c>(units,)</c>. See <see cref="DenseRecurrentCell"/> for dropout.
    /// <code>
    /// Tensor y = new RNN(new SimpleRNNCell(4)).Apply(torch.randn(32, 10, 8));   // (32, 4)
    /// </code>
    /// </remarks>
    [RegisterLayer("SimpleRNNCell")]
    public sealed class SimpleRNNCell : DenseRecurrentCell
    {
        /// <summary>Creates a simple recurrent cell; the arguments and defaults are Keras 3's.</summary>
        /// <param name="units">The size of the output and of the state; positive.</param>
        /// <param name="activation">The activation; default <c>tanh</c>.</param>
        /// <param name="useBias">Whether the cell has a bias.</param>
        /// <param name="kernelInitializer">Default <c>glorot_uniform</c>.</param>
        /// <param name="recurrentInitializer">Default <c>orthogonal</c>.</param>
        /// <param name="biasInitializer">Default <c>zeros</c>.</param>
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
        public SimpleRNNCell(int units, Activation? activation = null, bool useBias = true,
            Initializer? kernelInitializer = null, Initializer? recurrentInitializer = null, Initializer? biasInitializer = null,
            Regularizer? kernelRegularizer = null, Regularizer? recurrentRegularizer = null, Regularizer? biasRegularizer = null,
            Constraint? kernelConstraint = null, Constraint? recurrentConstraint = null, Constraint? biasConstraint = null,
            double dropout = 0.0, double recurrentDropout = 0.0, long? seed = null,
            string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(units, activation ?? Activations.Get("tanh"), useBias, kernelInitializer, recurrentInitializer, biasInitializer,
                kernelRegularizer, recurrentRegularizer, biasRegularizer, kernelConstraint, recurrentConstraint, biasConstraint,
                dropout, recurrentDropout, seed, name, trainable, dtype)
        {
        }

        /// <inheritdoc />
        protected override int GateCount => 1;

        /// <inheritdoc />
        public override (Tensor Output, IReadOnlyList<Tensor> States) Call(Tensor input, IReadOnlyList<Tensor> states,
            bool? training = null)
        {
            var projected = ProjectInput(input, states, training, Bias, out var recurrentMasks);
            var next = SimpleRNN.StepMaths(projected, states[0], RecurrentKernel!, Units, recurrentMasks, Activation);
            return (next[0], next);
        }

        /// <inheritdoc />
        public override LayerConfig GetConfig() => CellConfig(recurrentActivation: null, unitForgetBias: null, resetAfter: null);
    }
}
