namespace Microsoft.ML.Layers.Estimators
{
    /// <summary>How each process of a distributed <c>Fit</c> gets its training rows (<see cref="NeuralNetworkOptions.DataSharding"/>).</summary>
    public enum DistributedDataSharding
    {
        /// <summary>
        /// Every process passes the same IDataView and keeps the rows whose index, in a sequential pass, modulo the number of
        /// processes is its rank. Every shard gets ceil(N / processes) rows (a shard one row short repeats one of the first
        /// rows). Each process reads the whole data once per pass.
        /// </summary>
        ByRowIndex,

        /// <summary>
        /// Each process's IDataView is already its shard (a file per rank) and is used whole. Shards of different lengths are
        /// padded to the longest by starting over from their first rows (logged as a warning), so every process runs the same
        /// number of steps; an empty shard is refused on every process.
        /// </summary>
        ByProcess,
    }
}
