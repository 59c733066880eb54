using TorchSharp;

namespace Microsoft.ML.Layers.Regularizers
{
    /// <summary>
    /// A penalty on a weight or an activity, added to the training loss (Keras's <c>keras.regularizers.Regularizer</c>).
    /// Built-in regularizers are made by this class's static factories (<c>Regularizer.L2(0.01)</c>) or by name.
    /// </summary>
    public abstract partial class Regularizer : IKerasSerializable
    {
        /// <summary>The scalar penalty for <paramref name="value"/> (Keras's <c>__call__</c>).</summary>
        public abstract torch.Tensor Compute(torch.Tensor value);

        /// <summary>The class name and arguments (Keras's <c>get_config</c>); the base has no arguments.</summary>
        public virtual ComponentConfig GetConfig() => ComponentRegistry.EmptyConfigFor(this);

        /// <summary>The built-in regularizer with this Keras name (<c>"he_normal"</c>, <c>"l2"</c>, <c>"max_norm"</c>, ...), with Keras's
        /// defaults.</summary>
        public static implicit operator Regularizer(string name) => Regularizer.Get(name);
    }
}
