using TorchSharp;

namespace Microsoft.ML.Layers.Constraints
{
    /// <summary>
    /// A projection applied to a weight after each optimizer step (Keras's <c>keras.constraints.Constraint</c>).
    /// Built-in constraints are made by this class's static factories (<c>Constraint.MaxNorm(2)</c>) or by name.
    /// </summary>
    public abstract partial class Constraint : IKerasSerializable
    {
        /// <summary>Returns the constrained value of <paramref name="weight"/> as a new tensor (Keras's <c>__call__</c>).</summary>
        public abstract torch.Tensor Apply(torch.Tensor weight);

        /// <summary>The class name and arguments (Keras's <c>get_config</c>); the base has no arguments.</summary>
        public virtual ComponentConfig GetConfig() => ComponentRegistry.EmptyConfigFor(this);

        /// <summary>The built-in constraint with this Keras name (<c>"he_normal"</c>, <c>"l2"</c>, <c>"max_norm"</c>, ...), with Keras's
        /// defaults.</summary>
        public static implicit operator Constraint(string name) => Constraint.Get(name);
    }
}
