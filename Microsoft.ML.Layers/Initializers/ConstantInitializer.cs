using TorchSharp;

namespace Microsoft.ML.Layers.Initializers
{
    /// <summary>
    /// Initializes every element to one scalar (Keras's <c>Constant</c>, <c>"constant"</c>). As in Keras, the value is
    /// first cast to the requested dtype (so 2.7 becomes 2 in an integer dtype) and then broadcast.
    /// </summary>
    [RegisterComponent("Constant", Aliases = new[] { "constant" })]
    public sealed class ConstantInitializer : Initializer
    {
        /// <summary>Creates the initializer (Keras's default value is 0.0).</summary>
        /// <param name="value">The value of every element.</param>
        public ConstantInitializer(double value = 0.0) => Value = value;

        /// <summary>The value of every element.</summary>
        public double Value { get; }

        /// <inheritdoc />
        public override torch.Tensor Create(Shape shape, torch.ScalarType dtype)
        {
            var dimensions = Sampling.Dimensions(shape, dtype, "Constant");
            using var scope = torch.NewDisposeScope();
            // Keras: cast(value, dtype) * ones(shape, dtype), computed in place so that only the result is allocated.
            var value = torch.tensor(Value, torch.ScalarType.Float64).to(dtype);
            return torch.ones(dimensions, dtype: dtype).mul_(value).MoveToOuterDisposeScope();
        }

        /// <inheritdoc />
        public override ComponentConfig GetConfig() => base.GetConfig().With("value", Value);
    }
}
