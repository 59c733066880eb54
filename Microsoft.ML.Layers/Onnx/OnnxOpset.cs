namespace Microsoft.ML.Layers.Onnx
{
    /// <summary>The ONNX opsets <see cref="Model.ExportOnnx(string, int)"/> writes.</summary>
    public static class OnnxOpset
    {
        /// <summary>The opset written by default (ONNX 1.12, ONNX Runtime 1.12 and later).</summary>
        public const int Default = 17;

        /// <summary>The oldest opset written (ML.NET's <c>ConvertToOnnx</c> writes opset 12).</summary>
        public const int Minimum = 12;

        /// <summary>The newest opset written.</summary>
        public const int Maximum = 21;

        /// <summary>The IR version of the ONNX release that introduced <paramref name="opset"/>.</summary>
        internal static long IrVersion(int opset) => opset switch
        {
            <= 14 => 7,
            <= 18 => 8,
            <= 20 => 9,
            _ => 10,
        };
    }
}
