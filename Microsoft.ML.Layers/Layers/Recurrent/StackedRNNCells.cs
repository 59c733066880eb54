using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// A stack of cells that behaves as one cell (Keras's <c>StackedRNNCells</c>): at each step the first cell reads the input,
    /// each next cell reads the output of the one before, and the output is the last cell's. <c>new RNN(new StackedRNNCells(...))</c>
    /// computes what the same recurrent layers stacked with <c>returnSequences</c> compute, in one time loop.
    /// </summary>
    /// <remarks>
    /// States: every cell's states in turn, flat (<c>[h1, c1, h2, c2]</c> for two <see cref="LSTMCell"/>s); weights: every cell's
    /// in turn. Each cell is built for the output size of the cell before it.
    /// <code>
    /// var rnn = new RNN(new StackedRNNCells(new RecurrentCell[] { new LSTMCell(16), new LSTMCell(8) }));
    /// Tensor y = rnn.Apply(torch.randn(4, 10, 3));   // (4, 8)
    /// </code>
    /// </remarks>
    [RegisterLayer("StackedRNNCells")]
    public sealed class StackedRNNCells : RecurrentCell
    {
        private readonly RecurrentCell[] _cells;

        /// <summary>Stacks <paramref name="cells"/>, first to last.</summary>
        /// <param name="cells">The cells; at least one.</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Whether the weights are trained.</param>
        /// <param name="dtype">The dtype; the global policy by default.</param>
        /// <exception cref="ArgumentException">No cell, or a null one.</exception>
        public StackedRNNCells(IReadOnlyList<RecurrentCell> cells, string? name = null, bool trainable = true, ScalarType? dtype = null)
            : base(name, trainable, dtype)
        {
            ArgumentNullException.ThrowIfNull(cells);
            if (cells.Count == 0 || cells.Any(c => c is null))
                throw new ArgumentException($"StackedRNNCells needs at least one cell and no null cell. Received: {cells.Count} cell(s)" +
                    $"{(cells.Any(c => c is null) ? ", one of them null" : "")}.", nameof(cells));
            _cells = cells.ToArray();
        }

        /// <summary>The cells, first to last.</summary>
        public IReadOnlyList<RecurrentCell> Cells => _cells;

        /// <summary>Every cell's state sizes in turn.</summary>
        public override IReadOnlyList<int> StateSize => _cells.SelectMany(c => c.StateSize).ToArray();

        /// <summary>The last cell's output size.</summary>
        public override int OutputSize => _cells[^1].OutputSize;

        /// <summary>Every cell's initial states in turn.</summary>
        public override IReadOnlyList<Tensor> GetInitialState(long batchSize)
            => _cells.SelectMany(c => c.GetInitialState(batchSize)).ToArray();

        /// <summary>Builds each cell for the step input of its own: the input's features, then the previous cell's output size.</summary>
        protected override void Build(Shape inputShape)
        {
            ArgumentNullException.ThrowIfNull(inputShape);
            var shape = inputShape;
            foreach (var cell in _cells)
            {
                cell.EnsureBuilt(shape);
                shape = new Shape(inputShape[0], cell.OutputSize);
            }
        }

        /// <summary>Resets its own dropout masks and every cell's.</summary>
        public override void ResetDropoutMasks()
        {
            base.ResetDropoutMasks();
            foreach (var cell in _cells)
                cell.ResetDropoutMasks();
        }

        /// <summary>Runs each cell on the previous one's output with its own slice of the states.</summary>
        public override (Tensor Output, IReadOnlyList<Tensor> States) Call(Tensor input, IReadOnlyList<Tensor> states,
            bool? training = null)
        {
            ArgumentNullException.ThrowIfNull(input);
            CheckStates(states, input.shape[0]);
            var x = input;
            var next = new List<Tensor>(states.Count);
            int offset = 0;
            foreach (var cell in _cells)
            {
                int count = cell.StateSize.Count;
                var (output, cellStates) = cell.Call(x, states.Skip(offset).Take(count).ToArray(), training);
                if (cellStates.Count != count)
                    throw new InvalidOperationException($"Cell '{cell.Name}' ({cell.GetType().Name}) returned {cellStates.Count} " +
                        $"state(s); its StateSize has {count}.");
                next.AddRange(cellStates);
                x = output;
                offset += count;
            }
            return (x, next);
        }

        /// <inheritdoc />
        public override LayerConfig GetConfig() => base.GetConfig().With("cells", _cells);
    }
}
