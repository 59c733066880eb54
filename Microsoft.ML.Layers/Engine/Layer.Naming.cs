using System;
using System.Collections.Concurrent;

namespace Microsoft.ML.Layers
{
    // Naming: default names (snake_case class name plus a counter) and name validation.
    public abstract partial class Layer
    {
        private static readonly ConcurrentDictionary<string, int> NameCounters = new(StringComparer.Ordinal);

        /// <summary>The layer's name, unique among layers created with default names.</summary>
        public string Name { get; internal set; }

        /// <summary>
        /// The class name default layer names derive from (snake_cased, then made unique): the C# class name, unless a layer
        /// whose C# name differs from Keras's overrides it (<see cref="ActivationLayer"/> is Keras's <c>Activation</c>). It is
        /// read in the base constructor, so an override must return a constant.
        /// </summary>
        protected virtual string DefaultNameBase => GetType().Name;

        private static void ValidateName(string name)
        {
            if (string.IsNullOrWhiteSpace(name) || name.Contains('/'))
                throw new ArgumentException($"A layer name must be non-empty and must not contain '/'. Received: name='{name}'.",
                    nameof(name));
        }

        private static string UniqueName(string baseName)
        {
            int count = NameCounters.AddOrUpdate(baseName, 0, (_, previous) => previous + 1);
            return count == 0 ? baseName : $"{baseName}_{count}";
        }

        /// <summary>
        /// Resets the counters behind default names, so the next <c>Dense</c> is named <c>dense</c> again (what Keras's
        /// <c>clear_session</c> does for names). For tests and notebooks.
        /// </summary>
        public static void ResetNameCounters() => NameCounters.Clear();
    }
}
