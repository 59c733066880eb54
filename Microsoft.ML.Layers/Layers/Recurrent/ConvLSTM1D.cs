using System;
using Microsoft.ML.Layers.Constraints;
using Microsoft.ML.Layers.Infrastructure;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Regularizers;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Convolutional LSTM over sequences of 1-D signals (Keras's <c>ConvLSTM1D</c>): <see cref="ConvLSTM2D"/> with one spatial
    /// axis, the gates computed by 1-D convolutions of the input step and of <c>h</c>.
    /// </summary>
    /// <remarks>
    /// <para>Input <c>(batch, timesteps, steps, channels)</c> with <c>channels_last</c> (the default), or
    /// <c>(batch, timesteps, channels, steps)</c>. Output <c>(batch, new_steps, filters)</c> (or
    /// <c>(batch, filters, new_steps)</c>), with <c>returnSequences</c> <c>(batch, timesteps, new_steps, filters)</c>; the new
    /// size is that of <see cref="Conv1D"/> with the same window. Weights: <c>kernel</c> <c>(kernel_size, channels, 4 * filters)</c>,
    /// <c>recurrent_kernel</c> <c>(kernel_size, filters, 4 * filters)</c>, <c>bias</c> <c>(4 * filters,)</c>, gates
    /// <c>i, f, c, o</c>. Everything else (states, masks, dropout, ONNX export unrolled over a fixed number of steps) is
    /// <see cref="ConvLSTM2D"/>'s.</para>
    /// <code>
    /// var layer = new ConvLSTM1D(8, 3, padding: Padding.Same);
    /// Tensor y = layer.Apply(torch.randn(4, 10, 16, 2));   // (4, 16, 8)
    /// </code>
    /// </remarks>
    [RegisterLayer("ConvLSTM1D")]
    public sealed class ConvLSTM1D : BaseConvLSTM
    {
        private const int Rank = 1;

        /// <summary>Creates a convolutional LSTM layer; the arguments and defaults are Keras 3's.</summary>
        /// <param name="filters">The number of output channels (of each state); positive.</param>
        /// <param name="kernelSize">The window of both convolutions: one value or a 1-tuple; positive.</param>
        /// <param name="strides">The input convolution's steps: one value or a 1-tuple; default 1. Strides above 1 exclude dilation above
        /// 1.</param>
        /// <param name="padding">The input convolution's padding, <see cref="Layers.Padding.Valid"/> (default) or
        /// <see cref="Layers.Padding.Same"/>.</param>
        /// <param name="dataFormat">Where the channels are (<see cref="Layers.DataFormat"/>); last by default.</param>
        /// <param name="dilationRate">The input convolution's dilation: one value or a 1-tuple; default 1.</param>
        /// <param name="activation">Activation of the candidate and of the carry in the output; default <c>tanh</c> (pass
        /// <see cref="Activations.Linear"/> for none).</param>
        /// <param name="recurrentActivation">Activation of the gates <c>i, f, o</c>; default <c>sigmoid</c>.</param>
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
        /// <param name="timeMajor">tf.keras 2.x's <c>time_major</c>, found in its configs: only <see langword="false"/> (batch first) is
        /// supported. Not part of the config, as in Keras 3.</param>
        /// <param name="zeroOutputForMask">Whether masked steps output zeros instead of repeating the previous output.</param>
        /// <param name="name">The layer name; unique by default (<c>conv_lstm2d</c>, <c>conv_lstm2d_1</c>, ...).</param>
        /// <param name="trainable">Whether the weights are trained.</param>
        /// <param name="dtype">The dtype; the global policy by default.</param>
        /// <exception cref="ArgumentException">An argument is out of range; the message names the layer, the argument and the received
        /// value.</exception>
        public ConvLSTM1D(int filters, IntTuple kernelSize, IntTuple? strides = null, Padding padding = Padding.Valid,
            DataFormat dataFormat = DataFormat.ChannelsLast,
            IntTuple? dilationRate = null, Activation? activation = null, Activation? recurrentActivation = null, bool useBias = true,
            Initializer? kernelInitializer = null, Initializer? recurrentInitializer = null, Initializer? biasInitializer = null,
            bool unitForgetBias = true,
            Regularizer? kernelRegularizer = null, Regularizer? recurrentRegularizer = null, Regularizer? biasRegularizer = null,
            Regularizer? activityRegularizer = null,
            Constraint? kernelConstraint = null, Constraint? recurrentConstraint = null, Constraint? biasConstraint = null,
            double dropout = 0.0, double recurrentDropout = 0.0, long? seed = null,
            bool returnSequences = false, bool returnState = false, bool goBackwards = false, bool stateful = false, bool unroll = false,
            bool timeMajor = false, bool zeroOutputForMask = false,
            string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(Rank, filters, kernelSize, strides, padding, dataFormat, dilationRate, activation, recurrentActivation, useBias,
                kernelInitializer, recurrentInitializer, biasInitializer, unitForgetBias, kernelRegularizer, recurrentRegularizer,
                biasRegularizer, activityRegularizer, kernelConstraint, recurrentConstraint, biasConstraint, dropout, recurrentDropout,
                seed, returnSequences, returnState, goBackwards, stateful, unroll, timeMajor, zeroOutputForMask, name, trainable, dtype,
                nameof(ConvLSTM1D))
        {
        }

        /// <inheritdoc />
        public override int SpatialRank => Rank;
    }
}
