using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Layers.Constraints;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Regularizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Gated Recurrent Unit (Keras's <c>GRU</c>, Cho et al. 2014). Each step, with the input projection <c>x_t @ kernel + b_in</c>
    /// split into the gates <c>x_z, x_r, x_h</c> (Keras's order) and <c>U = recurrent_kernel</c> split likewise:
    /// <c>z = σ(x_z + h @ U_z + b_rz)</c>, <c>r = σ(x_r + h @ U_r + b_rr)</c>, then the candidate
    /// <c>ĥ = act(x_h + r * (h @ U_h + b_rh))</c> with <c>resetAfter</c> (the default), or <c>ĥ = act(x_h + (r * h) @ U_h)</c> without;
    /// finally <c>h' = z * h + (1 - z) * ĥ</c>. The output and the only state is <c>h'</c>.
    /// </summary>
    /// <remarks>
    /// Weights (Keras's layout and order): <c>kernel</c> <c>(features, 3 * units)</c>, <c>recurrent_kernel</c> <c>(units, 3 * units)</c>,
    /// each in the column blocks <c>z, r, h</c>, and <c>bias</c>: <c>(2, 3 * units)</c> with <c>resetAfter</c> (row 0 the input bias,
    /// row 1 the recurrent bias <c>b_r*</c>), else <c>(3 * units,)</c> (input bias only).
    /// Input <c>(batch, timesteps, features)</c>; output <c>(batch, units)</c>, or <c>(batch, timesteps, units)</c> with
    /// <c>returnSequences</c>; with <c>returnState</c>, <c>ApplyAll</c> returns <c>[output, h]</c>. See <see cref="RecurrentLayer"/>
    /// for masks, dropout and stateful use.
    /// <code>
    /// var gru = new GRU(16);
    /// Tensor y = gru.Apply(torch.randn(8, 10, 4));    // (8, 16); bias (2, 48)
    /// </code>
    /// </remarks>
    [RegisterLayer("GRU")]
    public sealed class GRU : RecurrentLayer
    {
        /// <summary>Creates a GRU layer; the arguments and defaults are Keras 3's.</summary>
        /// <param name="units">The size of the output and of the state; positive.</param>
        /// <param name="activation">Activation of the candidate; default <c>tanh</c>.</param>
        /// <param name="recurrentActivation">Activation of the gates <c>z, r</c>; default <c>sigmoid</c>.</param>
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
        /// <param name="seed">Seed of the dropout masks.</param>
        /// <param name="returnSequences">Whether to return the output of every step.</param>
        /// <param name="returnState">Whether to return the final state after the output.</param>
        /// <param name="goBackwards">Whether to process the sequence backwards.</param>
        /// <param name="stateful">Whether the final state of a batch is the initial state of the next one (fixed batch size).</param>
        /// <param name="unroll">Accepted for Keras compatibility; no effect.</param>
        /// <param name="resetAfter">Whether the reset gate applies after the recurrent product (with a separate recurrent bias) rather than
        /// before.</param>
        /// <param name="zeroOutputForMask">Whether masked steps output zeros instead of repeating the previous output.</param>
        /// <param name="implementation">Keras's <c>implementation</c>: 1 draws one dropout mask per gate, 2 (default) one for all; a
        /// recurrent dropout forces 1. Not part of the config, as in Keras.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Whether the weights are trained.</param>
        /// <param name="dtype">The dtype; the global policy by default.</param>
        public GRU(int units, Activation? activation = null, Activation? recurrentActivation = null, bool useBias = true,
            Initializer? kernelInitializer = null, Initializer? recurrentInitializer = null, Initializer? biasInitializer = null,
            Regularizer? kernelRegularizer = null, Regularizer? recurrentRegularizer = null, Regularizer? biasRegularizer = null,
            Regularizer? activityRegularizer = null,
            Constraint? kernelConstraint = null, Constraint? recurrentConstraint = null, Constraint? biasConstraint = null,
            double dropout = 0.0, double recurrentDropout = 0.0, long? seed = null,
            bool returnSequences = false, bool returnState = false, bool goBackwards = false, bool stateful = false, bool unroll = false,
            bool resetAfter = true, bool zeroOutputForMask = false, int implementation = 2,
            string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(units, activation ?? Activations.Get("tanh"), useBias, kernelInitializer, recurrentInitializer, biasInitializer,
                kernelRegularizer, recurrentRegularizer, biasRegularizer, activityRegularizer, kernelConstraint, recurrentConstraint,
                biasConstraint,
                dropout, recurrentDropout, seed, returnSequences, returnState, goBackwards, stateful, unroll, zeroOutputForMask, name,
                trainable, dtype)
        {
            RecurrentActivation = recurrentActivation ?? Activations.Get("sigmoid");
            ResetAfter = resetAfter;
            Implementation = recurrentDropout != 0 ? 1 : implementation;
        }

        /// <summary>The activation of the gates <c>z, r</c>.</summary>
        public Activation RecurrentActivation { get; }

        /// <summary>Whether the reset gate applies after the recurrent product (Keras's default, cuDNN's convention).</summary>
        public bool ResetAfter { get; }

        /// <summary>Keras's <c>implementation</c> (1: one dropout mask per gate; 2: one for all). The maths is the same.</summary>
        public int Implementation { get; }

        /// <inheritdoc />
        protected override int GateCount => 3;

        /// <inheritdoc />
        protected override int StateCount => 1;

        /// <inheritdoc />
        protected override bool DropoutMaskPerGate => Implementation == 1;

        /// <inheritdoc />
        protected override Shape BiasShape => ResetAfter ? new Shape(2, 3 * Units) : new Shape(3 * Units);

        /// <inheritdoc />
        protected override Tensor? InputBias => Bias is null ? null : ResetAfter ? Bias[0] : Bias;

        /// <inheritdoc />
        internal override NativeRecurrentKind NativeKind
            => ResetAfter && Activation.Name == "tanh" && RecurrentActivation.Name == "sigmoid" ? NativeRecurrentKind.Gru
                : NativeRecurrentKind.None;

        /// <inheritdoc />
        internal override Tensor[] NativeWeights()
        {
            // Keras's gate blocks z, r, h; libtorch's r, z, n. The bias rows are the input and the recurrent biases.
            Tensor Reorder(Tensor w) { var g = w.chunk(3, -1); return cat(new[] { g[1], g[0], g[2] }, -1); }
            var weights = new[] { Reorder(Kernel!).t(), Reorder(RecurrentKernel!).t() };
            return Bias is null ? weights : weights.Concat(new[] { Reorder(Bias[0]), Reorder(Bias[1]) }).ToArray();
        }

        /// <inheritdoc />
        protected override Tensor[] Step(Tensor projectedInput, IReadOnlyList<Tensor> states, Tensor[]? recurrentMasks)
            => StepMaths(projectedInput, states[0], RecurrentKernel!, ResetAfter && Bias is not null ? Bias[1] : null, Units,
                recurrentMasks, ResetAfter, Activation, RecurrentActivation);

        /// <summary>
        /// One GRU step from the input projection <c>x_t @ kernel + b_in</c> and <c>h</c> (<paramref name="recurrentBias"/>: the
        /// recurrent bias row with <paramref name="resetAfter"/> and a bias, else null): the maths <see cref="GRUCell"/> shares.
        /// Returns <c>[h']</c>.
        /// </summary>
        internal static Tensor[] StepMaths(Tensor projectedInput, Tensor h, Tensor recurrentKernel, Tensor? recurrentBias, int units,
            Tensor[]? recurrentMasks, bool resetAfter, Activation activation, Activation recurrentActivation)
        {
            var x = projectedInput.chunk(3, 1);
            Tensor candidate;
            Tensor z;
            if (resetAfter)
            {
                var inner = (recurrentBias is null ? KernelProduct(h, recurrentKernel, units, recurrentMasks, 0, 3)
                    : recurrentMasks is null ? recurrentBias.addmm(h, recurrentKernel)
                    : KernelProduct(h, recurrentKernel, units, recurrentMasks, 0, 3).Plus(recurrentBias))
                        .chunk(3, 1);
                z = recurrentActivation.Apply(x[0].Plus(inner[0]));
                var r = recurrentActivation.Apply(x[1].Plus(inner[1]));
                candidate = activation.Apply(x[2].Plus(r * inner[2]));
            }
            else
            {
                var inner = KernelProduct(h, recurrentKernel, units, recurrentMasks, 0, 2).chunk(2, 1);
                z = recurrentActivation.Apply(x[0].Plus(inner[0]));
                var r = recurrentActivation.Apply(x[1].Plus(inner[1]));
                candidate = activation.Apply(x[2].Plus(KernelProduct(r * h, recurrentKernel, units, recurrentMasks, 2, 1)));
            }
            return new[] { (z * h).Plus(1.SubFrom(z) * candidate) };
        }

        /// <inheritdoc />
        public override LayerConfig GetConfig() => base.GetConfig()
            .With("recurrent_activation", RecurrentActivation)
            .With("reset_after", ResetAfter)
            .With("seed", Seed);
    }
}
