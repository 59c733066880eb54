using System.Collections.Generic;
using System.Text.Json.Nodes;

namespace Microsoft.ML.Layers
{
    // Config: the Keras arguments every recurrent layer shares.
    public abstract partial class RecurrentLayer
    {
        /// <inheritdoc />
        public override LayerConfig GetConfig()
            => SequenceConfig()
                .With("units", Units)
                .With("activation", Activation)
                .With("use_bias", UseBias)
                .With("kernel_initializer", KernelInitializer)
                .With("recurrent_initializer", RecurrentInitializer)
                .With("bias_initializer", BiasInitializer)
                .With("kernel_regularizer", KernelRegularizer)
                .With("recurrent_regularizer", RecurrentRegularizer)
                .With("bias_regularizer", BiasRegularizer)
                .With("activity_regularizer", ActivityRegularizer)
                .With("kernel_constraint", KernelConstraint)
                .With("recurrent_constraint", RecurrentConstraint)
                .With("bias_constraint", BiasConstraint)
                .With("dropout", Dropout)
                .With("recurrent_dropout", RecurrentDropout);

        /// <summary>The config keys of Keras's <c>RNN</c> itself (the base layer's, then <c>return_sequences</c> ...
        /// <c>zero_output_for_mask</c>), before those of the cell folded in.</summary>
        private protected LayerConfig SequenceConfig()
        {
            var config = base.GetConfig();
            RecordSequenceBuildShape(config, BuildShapes);
            return config
                .With("return_sequences", ReturnSequences)
                .With("return_state", ReturnState)
                .With("go_backwards", GoBackwards)
                .With("stateful", Stateful)
                .With("unroll", Unroll)
                .With("zero_output_for_mask", ZeroOutputForMask);
        }

        /// <summary>
        /// Keras builds a recurrent layer (or its wrapper) from the sequence's shape alone: for a layer first called with
        /// initial states, the config records only that shape.
        /// </summary>
        internal static void RecordSequenceBuildShape(LayerConfig config, IReadOnlyList<Shape>? buildShapes)
        {
            if (config.BuildConfig is JsonObject build && buildShapes is { Count: > 1 })
                build["input_shape"] = KerasJson.ToNode(buildShapes[0].With(0, Shape.Unknown), "input_shape");
        }
    }
}
