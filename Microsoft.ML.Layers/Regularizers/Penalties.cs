using TorchSharp;

namespace Microsoft.ML.Layers.Regularizers
{
    /// <summary>Shared arithmetic of the built-in regularizers.</summary>
    internal static class Penalties
    {
        /// <summary>
        /// A penalty factor as Keras 3 applies it: held as a float32 (Keras converts the Python float to a float32
        /// tensor) and cast to the dtype of the penalized tensor.
        /// </summary>
        public static torch.Tensor Factor(double factor, torch.Tensor value)
            => torch.tensor((float)factor, torch.ScalarType.Float32, value.device).to(value.dtype);
    }
}
