using System;
using TorchSharp;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// A named element-wise (or last-axis, for softmax) function, serialized by its Keras name (<c>"relu"</c>). Get the
    /// built-in ones from <see cref="Activations"/>; register custom ones with <see cref="Activations.Register"/>.
    /// </summary>
    public sealed class Activation
    {
        private readonly Func<torch.Tensor, torch.Tensor> _function;

        /// <summary>Creates an activation named <paramref name="name"/> computing <paramref name="function"/>.</summary>
        public Activation(string name, Func<torch.Tensor, torch.Tensor> function)
        {
            if (string.IsNullOrWhiteSpace(name))
                throw new ArgumentException("An activation needs a name.", nameof(name));
            Name = name;
            _function = function ?? throw new ArgumentNullException(nameof(function));
        }

        /// <summary>The Keras name, e.g. <c>"relu"</c>.</summary>
        public string Name { get; }

        /// <summary>Applies the function; returns a new tensor.</summary>
        public torch.Tensor Apply(torch.Tensor input) => _function(input);

        /// <summary>The registered activation with this Keras name, so that <c>activation: "relu"</c> reads like Keras.</summary>
        /// <exception cref="ArgumentException">The name is not registered.</exception>
        public static implicit operator Activation(string name) => Activations.Get(name);

        /// <inheritdoc />
        public override string ToString() => Name;
    }
}
