using System.Runtime.CompilerServices;
using TorchSharp;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// The mask a layer attaches to its output for the next layer (Keras's <c>_keras_mask</c>): a boolean tensor of the
    /// output's leading (batch, time) shape where <see langword="false"/> marks padded steps.
    /// <see cref="Layer.Apply(torch.Tensor, bool?, torch.Tensor?)"/>
    /// reads it from its input when no mask is passed explicitly.
    /// </summary>
    internal static class KerasMask
    {
        private static readonly ConditionalWeakTable<torch.Tensor, torch.Tensor> Masks = new();

        /// <summary>The mask attached to <paramref name="tensor"/>, or <see langword="null"/>.</summary>
        public static torch.Tensor? Get(torch.Tensor tensor) => Masks.TryGetValue(tensor, out var mask) ? mask : null;

        /// <summary>Attaches <paramref name="mask"/> to <paramref name="tensor"/>; <see langword="null"/> removes any mask.</summary>
        public static void Set(torch.Tensor tensor, torch.Tensor? mask)
        {
            if (mask is null)
                Masks.Remove(tensor);
            else
                Masks.AddOrUpdate(tensor, mask);
        }
    }
}
