using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using Microsoft.ML.Layers.Initializers;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// The <c>Get(name)</c> of the component factories, such as <see cref="Initializer.Get"/> (Keras's
    /// <c>keras.initializers.get</c> and its siblings for regularizers and constraints): a registered name or alias,
    /// instantiated with its defaults.
    /// </summary>
    internal static class ComponentLookup
    {
        /// <summary>Resolves <paramref name="name"/> as kind <typeparamref name="T"/> and creates it with its defaults.</summary>
        /// <exception cref="ArgumentException">The name is unknown, or registered as another kind; the message lists the known
        /// names.</exception>
        public static T Get<T>(string name) where T : class
        {
            ArgumentNullException.ThrowIfNull(name);
            var kind = typeof(T);
            string label = kind.Name.ToLowerInvariant();
            if (!ComponentRegistry.IsKnownName(kind, name))
            {
                var otherKind = ComponentRegistry.Kinds.FirstOrDefault(k => k != kind && ComponentRegistry.IsKnownName(k, name));
                string reason = otherKind is null
                    ? $"Unknown {label}"
                    : $"'{name}' is registered as {Article(otherKind.Name.ToLowerInvariant())}, not {Article(label)}";
                throw new ArgumentException(
                    $"{reason}. Received: name='{name}'. Known {label}s: {string.Join(", ", ComponentRegistry.NamesOf(kind))}.",
                    nameof(name));
            }
            return (T)ComponentRegistry.Deserialize(JsonValue.Create(name), kind)!;
        }

        private static string Article(string word) => ("aeiou".Contains(word[0]) ? "an " : "a ") + word;
    }
}
