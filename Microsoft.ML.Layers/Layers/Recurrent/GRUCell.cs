using System.Collections.Generic;
using Microsoft.ML.Layers.Constraints;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Regularizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// The cell of <see cref="GRU"/> (Keras's <c>GRUCell</c>): one step of the gated recurrent unit, <c>h' = z * h + (1 - z) * ĥ</c>
    /// with the gates <c>z, r</c> and the candidate <c>ĥ</c> as <see cref="GRU"/> documents (<c>resetAfter</c> included); the output
    /// and the only state is <c>h'</c>. <c>new RNN(new GRUCell(n))</c> computes what <c>new GRU(n)</c> does with the same weights.
    /// </summary>
    /// <remarks>
    /// Weights (Keras's names, layout and order): <c>kernel</c> <c>(features, 3 * units)</c>, <c>recurrent_kernel</c>
    /// <c>(units, 3 * units)</c>, in the column blocks <c>z, r, h</c>, and <c>bias</c>: <c>(2, 3 * units)</c> with <c>resetAfter</c>
    /// (row 0 the input bias, row 1 the recurrent bias), else <c>(3 * units,)</c>. See <see cref="DenseRecurrentCell"/> for dropout.
    /// <code>
    /// Tensor y = new RNN(new GRUCell(16)).Apply(torch.randn(8, 10, 4));   // (8, 16)
    /// </code>
    /// </remarks>
    [RegisterLayer("GRUCell")]
    public sealed class GRUCell : DenseRecurrentCell
    {
        /// <summary>Creates a GRU cell; the arguments and defaults are Keras 3's.</summary>
        /// <param name="units">The size of the output and of the state; positive.</param>
        /// <param name="activation">Activation of the candidate; default <c>tanh</c>.</param>
        /// <param name="recurrentActivation">Activation of the gates <c>z, r</c>; default <c>sigmoid</c>.</param>
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
        /// <param name="resetAfter">Whether the reset gate applies after the recurrent product (with a separate recurrent bias).</param>
        /// <param name="seed">Seed of the dropout masks; <see langword="null"/> draws from the global generator.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Whether the weights are trained.</param>
        /// <param name="dtype">The dtype; the global policy by default.</param>
        public GRUCell(int units, Activation? activation = null, Activation? recurrentActivation = null, bool useBias = true,
            Initializer? kernelInitializer = null, Initializer? recurrentInitializer = null, Initializer? biasInitializer = null,
            Regularizer? kernelRegularizer = null, Regularizer? recurrentRegularizer = null, Regularizer? biasRegularizer = null,
            Constraint? kernelConstraint = null, Constraint? recurrentConstraint = null, Constraint? biasConstraint = null,
            double dropout = 0.0, double recurrentDropout = 0.0, bool resetAfter = true, long? seed = null,
            string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(units, activation ?? Activations.Get("tanh"), useBias, kernelInitializer, recurrentInitializer, biasInitializer,
                kernelRegularizer, recurrentRegularizer, biasRegularizer, kernelConstraint, recurrentConstraint, biasConstraint,
                dropout, recurrentDropout, seed, name, trainable, dtype)
        {
            RecurrentActivation = recurrentActivation ?? Activations.Get("sigmoid");
            ResetAfter = resetAfter;
        }

        /// <summary>The activation of the gates <c>z, r</c>.</summary>
        public Activation RecurrentActivation { get; }

        /// <summary>Whether the reset gate applies after the recurrent product (Keras 3's default).</summary>
        public bool ResetAfter { get; }

        /// <inheritdoc />
        protected override int GateCount => 3;

        /// <inheritdoc />
        protected override Shape BiasShape => ResetAfter ? new Shape(2, 3 * Units) : new Shape(3 * Units);

        /// <inheritdoc />
        public override (Tensor Output, IReadOnlyList<Tensor> States) Call(Tensor input, IReadOnlyList<Tensor> states,
            bool? training = null)
        {
            var bias = Bias;
            var projected = ProjectInput(input, states, training, bias is null ? null : ResetAfter ? bias[0] : bias,
                out var recurrentMasks);
            var next = GRU.StepMaths(projected, states[0], RecurrentKernel!, ResetAfter && bias is not null ? bias[1] : null, Units,
                recurrentMasks, ResetAfter, Activation, RecurrentActivation);
            return (next[0], next);
        }

        /// <inheritdoc />
        public override LayerConfig GetConfig() => CellConfig(RecurrentActivation, unitForgetBias: null, ResetAfter);
    }
}
