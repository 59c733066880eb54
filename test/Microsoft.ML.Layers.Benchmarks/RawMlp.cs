using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Layers.Optimizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Benchmarks
{
    /// <summary>
    /// The reference: the same MLP written directly in TorchSharp (one addmm per layer, ReLU between), trained with
    /// TorchSharp's own Adam over prepared tensors. What a user would hand-write instead of using this library.
    /// </summary>
    public sealed class RawMlp : IDisposable
    {
        private readonly List<(TorchSharp.Modules.Parameter W, TorchSharp.Modules.Parameter B)> _layers = new();

        public RawMlp(params int[] widths)
        {
            for (int i = 0; i + 1 < widths.Length; i++)
            {
                var w = new TorchSharp.Modules.Parameter(empty(widths[i], widths[i + 1]));
                var b = new TorchSharp.Modules.Parameter(zeros(widths[i + 1]));
                using (no_grad())
                    nn.init.xavier_uniform_(w);
                _layers.Add((w, b));
            }
        }

        public IEnumerable<TorchSharp.Modules.Parameter> Parameters => _layers.SelectMany(l => new[] { l.W, l.B });

        /// <summary>Copies weights from a built Sequential of Dense layers (kernels are (in, out) in both).</summary>
        public void CopyFrom(Model model)
        {
            var weights = model.Weights;
            using var noGrad = no_grad();
            for (int i = 0; i < _layers.Count; i++)
            {
                _layers[i].W.copy_(weights[2 * i]);
                _layers[i].B.copy_(weights[2 * i + 1]);
            }
        }

        public Tensor Forward(Tensor x)
        {
            for (int i = 0; i < _layers.Count; i++)
            {
                var next = addmm(_layers[i].B, x, _layers[i].W, 1, 1);
                x = i + 1 < _layers.Count ? next.relu_() : next;
            }
            return x;
        }

        /// <summary>Epochs of shuffled mini-batch Adam on mean squared error, a dispose scope per batch.</summary>
        public void Train(Tensor x, Tensor y, int batchSize, int epochs, torch.optim.Optimizer optimizer)
        {
            long rows = x.shape[0];
            for (int epoch = 0; epoch < epochs; epoch++)
            {
                using var order = randperm(rows);
                for (long start = 0; start < rows; start += batchSize)
                {
                    using var scope = NewDisposeScope();
                    var index = order.slice(0, start, Math.Min(start + batchSize, rows), 1);
                    var xb = x.index_select(0, index);
                    var yb = y.index_select(0, index);
                    optimizer.zero_grad();
                    var loss = (Forward(xb) - yb).square().mean();
                    loss.backward();
                    optimizer.step();
                }
            }
        }

        public void Dispose()
        {
            foreach (var (w, b) in _layers)
            {
                w.Dispose();
                b.Dispose();
            }
        }
    }
}
