namespace Microsoft.ML.Layers
{
    /// <summary>Keras's fuzz factor (<c>keras.config.epsilon()</c>), used to clip probabilities.</summary>
    internal static class Epsilon
    {
        public const double Value = 1e-7;
    }
}
