using System;
using Microsoft.ML.Layers.Constraints;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Regularizers;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Gives a class the name it is serialized under (Keras's <c>class_name</c>) and makes it resolvable when a
    /// config is deserialized. Only registered classes are ever instantiated from a config: model files are untrusted.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    public abstract class RegisteredNameAttribute : Attribute
    {
        /// <summary>Registers the class under <paramref name="name"/>.</summary>
        protected RegisteredNameAttribute(string name)
        {
            if (string.IsNullOrWhiteSpace(name))
                throw new ArgumentException("A registered name must not be empty.", nameof(name));
            Name = name;
        }

        /// <summary>The serialized class name, e.g. <c>"Dense"</c> or <c>"GlorotUniform"</c>.</summary>
        public string Name { get; }

        /// <summary>Other names that resolve to the same class, e.g. <c>"glorot_uniform"</c>.</summary>
        public string[] Aliases { get; set; } = Array.Empty<string>();
    }

    /// <summary>Registers a <see cref="Layer"/> subclass under its Keras class name, for <c>FromConfig</c> and model loading.</summary>
    public sealed class RegisterLayerAttribute : RegisteredNameAttribute
    {
        /// <summary>Registers the layer under <paramref name="name"/>.</summary>
        public RegisterLayerAttribute(string name) : base(name)
        {
        }
    }

    /// <summary>Registers an <see cref="Initializer"/>, <see cref="Regularizer"/>, <see cref="Constraint"/>,
    /// <see cref="Optimizers.Optimizer"/> or <see cref="Losses.Loss"/> under its Keras class name.</summary>
    public sealed class RegisterComponentAttribute : RegisteredNameAttribute
    {
        /// <summary>Registers the component under <paramref name="name"/>.</summary>
        public RegisterComponentAttribute(string name) : base(name)
        {
        }
    }
}
