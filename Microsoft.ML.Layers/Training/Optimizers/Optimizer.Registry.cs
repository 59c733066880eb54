using System;
using System.Collections.Generic;

namespace Microsoft.ML.Layers.Optimizers
{
    /// <summary>The built-in optimizers by Keras name, with Keras's defaults.</summary>
    public abstract partial class Optimizer
    {
        private static readonly Dictionary<string, Func<Optimizer>> ByName = new(StringComparer.OrdinalIgnoreCase)
        {
            ["sgd"] = () => new SGD(),
            ["adam"] = () => new Adam(),
            ["adamw"] = () => new AdamW(),
            ["rmsprop"] = () => new RMSprop(),
            ["adagrad"] = () => new Adagrad(),
            ["adadelta"] = () => new Adadelta(),
            ["adamax"] = () => new Adamax(),
            ["nadam"] = () => new Nadam(),
        };

        /// <summary>The optimizer named <paramref name="name"/> (case-insensitive), with Keras's defaults.</summary>
        /// <exception cref="ArgumentException">Unknown name; the message lists the known ones.</exception>
        public static Optimizer Get(string name)
        {
            ArgumentNullException.ThrowIfNull(name);
            return ByName.TryGetValue(name, out var create) ? create()
                : throw new ArgumentException($"Unknown optimizer. Received: optimizer='{name}'. Known optimizers: " +
                    $"{string.Join(", ", ByName.Keys)}.", nameof(name));
        }
    }
}
