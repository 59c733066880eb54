using Xunit;
using Xunit.Sdk;

namespace Microsoft.ML.Layers.TestFramework
{
    /// <summary>
    /// A fact that reads <c>../shared/data</c> (and whatever else <see cref="Requires"/> names): skipped, with the reason
    /// stated, when a folder is missing on a local run; failing with the reason under <c>CI=true</c>
    /// (see <see cref="SharedFolderRequirement"/>).
    /// </summary>
    [XunitTestCaseDiscoverer("Microsoft.ML.Layers.TestFramework.SharedFolderFactDiscoverer", "Microsoft.ML.Layers.TestFramework")]
    public sealed class SharedDataFactAttribute : FactAttribute
    {
        private SharedFolders _requires;

        /// <summary>Requires <c>../shared/data</c>.</summary>
        public SharedDataFactAttribute() => Requires = SharedFolders.Data;

        /// <summary>The shared folders the test reads; <see cref="SharedFolders.Data"/> unless set.</summary>
        public SharedFolders Requires
        {
            get => _requires;
            set
            {
                _requires = value | SharedFolders.Data;
                Skip = SharedFolderRequirement.SkipReason(_requires);
            }
        }
    }
}
