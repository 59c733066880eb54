using System.Collections.Generic;
using Microsoft.ML.Layers.Constraints;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Regularizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Long Short-Term Memory (Keras's <c>LSTM</c>, Hochreiter 1997). Each step, with <c>z = x_t @ kernel + h @ recurrent_kernel + bias</c>
    /// split into the gates <c>i, f, c, o</c> (Keras's order):
    /// <c>c' = σ(f) * c + σ(i) * act(c̃)</c>, <c>h' = σ(o) * act(c')</c>, where σ is <see cref="RecurrentActivation"/> and
    /// act is <see cref="RecurrentLayer.Activation"/>. The output is <c>h'</c>; the states are <c>[h, c]</c>.
    /// </summary>
    /// <remarks>
    /// Weights (Keras's layout and order): <c>kernel</c> <c>(features, 4 * units)</c>, <c>recurrent_kernel</c> <c>(units, 4 * units)</c>,
    /// <c>bias</c> <c>(4 * units,)</c>, each split in the column blocks <c>i, f, c, o</c>. With <c>unitForgetBias</c> the bias starts
    /// as <c>[bias_initializer(units), ones(units), bias_initializer(2 * units)]</c>.
    /// Input <c>(batch, timesteps, features)</c>; output <c>(batch, units)</c>, or <c>(batch, timesteps, units)</c> with
    /// <c>returnSequences</c>; with <c>returnState</c>, <c>ApplyAll</c> returns <c>[output, h, c]</c>. See <see cref="RecurrentLayer"/>
    /// for masks, dropout and stateful use.
    /// <code>
    /// var lstm = new LSTM(32, returnSequences: true);
    /// Tensor y = lstm.Apply(torch.randn(8, 10, 16));                               // (8, 10, 32)
    /// var all = new LSTM(4, returnState: true).ApplyAll(torch.randn(8, 10, 16));   // [output (8, 4), h (8, 4), c (8, 4)]
    /// </code>
    /// </remarks>
    [RegisterLayer("LSTM")]
    public sealed class LSTM : RecurrentLayer
    {
        /// <summary>Creates an LSTM layer; the arguments and defaults are Keras 3's.</summary>
        /// <param name="units">The size of the output and of each state; positive.</param>
        /// <param name="activation">Activation of the candidate and of the carry in the output; default <c>tanh</c>, <see langword="null"/>
        /// is linear.</param>
        /// <param name="recurrentActivation">Activation of the gates <c>i, f, o</c>; default <c>sigmoid</c>, <see langword="null"/> is
        /// linear.</param>
        /// <param name="useBias">Whether the layer has a bias.</param>
        /// <param name="kernelInitializer">Default <c>glorot_uniform</c>.</param>
        /// <param name="recurrentInitializer">Default <c>orthogonal</c>.</param>
        /// <param name="biasInitializer">Default <c>zeros</c>.</param>
        /// <param name="unitForgetBias">Whether the forget gate's bias starts at 1 (the rest from
        /// <paramref name="biasInitializer"/>).</param>
        /// <param name="kernelRegularizer">Penalty on the kernel.</param>
        /// <param name="recurrentRegularizer">Penalty on the recurrent kernel.</param>
        /// <param name="biasRegularizer">Penalty on the bias.</param>
        /// <param name="activityRegularizer">Penalty on the outputs.</param>
        /// <param name="kernelConstraint">Projection of the kernel after each optimizer step.</param>
        /// <param name="recurrentConstraint">Projection of the recurrent kernel after each optimizer step.</param>
        /// <param name="biasConstraint">Projection of the bias after each optimizer step.</param>
        /// <param name="dropout">Fraction of the inputs dropped in training, in [0, 1).</param>
        /// <param name="recurrentDropout">Fraction of the recurrent state dropped in training, in [0, 1).</param>
        /// <param name="seed">Seed of the dropout masks.</param>
        /// <param name="returnSequences">Whether to return the output of every step.</param>
        /// <param name="returnState">Whether to return the final <c>h</c> and <c>c</c> after the output.</param>
        /// <param name="goBackwards">Whether to process the sequence backwards.</param>
        /// <param name="stateful">Whether the final states of a batch are the initial states of the next one (fixed batch size).</param>
        /// <param name="unroll">Accepted for Keras compatibility; no effect.</param>
        /// <param name="zeroOutputForMask">Whether masked steps output zeros instead of repeating the previous output.</param>
        /// <param name="implementation">Keras's <c>implementation</c>: 1 draws one dropout mask per gate, 2 (default) one for all; a
        /// recurrent dropout forces 1. Not part of the config, as in Keras.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Whether the weights are trained.</param>
        /// <param name="dtype">The dtype; the global policy by default.</param>
        public LSTM(int units, Activation? activation = null, Activation? recurrentActivation = null, bool useBias = true,
            Initializer? kernelInitializer = null, Initializer? recurrentInitializer = null, Initializer? biasInitializer = null,
            bool unitForgetBias = true,
            Regularizer? kernelRegularizer = null, Regularizer? recurrentRegularizer = null, Regularizer? biasRegularizer = null,
            Regularizer? activityRegularizer = null,
            Constraint? kernelConstraint = null, Constraint? recurrentConstraint = null, Constraint? biasConstraint = null,
            double dropout = 0.0, double recurrentDropout = 0.0, long? seed = null,
            bool returnSequences = false, bool returnState = false, bool goBackwards = false, bool stateful = false, bool unroll = false,
            bool zeroOutputForMask = false, int implementation = 2,
            string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(units, activation ?? Activations.Get("tanh"), useBias, kernelInitializer, recurrentInitializer, biasInitializer,
                kernelRegularizer, recurrentRegularizer, biasRegularizer, activityRegularizer, kernelConstraint, recurrentConstraint,
                biasConstraint,
                dropout, recurrentDropout, seed, returnSequences, returnState, goBackwards, stateful, unroll, zeroOutputForMask, name,
                trainable, dtype)
        {
            RecurrentActivation = recurrentActivation ?? Activations.Get("sigmoid");
            UnitForgetBias = unitForgetBias;
            Implementation = recurrentDropout != 0 ? 1 : implementation;
        }

        /// <summary>The activation of the gates <c>i, f, o</c>.</summary>
        public Activation RecurrentActivation { get; }

        /// <summary>Whether the forget gate's bias starts at 1.</summary>
        public bool UnitForgetBias { get; }

        /// <summary>Keras's <c>implementation</c> (1: one dropout mask per gate; 2: one for all). The maths is the same.</summary>
        public int Implementation { get; }

        /// <inheritdoc />
        protected override int GateCount => 4;

        /// <inheritdoc />
        protected override int StateCount => 2;

        /// <inheritdoc />
        protected override bool DropoutMaskPerGate => Implementation == 1;

        /// <inheritdoc />
        protected override Initializer BuildBiasInitializer
            => UnitForgetBias ? new UnitForgetBiasInitializer(BiasInitializer, Units) : BiasInitializer;

        /// <inheritdoc />
        internal override NativeRecurrentKind NativeKind
            => Activation.Name == "tanh" && RecurrentActivation.Name == "sigmoid" ? NativeRecurrentKind.Lstm : NativeRecurrentKind.None;

        /// <inheritdoc />
        protected override Tensor[] Step(Tensor projectedInput, IReadOnlyList<Tensor> states, Tensor[]? recurrentMasks)
            => StepMaths(projectedInput, states, RecurrentKernel!, Units, recurrentMasks, Activation, RecurrentActivation);

        /// <summary>
        /// One LSTM step from the input projection <c>x_t @ kernel + bias</c> and the states <c>[h, c]</c>: the maths
        /// <see cref="LSTMCell"/> shares. Returns <c>[h', c']</c>.
        /// </summary>
        internal static Tensor[] StepMaths(Tensor projectedInput, IReadOnlyList<Tensor> states, Tensor recurrentKernel, int units,
            Tensor[]? recurrentMasks, Activation activation, Activation recurrentActivation)
        {
            var z = AddKernelProduct(projectedInput, states[0], recurrentKernel, units, recurrentMasks).chunk(4, 1);
            return Cell(z, states[1], activation, recurrentActivation);
        }

        /// <summary>
        /// The LSTM cell's gates on the pre-activations <paramref name="z"/> (<c>i, f, c, o</c>, Keras's order), shared with
        /// <see cref="ConvLSTM2D"/>: <c>c' = σ(f) * c + σ(i) * act(c̃)</c>, <c>h' = σ(o) * act(c')</c>. Returns <c>[h', c']</c>.
        /// </summary>
        internal static Tensor[] Cell(Tensor[] z, Tensor carry, Activation activation, Activation recurrentActivation)
        {
            var i = recurrentActivation.Apply(z[0]);
            var f = recurrentActivation.Apply(z[1]);
            var o = recurrentActivation.Apply(z[3]);
            var c = (f * carry).Plus(i * activation.Apply(z[2]));
            var h = o * activation.Apply(c);
            return new[] { h, c };
        }

        /// <inheritdoc />
        public override LayerConfig GetConfig() => base.GetConfig()
            .With("recurrent_activation", RecurrentActivation)
            .With("unit_forget_bias", UnitForgetBias)
            .With("seed", Seed);
    }
}
