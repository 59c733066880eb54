using Microsoft.ML.Layers;
using Microsoft.ML.Layers.Initializers;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Engine
{
    // The seed's SimpleDense from docs/api.md, exactly as a user writes it (only the three usings).
    [RegisterLayer("SimpleDense")]
    public sealed class SimpleDense : Layer
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

        public override LayerConfig GetConfig() => base.GetConfig().With("units", Units);

        public static SimpleDense FromConfig(LayerConfig config) => new(config.Get<int>("units"),
            config.Name, config.Trainable, config.DType, config.Dynamic);
    }
}
