using System;
using System.Collections.Generic;

namespace Microsoft.ML.Layers.TestFramework
{
    /// <summary>What a child process did with one input: loaded it (with a digest of its outputs) or threw.</summary>
    /// <param name="File">The input.</param>
    /// <param name="Loaded">Whether the probe returned.</param>
    /// <param name="Detail">The probe's result, or <c>Type: first line of the message</c> when it threw.</param>
    public sealed record ProbeOutcome(string File, bool Loaded, string Detail)
    {
        /// <summary>The exception's type name when it threw.</summary>
        public string? ErrorType => Loaded ? null : Detail.Split(':')[0];

        /// <summary>When it threw: <c>Type: first line of the message</c> of the exception and each inner one, outermost
        /// first.</summary>
        public IReadOnlyList<string> ErrorChain { get; init; } = Array.Empty<string>();

        /// <summary>The managed bytes the child allocated for this input (garbage included).</summary>
        public long AllocatedBytes { get; init; }
    }
}
