using System;

namespace Microsoft.ML.Layers.Distributed
{
    /// <summary>An MPI call returned an error code (the communicator reports errors instead of aborting the process).</summary>
    public sealed class MpiException : Exception
    {
        /// <summary>Creates the exception for <paramref name="call"/> failing with <paramref name="errorCode"/>.</summary>
        /// <param name="call">The MPI function that failed, e.g. <c>MPI_Allreduce</c>.</param>
        /// <param name="errorCode">The error code it returned.</param>
        /// <param name="errorText">The MPI library's text for the code (<c>MPI_Error_string</c>), or empty.</param>
        public MpiException(string call, int errorCode, string errorText)
            : base($"{call} failed: expected MPI_SUCCESS (0), received error code {errorCode}"
                + (errorText.Length > 0 ? $" ({errorText})." : "."))
        {
            Call = call;
            ErrorCode = errorCode;
        }

        /// <summary>The MPI function that failed.</summary>
        public string Call { get; }

        /// <summary>The error code it returned.</summary>
        public int ErrorCode { get; }
    }
}
