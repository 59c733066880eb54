using Xunit;

namespace Microsoft.ML.Layers.TestFramework
{
    /// <summary>A fact that reads <c>../shared/data</c>; skipped, with the reason stated, when that folder is absent.</summary>
    public sealed class SharedDataFactAttribute : FactAttribute
    {
        /// <summary>Skips the test when the shared data folder is missing.</summary>
        public SharedDataFactAttribute()
        {
            if (!RepositoryLayout.HasSharedData)
                Skip = $"The shared data folder '{RepositoryLayout.SharedDataDirectory}' is absent: this test needs the real data set.";
        }
    }
}
