using TorchSharp;

namespace Microsoft.ML.Layers.Initializers
{
    /// <summary>Initializes to 0 (Keras's <c>Zeros</c>, <c>"zeros"</c>, <c>"zero"</c>), in any dtype.</summary>
    [RegisterComponent("Zeros", Aliases = new[] { "zeros", "zero" })]
    public sealed class ZerosInitializer : Initializer
    {
        /// <inheritdoc />
        public override torch.Tensor Create(Shape shape, torch.ScalarType dtype)
            => torch.zeros(Sampling.Dimensions(shape, dtype, "Zeros"), dtype: dtype);
    }
}
