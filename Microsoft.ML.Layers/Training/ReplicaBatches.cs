using System;
using System.Collections;
using System.Collections.Generic;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Batches that already hold only this replica's rows, for <see cref="Model.Fit(IEnumerable{Batch}, int, IEnumerable{Batch}?,
    /// IReadOnlyDictionary{int, double}?, int, IEnumerable{Callbacks.Callback}?, int)"/> with a <see cref="Model.Distribution"/>:
    /// each replica reads its own shard of the data (every replica the same number of batches per epoch), <c>Fit</c> does not
    /// shard them again, and each step's global batch is the sum of the replicas' batches. Without a distribution they are
    /// ordinary batches.
    /// </summary>
    /// <remarks>Every replica must yield the same number of batches in each epoch: a replica that ends its epoch early leaves
    /// the others waiting in a collective (the strategy's timeout, if it has one, then fails them).</remarks>
    public sealed class ReplicaBatches : IEnumerable<Batch>
    {
        private readonly IEnumerable<Batch> _batches;

        /// <summary>Wraps this replica's batches.</summary>
        /// <param name="batches">The batches of this replica's shard, enumerated once per epoch.</param>
        public ReplicaBatches(IEnumerable<Batch> batches)
        {
            _batches = batches ?? throw new ArgumentNullException(nameof(batches));
        }

        /// <inheritdoc />
        public IEnumerator<Batch> GetEnumerator() => _batches.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
