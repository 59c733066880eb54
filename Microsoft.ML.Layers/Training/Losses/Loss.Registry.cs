using System;
using System.Collections.Generic;

namespace Microsoft.ML.Layers.Losses
{
    /// <summary>The built-in losses, by Keras's names (and Keras's short aliases such as <c>"mse"</c>).</summary>
    public abstract partial class Loss
    {
        private static readonly Dictionary<string, Func<Loss>> ByName = new(StringComparer.Ordinal)
        {
            ["mean_squared_error"] = () => new MeanSquaredErrorLoss(),
            ["mse"] = () => new MeanSquaredErrorLoss(),
            ["mean_absolute_error"] = () => new MeanAbsoluteErrorLoss(),
            ["mae"] = () => new MeanAbsoluteErrorLoss(),
            ["huber"] = () => new HuberLoss(),
            ["huber_loss"] = () => new HuberLoss(),
            ["binary_crossentropy"] = () => new BinaryCrossentropyLoss(),
            ["categorical_crossentropy"] = () => new CategoricalCrossentropyLoss(),
            ["sparse_categorical_crossentropy"] = () => new SparseCategoricalCrossentropyLoss(),
            ["kl_divergence"] = () => new KLDivergenceLoss(),
            ["kullback_leibler_divergence"] = () => new KLDivergenceLoss(),
            ["kld"] = () => new KLDivergenceLoss(),
            ["poisson"] = () => new PoissonLoss(),
            ["cosine_similarity"] = () => new CosineSimilarityLoss(),
        };

        /// <summary>The loss named <paramref name="name"/>, with Keras's defaults.</summary>
        /// <exception cref="ArgumentException">Unknown name; the message lists the known ones.</exception>
        public static Loss Get(string name)
        {
            ArgumentNullException.ThrowIfNull(name);
            return ByName.TryGetValue(name, out var create) ? create()
                : throw new ArgumentException($"Unknown loss. Received: loss='{name}'. Known losses: {string.Join(", ", ByName.Keys)}.",
                    nameof(name));
        }

        /// <summary>The names <see cref="Get"/> knows.</summary>
        public static IReadOnlyCollection<string> Names => ByName.Keys;
    }
}
