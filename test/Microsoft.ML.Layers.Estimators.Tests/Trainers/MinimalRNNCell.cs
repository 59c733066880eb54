using System.Collections.Generic;
using Microsoft.ML.Layers;
using Microsoft.ML.Layers.Initializers;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Estimators.Tests.Trainers
{
    // Keras's MinimalRNNCell (its RNN guide) in C#: h = x @ kernel + h_prev @ recurrent_kernel; the output is h.
    // This file is also compiled into the fresh process that loads the saved model (UserCellPipelineTests), as a user's
    // application would contain it.
    [RegisterLayer("MinimalRNNCell")]
    public sealed class MinimalRNNCell : RecurrentCell
    {
        private Parameter? _kernel;
        private Parameter? _recurrentKernel;

        public MinimalRNNCell(int units, string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(name, trainable, dtype) => Units = units;

        public int Units { get; }

        public override IReadOnlyList<int> StateSize => new[] { Units };

        protected override void Build(Shape inputShape)
        {
            _kernel = AddWeight("kernel", new Shape(inputShape[^1], Units), Initializer.GlorotUniform());
            _recurrentKernel = AddWeight("recurrent_kernel", new Shape(Units, Units), Initializer.Orthogonal());
        }

        public override (Tensor Output, IReadOnlyList<Tensor> States) Call(Tensor input, IReadOnlyList<Tensor> states,
            bool? training = null)
        {
            var h = input.matmul(_kernel!) + states[0].matmul(_recurrentKernel!);
            return (h, new[] { h });
        }

        public override LayerConfig GetConfig() => base.GetConfig().With("units", Units);
    }
}
