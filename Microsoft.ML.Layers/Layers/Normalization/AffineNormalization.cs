using Microsoft.ML.Layers.Constraints;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Regularizers;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Infrastructure
{
    /// <summary>
    /// The base of the normalization layers that rescale their normalized output with a learned <c>gamma</c> and shift it
    /// with a learned <c>beta</c> (<see cref="BatchNormalization"/>, <see cref="LayerNormalization"/>,
    /// <see cref="GroupNormalization"/>): Keras's <c>center</c>/<c>scale</c> arguments, with the initializers,
    /// regularizers and constraints of both weights.
    /// </summary>
    /// <remarks>
    /// Weights, created in this order when enabled: <c>gamma</c> (initialized to ones), then <c>beta</c> (zeros), with the
    /// shape each layer gives them.
    /// <code>
    /// var norm = new LayerNormalization(center: false);   // gamma only
    /// </code>
    /// </remarks>
    public abstract class AffineNormalization : Layer
    {
        private Parameter? _gamma;
        private Parameter? _beta;

        private protected AffineNormalization(bool center, bool scale,
            Initializer? betaInitializer, Initializer? gammaInitializer,
            Regularizer? betaRegularizer, Regularizer? gammaRegularizer,
            Constraint? betaConstraint, Constraint? gammaConstraint,
            string? name, bool trainable, ScalarType? dtype)
            : base(name, trainable, dtype)
        {
            Center = center;
            Scale = scale;
            BetaInitializer = betaInitializer ?? Initializer.Zeros();
            GammaInitializer = gammaInitializer ?? Initializer.Ones();
            BetaRegularizer = betaRegularizer;
            GammaRegularizer = gammaRegularizer;
            BetaConstraint = betaConstraint;
            GammaConstraint = gammaConstraint;
            SupportsMasking = true;
        }

        /// <summary>Whether <c>beta</c> is added to the normalized output (Keras's <c>center</c>).</summary>
        public bool Center { get; }

        /// <summary>Whether the normalized output is multiplied by <c>gamma</c> (Keras's <c>scale</c>).</summary>
        public bool Scale { get; }

        /// <summary>The initializer of <c>beta</c>; <c>zeros</c> by default.</summary>
        public Initializer BetaInitializer { get; }

        /// <summary>The initializer of <c>gamma</c>; <c>ones</c> by default.</summary>
        public Initializer GammaInitializer { get; }

        /// <summary>The penalty on <c>beta</c>, if any.</summary>
        public Regularizer? BetaRegularizer { get; }

        /// <summary>The penalty on <c>gamma</c>, if any.</summary>
        public Regularizer? GammaRegularizer { get; }

        /// <summary>The projection of <c>beta</c> after each optimizer step, if any.</summary>
        public Constraint? BetaConstraint { get; }

        /// <summary>The projection of <c>gamma</c> after each optimizer step, if any.</summary>
        public Constraint? GammaConstraint { get; }

        /// <summary>The learned scale; null before build or when the layer does not scale.</summary>
        public Parameter? Gamma => _gamma;

        /// <summary>The learned offset; null before build or when the layer does not center.</summary>
        public Parameter? Beta => _beta;

        /// <summary>Creates <c>gamma</c> then <c>beta</c> (each only when asked for) with the given shape.</summary>
        /// <param name="shape">The shape of both weights.</param>
        /// <param name="withGamma">Whether to create <c>gamma</c>.</param>
        /// <param name="withBeta">Whether to create <c>beta</c>.</param>
        /// <param name="autocast">Whether mixed-precision calls read them in the compute dtype (Keras's
        /// <c>add_weight(autocast=...)</c>).</param>
        private protected void AddGammaAndBeta(Shape shape, bool withGamma, bool withBeta, bool autocast)
        {
            if (withGamma)
                _gamma = AddWeight("gamma", shape, GammaInitializer, regularizer: GammaRegularizer, constraint: GammaConstraint,
                    autocast: autocast);
            if (withBeta)
                _beta = AddWeight("beta", shape, BetaInitializer, regularizer: BetaRegularizer, constraint: BetaConstraint,
                    autocast: autocast);
        }

        /// <summary>Adds Keras's <c>center</c> and <c>scale</c> keys.</summary>
        private protected LayerConfig WithCenterAndScale(LayerConfig config) => config
            .With("center", Center)
            .With("scale", Scale);

        /// <summary>Adds Keras's initializer, regularizer and constraint keys of <c>beta</c> and <c>gamma</c>.</summary>
        private protected LayerConfig WithBetaAndGammaComponents(LayerConfig config) => config
            .With("beta_initializer", BetaInitializer)
            .With("gamma_initializer", GammaInitializer)
            .With("beta_regularizer", BetaRegularizer)
            .With("gamma_regularizer", GammaRegularizer)
            .With("beta_constraint", BetaConstraint)
            .With("gamma_constraint", GammaConstraint);
    }
}
