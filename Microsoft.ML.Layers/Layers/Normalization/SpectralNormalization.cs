using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Spectral normalization of a layer's kernel (Keras's <c>SpectralNormalization</c>, Miyato et al. 2018): a
    /// <see cref="Wrapper"/> that, in each training call, estimates the kernel's largest singular value <c>σ</c> by power
    /// iteration and divides the kernel by it, which bounds the layer's Lipschitz constant (GAN discriminators).
    /// </summary>
    /// <remarks>
    /// <para>The wrapped layer must have a weight named <c>kernel</c> (<see cref="Dense"/>, <see cref="Conv2D"/>, ...) or
    /// <c>embeddings</c> (<see cref="Embedding"/>). With <c>W</c> the kernel reshaped to <c>(-1, n)</c> (<c>n</c> its last
    /// dimension) and <c>u</c> the weight <c>vector_u</c> <c>(1, n)</c>, each training call repeats
    /// <see cref="PowerIterations"/> times <c>v = normalize(u Wᵀ)</c>, <c>u = normalize(v W)</c>, then sets
    /// <c>σ = v W uᵀ</c>, stores <c>u</c> in <c>vector_u</c> and assigns <c>kernel / σ</c> to the kernel itself, before running
    /// the wrapped layer (as Keras does; an all-zero kernel is left as it is). <c>normalize(x) = x / max(‖x‖, 1e-7)</c>.
    /// The assignment is not differentiated: gradients reach the kernel through the wrapped layer's call.</para>
    /// <para>In inference (<c>training</c> false or not given) the wrapped layer runs with its kernel as it is: the kernel
    /// normalized by the last training call. The output is cast to the input's dtype.</para>
    /// <para>Weights: the wrapper's own non-trainable <c>vector_u</c> <c>(1, n)</c> (initializer
    /// <c>TruncatedNormal(stddev=0.02)</c>, the kernel's dtype), then the wrapped layer's.</para>
    /// <code>
    /// var sn = new SpectralNormalization(new Dense(10));
    /// Tensor y = sn.Apply(x, training: true);   // the Dense kernel is now divided by its spectral norm
    /// </code>
    /// </remarks>
    [RegisterLayer("SpectralNormalization")]
    public sealed class SpectralNormalization : Wrapper, IOnnxExportable
    {
        private const double NormEpsilon = 1e-7;
        private Parameter? _kernel;
        private Parameter? _vectorU;

        /// <summary>Wraps <paramref name="layer"/>.</summary>
        /// <param name="layer">A layer with a <c>kernel</c> or <c>embeddings</c> weight.</param>
        /// <param name="powerIterations">The number of power iterations per training call; positive, default 1.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Whether the weights are trained.</param>
        /// <param name="dtype">The wrapper's dtype; the wrapped layer keeps its own.</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="powerIterations"/> is not positive.</exception>
        public SpectralNormalization(Layer layer, int powerIterations = 1, string? name = null, bool trainable = true,
            ScalarType? dtype = null)
            : base(layer, name, trainable, dtype)
        {
            if (powerIterations <= 0)
                throw new ArgumentOutOfRangeException(nameof(powerIterations), powerIterations,
                    $"Layer '{Name}' (SpectralNormalization): `power_iterations` should be greater than zero. Received: " +
                    $"`power_iterations={powerIterations}`");
            PowerIterations = powerIterations;
        }

        /// <summary>The number of power iterations per training call.</summary>
        public int PowerIterations { get; }

        /// <summary>The estimate of the kernel's first right singular vector, <c>(1, n)</c>; null before build.</summary>
        public Parameter? VectorU => _vectorU;

        /// <summary>Builds the wrapped layer, finds its kernel and creates <c>vector_u</c>.</summary>
        /// <exception cref="ArgumentException">The wrapped layer has neither a <c>kernel</c> nor an <c>embeddings</c> weight.</exception>
        protected override void Build(Shape inputShape)
        {
            base.Build(inputShape);
            InputSpec = new InputSpec { MinNDim = 1, Axes = new Dictionary<int, long> { [-1] = inputShape[-1] } };
            var own = Layer.Weights.Where(w => ReferenceEquals(w.Owner, Layer)).ToList();
            _kernel = own.FirstOrDefault(w => w.Name == "kernel") ?? own.FirstOrDefault(w => w.Name == "embeddings")
                ?? throw new ArgumentException($"Layer '{Name}' (SpectralNormalization): {Layer.GetType().Name} object has no " +
                    $"attribute 'kernel' nor 'embeddings'. Received: layer '{Layer.Name}' with weights " +
                    $"[{string.Join(", ", own.Select(w => w.Name))}].");
            _vectorU = AddWeight("vector_u", new Shape(1, _kernel.shape[^1]), Initializer.TruncatedNormal(stddev: 0.02),
                dtype: _kernel.dtype, trainable: false);
        }

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            if (training == true)
                NormalizeKernel();
            return Layer.Apply(inputs, training).to(inputs.dtype);
        }

        /// <summary>One power-iteration update: <c>vector_u</c> and the kernel (divided by σ) assigned in place, unless the kernel is
        /// all zeros.</summary>
        private void NormalizeKernel()
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var kernel = _kernel!;
            if (kernel.eq(Scalars.Zero).all().item<bool>())
                return;
            var w = kernel.reshape(-1, kernel.shape[^1]);
            Tensor u = _vectorU!, v = u;
            for (int i = 0; i < PowerIterations; i++)
            {
                v = Normalize(u.matmul(w.t()));
                u = Normalize(v.matmul(w));
            }
            var sigma = v.matmul(w).matmul(u.t());
            _vectorU!.Assign(u.to(_vectorU.dtype));
            kernel.Assign(kernel.div(sigma.reshape(Array.Empty<long>())).to(kernel.dtype));
        }

        // Keras's normalize over all axes: x * min(1 / sqrt(sum(x²)), 1 / epsilon).
        private static Tensor Normalize(Tensor x)
        {
            using var cap = (1.0 / NormEpsilon).ToScalar();
            return x * x.mul(x).sum().rsqrt().clamp_max(cap);
        }

        /// <summary>The wrapped layer's own export: in inference the wrapper adds nothing.</summary>
        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input)
        {
            ArgumentNullException.ThrowIfNull(context);
            ArgumentNullException.ThrowIfNull(input);
            return OnnxExporter.ExportLayer(context, Layer, new[] { input }, singleInput: true).Single();
        }

        /// <inheritdoc />
        public override LayerConfig GetConfig() => base.GetConfig().With("power_iterations", PowerIterations);
    }
}
