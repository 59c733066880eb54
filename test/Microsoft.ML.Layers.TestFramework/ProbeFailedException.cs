namespace Microsoft.ML.Layers.TestFramework
{
    /// <summary>A <see cref="ChildProcessProbe"/> child crashed, hung or passed its memory bound; <see cref="File"/> was being read.</summary>
    public sealed class ProbeFailedException : Xunit.Sdk.XunitException
    {
        /// <summary>Creates the failure.</summary>
        public ProbeFailedException(string message, string? file) : base(message) => File = file;

        /// <summary>The input the child was reading when it failed, or null when it failed after the last one.</summary>
        public string? File { get; }
    }
}
