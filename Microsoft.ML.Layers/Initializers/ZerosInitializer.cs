using TorchSharp;

namespace Microsoft.ML.Layers
{
    /// <summary>Initializes to 0 (Keras's <c>Zeros</c>, <c>"zeros"</c>).</summary>
    [RegisterComponent("Zeros", Aliases = new[] { "zeros", "zero" })]
    public sealed class ZerosInitializer : Initializer
    {
        /// <inheritdoc />
        public override torch.Tensor Create(Shape shape, torch.ScalarType dtype) => torch.zeros(shape.ToArray(), dtype: dtype);
    }
}
