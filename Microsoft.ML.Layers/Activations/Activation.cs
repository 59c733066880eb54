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

        /// <inheritdoc />
        public override string ToString() => Name;
    }
}
