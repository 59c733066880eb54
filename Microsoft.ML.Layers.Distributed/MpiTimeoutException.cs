using System;

namespace Microsoft.ML.Layers.Distributed
{
    /// <summary>
    /// A collective did not complete within its time limit: another rank has died, hangs, or is far behind. MPI cannot cancel
    /// a started collective, so the job is broken: end this process (mpirun then ends the others).
    /// </summary>
    public sealed class MpiTimeoutException : TimeoutException
    {
        /// <summary>Creates the exception for <paramref name="call"/> waiting longer than <paramref name="timeout"/>.</summary>
        /// <param name="call">The MPI function that did not complete, e.g. <c>MPI_Iallreduce</c>.</param>
        /// <param name="rank">This process's rank.</param>
        /// <param name="size">The number of ranks.</param>
        /// <param name="timeout">The time limit.</param>
        /// <param name="what">What the collective was for, e.g. <c>the gradients of step 12</c>.</param>
        public MpiTimeoutException(string call, int rank, int size, TimeSpan timeout, string what)
            : base($"{call} ({what}) on rank {rank} of {size}: expected every rank to join within {timeout}, received no completion. " +
                "Another rank has died, hangs or is far behind (see its output); MPI cannot cancel a started collective, so end " +
                "this process. Raise the limit (DataParallel.Timeout) if a rank is legitimately slow, for example while loading data.")
        {
            Call = call;
            Timeout = timeout;
        }

        /// <summary>The MPI function that did not complete.</summary>
        public string Call { get; }

        /// <summary>The time limit that passed.</summary>
        public TimeSpan Timeout { get; }
    }
}
