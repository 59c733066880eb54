using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Data;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Estimators
{
    /// <summary>
    /// Scores the current row of one input row (the <c>PredictionEngine</c> path), with everything allocated once: a column
    /// buffer per input, one row tensor per fixed-width input whose storage each row's values are written into, and the
    /// added columns' arrays. The forward pass runs under <c>torch.inference_mode</c> (once the network is built); a
    /// <see cref="Sequential"/> network takes <see cref="Sequential.ApplyVerified"/> (Apply's checks once per input shape).
    /// One instance per row, so engines on several threads share nothing mutable.
    /// </summary>
    internal sealed class SingleRowScorer : IDisposable
    {
        private readonly NetworkScorer _scorer;
        private readonly ColumnBuffer[] _buffers;
        private readonly Tensor?[] _rowTensors;
        private readonly Tensor[] _inputs;
        private readonly Tensor?[] _masks;
        private readonly ScoreBatch _batch;

        public SingleRowScorer(NetworkScorer scorer, DataViewRow input)
        {
            _scorer = scorer;
            _buffers = scorer.Inputs.Select(i => i.CreateBuffer(input)).ToArray();
            _rowTensors = _buffers.Select(b => b.Column.IsVariableLength ? null : b.CreateRowTensor()).ToArray();
            _inputs = new Tensor[_buffers.Length];
            _masks = new Tensor?[_buffers.Length];
            _batch = scorer.Columns.CreateSingleRowBatch();
        }

        /// <summary>Reads the input's current row and scores it; the returned batch is overwritten by the next call.</summary>
        public ScoreBatch Score()
        {
            foreach (var buffer in _buffers)
            {
                buffer.Clear();
                buffer.ReadRow();
            }
            // Inference mode once the network is built: weights a first call builds must stay ordinary (trainable) tensors.
            using IDisposable inference = _scorer.Model.Network.Built ? inference_mode() : no_grad();
            using var scope = NewDisposeScope();
            try
            {
                bool masked = false;
                for (int i = 0; i < _buffers.Length; i++)
                {
                    if (_rowTensors[i] is Tensor row)
                    {
                        _buffers[i].CopyRowTo(row);
                        _inputs[i] = row;
                        _masks[i] = null;
                    }
                    else
                    {
                        (_inputs[i], _masks[i]) = _buffers[i].ToTensor(scalarAsColumn: true);
                        masked |= _masks[i] is not null;
                    }
                }
                var network = _scorer.Model.Network;
                Tensor output;
                if (network is Sequential sequential && _inputs.Length == 1 && !masked)
                {
                    output = sequential.ApplyVerified(_inputs[0]);
                }
                else
                {
                    // Explicit (null) masks: a mask attached to a reused row tensor by an earlier call is never read.
                    output = _inputs.Length == 1 ? network.ApplyAll(_inputs[0], training: false, _masks[0] ?? NoMask(_inputs[0]))[0]
                        : network.ApplyAll(_inputs, training: false, _masks)[0];
                }
                _scorer.Columns.ComputeSingleRow(output, _batch);
                return _batch;
            }
            finally
            {
                // A layer that returns its input (InputLayer) moves it to this scope: the row tensors stay ours.
                foreach (var row in _rowTensors)
                    row?.DetachFromDisposeScope();
            }
        }

        private static Tensor? NoMask(Tensor input)
        {
            KerasMask.Set(input, null);
            return null;
        }

        public void Dispose()
        {
            foreach (var row in _rowTensors)
                row?.Dispose();
        }
    }
}
