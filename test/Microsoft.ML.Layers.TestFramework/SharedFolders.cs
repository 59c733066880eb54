using System;

namespace Microsoft.ML.Layers.TestFramework
{
    /// <summary>The folders of <c>../shared</c> a test reads (see <see cref="RepositoryLayout"/>).</summary>
    [Flags]
    public enum SharedFolders
    {
        /// <summary>No shared folder.</summary>
        None = 0,

        /// <summary><c>../shared/data</c>: the public data sets.</summary>
        Data = 1,

        /// <summary><c>../shared/keras-reference</c>: real Keras model files with Keras's own predictions.</summary>
        KerasReference = 2,
    }
}
