using Xunit;
using Xunit.Sdk;

namespace Microsoft.ML.Layers.TestFramework
{
    /// <summary>
    /// A theory over files of <c>../shared/keras-reference</c>: skipped, with the reason stated, when the folder is missing
    /// on a local run; failing with the reason under <c>CI=true</c> (see <see cref="SharedFolderRequirement"/>).
    /// </summary>
    [XunitTestCaseDiscoverer("Microsoft.ML.Layers.TestFramework.SharedFolderTheoryDiscoverer", "Microsoft.ML.Layers.TestFramework")]
    public sealed class KerasReferenceTheoryAttribute : TheoryAttribute
    {
        /// <summary>Requires <c>../shared/keras-reference</c>.</summary>
        public KerasReferenceTheoryAttribute() => Skip = SharedFolderRequirement.SkipReason(Requires);

        /// <summary>The shared folders the test reads: <see cref="SharedFolders.KerasReference"/>.</summary>
        public SharedFolders Requires => SharedFolders.KerasReference;
    }
}
