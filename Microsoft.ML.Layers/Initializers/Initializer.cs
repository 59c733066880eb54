using TorchSharp;

namespace Microsoft.ML.Layers.Initializers
{
    /// <summary>
    /// Creates the initial value of a weight (Keras's <c>keras.initializers.Initializer</c>). Built-in initializers are
    /// made by this class's static factories (<c>Initializer.GlorotUniform()</c>) or by name; a custom one subclasses this, overrides
    /// <see cref="Create"/>, and is
    /// registered with <see cref="RegisterComponentAttribute"/> so that configs naming it can be read back.
    /// </summary>
    public abstract partial class Initializer : IKerasSerializable
    {
        /// <summary>
        /// Returns a new tensor of <paramref name="shape"/> and <paramref name="dtype"/> holding initial values. The
        /// tensor does not require gradients; the caller owns it.
        /// </summary>
        public abstract torch.Tensor Create(Shape shape, torch.ScalarType dtype);

        /// <summary>The class name and arguments (Keras's <c>get_config</c>); the base has no arguments.</summary>
        public virtual ComponentConfig GetConfig() => ComponentRegistry.EmptyConfigFor(this);

        /// <summary>The built-in initializer with this Keras name (<c>"he_normal"</c>, <c>"l2"</c>, <c>"max_norm"</c>, ...), with Keras's
        /// defaults.</summary>
        public static implicit operator Initializer(string name) => Initializer.Get(name);
    }
}
