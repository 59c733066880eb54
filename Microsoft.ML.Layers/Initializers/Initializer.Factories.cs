using System;

namespace Microsoft.ML.Layers.Initializers
{
    /// <summary>The built-in initializers, by Keras's names and with Keras's defaults (<c>keras.initializers</c>).</summary>
    public abstract partial class Initializer
    {
        /// <summary>All zeros (<c>"zeros"</c>).</summary>
        public static ZerosInitializer Zeros() => new();

        /// <summary>All ones (<c>"ones"</c>).</summary>
        public static OnesInitializer Ones() => new();

        /// <summary>Every element <paramref name="value"/> (<c>"constant"</c>).</summary>
        public static ConstantInitializer Constant(double value = 0.0) => new(value);

        /// <summary>A normal distribution with <paramref name="mean"/> and <paramref name="stddev"/> (<c>"random_normal"</c>).</summary>
        public static RandomNormalInitializer RandomNormal(double mean = 0.0, double stddev = 0.05, long? seed = null)
            => new(mean, stddev, seed);

        /// <summary>A uniform distribution on <c>[minval, maxval)</c> (<c>"random_uniform"</c>).</summary>
        public static RandomUniformInitializer RandomUniform(double minVal = -0.05, double maxVal = 0.05, long? seed = null)
            => new(minVal, maxVal, seed);

        /// <summary>A normal distribution truncated at two standard deviations (<c>"truncated_normal"</c>).</summary>
        public static TruncatedNormalInitializer TruncatedNormal(double mean = 0.0, double stddev = 0.05, long? seed = null)
            => new(mean, stddev, seed);

        /// <summary>A distribution scaled to the weight's fans (<c>"variance_scaling"</c>); see
        /// <see cref="VarianceScalingInitializer"/>.</summary>
        public static VarianceScalingInitializer VarianceScaling(double scale = 1.0, VarianceScalingMode mode = VarianceScalingMode.FanIn,
            VarianceScalingDistribution distribution = VarianceScalingDistribution.TruncatedNormal, long? seed = null)
            => new(scale, mode, distribution, seed);

        /// <summary>Glorot (Xavier) uniform: U(-limit, limit) with limit = sqrt(6 / (fan_in + fan_out))
        /// (<c>"glorot_uniform"</c>).</summary>
        public static GlorotUniformInitializer GlorotUniform(long? seed = null) => new(seed);

        /// <summary>Glorot (Xavier) normal: truncated normal with standard deviation sqrt(2 / (fan_in + fan_out))
        /// (<c>"glorot_normal"</c>).</summary>
        public static GlorotNormalInitializer GlorotNormal(long? seed = null) => new(seed);

        /// <summary>He uniform: U(-limit, limit) with limit = sqrt(6 / fan_in) (<c>"he_uniform"</c>).</summary>
        public static HeUniformInitializer HeUniform(long? seed = null) => new(seed);

        /// <summary>He normal: truncated normal with standard deviation sqrt(2 / fan_in) (<c>"he_normal"</c>).</summary>
        public static HeNormalInitializer HeNormal(long? seed = null) => new(seed);

        /// <summary>LeCun uniform: U(-limit, limit) with limit = sqrt(3 / fan_in) (<c>"lecun_uniform"</c>).</summary>
        public static LecunUniformInitializer LecunUniform(long? seed = null) => new(seed);

        /// <summary>LeCun normal: truncated normal with standard deviation sqrt(1 / fan_in) (<c>"lecun_normal"</c>).</summary>
        public static LecunNormalInitializer LecunNormal(long? seed = null) => new(seed);

        /// <summary>An orthogonal matrix times <paramref name="gain"/> (<c>"orthogonal"</c>).</summary>
        public static OrthogonalInitializer Orthogonal(double gain = 1.0, long? seed = null) => new(gain, seed);

        /// <summary>The identity matrix times <paramref name="gain"/>, for 2-D weights (<c>"identity"</c>).</summary>
        public static IdentityInitializer Identity(double gain = 1.0) => new(gain);

        /// <summary>
        /// The initializer registered under a Keras class name or alias (<c>"glorot_uniform"</c>, <c>"HeNormal"</c>,
        /// <c>"zeros"</c>, ...), with its defaults (Keras's <c>keras.initializers.get</c>). Custom initializers
        /// registered with <see cref="RegisterComponentAttribute"/> resolve too.
        /// </summary>
        /// <exception cref="ArgumentException">The name is unknown or names another kind of component; the message lists the known
        /// names.</exception>
        public static Initializer Get(string name) => ComponentLookup.Get<Initializer>(name);
    }
}
