using System.Collections.Generic;
using Microsoft.ML.Layers.Constraints;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Regularizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// A fully-connected recurrent layer whose output is fed back (Keras's <c>SimpleRNN</c>): each step
    /// <c>h' = act(x_t @ kernel + bias + h @ recurrent_kernel)</c>; the output and the only state is <c>h'</c>.
    /// </summary>
    /// <remarks>
    /// Weights (Keras's layout and order): <c>kernel</c> <c>(features, units)</c>, <c>recurrent_kernel</c> <c>(units, units)</c>,
    /// <c>bias</c> <c>(units,)</c>. Input <c>(batch, timesteps, features)</c>; output <c>(batch, units)</c>, or
    /// <c>(batch, timesteps, units)</c> with <c>returnSequences</c>; with <c>returnState</c>, <c>ApplyAll</c> returns
    /// <c>[output, h]</c>. See <see cref="RecurrentLayer"/> for masks, dropout and stateful use.
    /// <code>
    /// var rnn = new SimpleRNN(4);
    /// Tensor y = rnn.Apply(torch.randn(32, 10, 8));   // (32, 4)
    /// </code>
    /// </remarks>
    [RegisterLayer("SimpleRNN")]
    public sealed class SimpleRNN : RecurrentLayer
    {
        /// <summary>Creates a simple recurrent layer; the arguments and defaults are Keras 3's.</summary>
        /// <param name="units">The size of the output and of the state; positive.</param>
        /// <param name="activation">The activation; default <c>tanh</c>.</param>
        /// <param name="useBias">Whether the layer has a bias.</param>
        /// <param name="kernelInitializer">Default <c>glorot_uniform</c>.</param>
        /// <param name="recurrentInitializer">Default <c>orthogonal</c>.</param>
        /// <param name="biasInitializer">Default <c>zeros</c>.</param>
        /// <param name="kernelRegularizer">Penalty on the kernel.</param>
        /// <param name="recurrentRegularizer">Penalty on the recurrent kernel.</param>
        /// <param name="biasRegularizer">Penalty on the bias.</param>
        /// <param name="activityRegularizer">Penalty on the outputs.</param>
        /// <param name="kernelConstraint">Projection of the kernel after each optimizer step.</param>
        /// <param name="recurrentConstraint">Projection of the recurrent kernel after each optimizer step.</param>
        /// <param name="biasConstraint">Projection of the bias after each optimizer step.</param>
        /// <param name="dropout">Fraction of the inputs dropped in training, in [0, 1).</param>
        /// <param name="recurrentDropout">Fraction of the recurrent state dropped in training, in [0, 1).</param>
        /// <param name="returnSequences">Whether to return the output of every step.</param>
        /// <param name="returnState">Whether to return the final state after the output.</param>
        /// <param name="goBackwards">Whether to process the sequence backwards.</param>
        /// <param name="stateful">Whether the final state of a batch is the initial state of the next one (fixed batch size).</param>
        /// <param name="unroll">Accepted for Keras compatibility; no effect.</param>
        /// <param name="seed">Seed of the dropout masks. Keras 3 leaves it out of SimpleRNN's config, and so does this layer.</param>
        /// <param name="zeroOutputForMask">Whether masked steps output zeros instead of repeating the previous output.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Whether the weights are trained.</param>
        /// <param name="dtype">The dtype; the global policy by default.</param>
        public SimpleRNN(int units, Activation? activation = null, bool useBias = true,
            Initializer? kernelInitializer = null, Initializer? recurrentInitializer = null, Initializer? biasInitializer = null,
            Regularizer? kernelRegularizer = null, Regularizer? recurrentRegularizer = null, Regularizer? biasRegularizer = null,
            Regularizer? activityRegularizer = null,
            Constraint? kernelConstraint = null, Constraint? recurrentConstraint = null, Constraint? biasConstraint = null,
            double dropout = 0.0, double recurrentDropout = 0.0,
            bool returnSequences = false, bool returnState = false, bool goBackwards = false, bool stateful = false, bool unroll = false,
            long? seed = null, bool zeroOutputForMask = false,
            string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(units, activation ?? Activations.Get("tanh"), useBias, kernelInitializer, recurrentInitializer, biasInitializer,
                kernelRegularizer, recurrentRegularizer, biasRegularizer, activityRegularizer, kernelConstraint, recurrentConstraint,
                biasConstraint,
                dropout, recurrentDropout, seed, returnSequences, returnState, goBackwards, stateful, unroll, zeroOutputForMask, name,
                trainable, dtype)
        {
        }

        /// <inheritdoc />
        protected override int GateCount => 1;

        /// <inheritdoc />
        protected override int StateCount => 1;

        /// <inheritdoc />
        internal override NativeRecurrentKind NativeKind => Activation.Name switch
        {
            "tanh" => NativeRecurrentKind.RnnTanh,
            "relu" => NativeRecurrentKind.RnnRelu,
            _ => NativeRecurrentKind.None,
        };

        /// <inheritdoc />
        protected override Tensor[] Step(Tensor projectedInput, IReadOnlyList<Tensor> states, Tensor[]? recurrentMasks)
            => StepMaths(projectedInput, states[0], RecurrentKernel!, Units, recurrentMasks, Activation);

        /// <summary>One step from the input projection <c>x_t @ kernel + bias</c> and <c>h</c>: <c>[act(projection + h @ U)]</c>,
        /// the maths <see cref="SimpleRNNCell"/> shares.</summary>
        internal static Tensor[] StepMaths(Tensor projectedInput, Tensor h, Tensor recurrentKernel, int units, Tensor[]? recurrentMasks,
            Activation activation)
            => new[] { activation.Apply(AddKernelProduct(projectedInput, h, recurrentKernel, units, recurrentMasks)) };
    }
}
