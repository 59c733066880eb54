namespace Microsoft.ML.Layers
{
    /// <summary>The built-in initializers, by Keras's names and defaults.</summary>
    public static class Initializers
    {
        /// <summary>All zeros.</summary>
        public static Initializer Zeros() => new ZerosInitializer();

        /// <summary>All ones.</summary>
        public static Initializer Ones() => new OnesInitializer();

        /// <summary>Normal distribution with <paramref name="mean"/> and <paramref name="stddev"/> (Keras defaults 0.0 and 0.05).</summary>
        public static Initializer RandomNormal(double mean = 0.0, double stddev = 0.05, long? seed = null) => new RandomNormalInitializer(mean, stddev, seed);

        /// <summary>Glorot (Xavier) uniform: U(-limit, limit) with limit = sqrt(6 / (fan_in + fan_out)).</summary>
        public static Initializer GlorotUniform(long? seed = null) => new GlorotUniformInitializer(seed);
    }
}
