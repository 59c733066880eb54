using Xunit;

namespace Microsoft.ML.Layers.TestFramework
{
    /// <summary>A fact that reads <c>../shared/keras-reference</c>; skipped, with the reason stated, when that folder is absent.</summary>
    public sealed class KerasReferenceFactAttribute : FactAttribute
    {
        /// <summary>Skips the test when the Keras reference folder is missing.</summary>
        public KerasReferenceFactAttribute() => Skip = KerasReferenceSkip.Reason;
    }

    /// <summary>A theory over files of <c>../shared/keras-reference</c>; skipped, with the reason stated, when that folder is absent.</summary>
    public sealed class KerasReferenceTheoryAttribute : TheoryAttribute
    {
        /// <summary>Skips the test when the Keras reference folder is missing.</summary>
        public KerasReferenceTheoryAttribute() => Skip = KerasReferenceSkip.Reason;
    }

    internal static class KerasReferenceSkip
    {
        /// <summary>Why Keras reference tests are skipped, or null when the folder is there.</summary>
        public static string? Reason => RepositoryLayout.HasKerasReference ? null
            : $"The Keras reference folder '{RepositoryLayout.KerasReferenceDirectory}' is absent: this test needs the real Keras files.";
    }
}
