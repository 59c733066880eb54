using Microsoft.ML.Layers;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Onnx;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Samples
{
    // The seed's SimpleDense, written as a user writes a layer: weights created in Build from the input shape, the maths in
    // Call, the config in GetConfig/FromConfig, and [RegisterLayer] so that a saved model finds the class again.
    // IOnnxExportable lets ONNX export (and ML.NET's ConvertToOnnx) write it: the same maths as ONNX nodes.
    [RegisterLayer("SimpleDense")]
    public sealed class SimpleDense : Layer, IOnnxExportable
    {
        private Parameter? _w, _b;

        public SimpleDense(int units = 32, string? name = null, bool trainable = true,
                           ScalarType? dtype = null, bool dynamic = false)
            : base(name, trainable, dtype, dynamic) => Units = units;

        public int Units { get; }

        protected override void Build(Shape inputShape)
        {
            _w = AddWeight("w", new Shape(inputShape[^1], Units), Initializer.RandomNormal());
            _b = AddWeight("b", new Shape(Units), Initializer.Zeros());
        }

        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
            => inputs.matmul(_w!) + _b!;

        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input)
            => context.Node("Add", context.Node("MatMul", input.Name, context.Weight(_w!, "w")), context.Weight(_b!, "b"));

        public override LayerConfig GetConfig() => base.GetConfig().With("units", Units);

        public static SimpleDense FromConfig(LayerConfig config) => new(config.Get<int>("units"),
            config.Name, config.Trainable, config.DType, config.Dynamic);
    }
}
