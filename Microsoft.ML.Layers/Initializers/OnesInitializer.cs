using TorchSharp;

namespace Microsoft.ML.Layers.Initializers
{
    /// <summary>Initializes to 1 (Keras's <c>Ones</c>, <c>"ones"</c>, <c>"one"</c>), in any dtype.</summary>
    [RegisterComponent("Ones", Aliases = new[] { "ones", "one" })]
    public sealed class OnesInitializer : Initializer
    {
        /// <inheritdoc />
        public override torch.Tensor Create(Shape shape, torch.ScalarType dtype)
            => torch.ones(Sampling.Dimensions(shape, dtype, "Ones"), dtype: dtype);
    }
}
