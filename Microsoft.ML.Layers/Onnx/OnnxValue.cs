namespace Microsoft.ML.Layers.Onnx
{
    /// <summary>
    /// A value of the ONNX graph being written: its name and its shape as this library knows it (the batch axis and other
    /// unknown sizes are <see cref="Shape.Unknown"/>).
    /// </summary>
    /// <param name="Name">The graph value's name (what a node lists as its input).</param>
    /// <param name="Shape">The static shape, batch axis included.</param>
    public sealed record OnnxValue(string Name, Shape Shape);
}
