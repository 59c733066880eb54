using System;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;

namespace Microsoft.ML.Layers.Estimators.Tests.Internals
{
    public sealed class MLNetInternalsTests
    {
        private sealed class Row
        {
            public float X { get; set; }
        }

        private static IDataView Data(MLContext ml) =>
            ml.Data.LoadFromEnumerable(new[] { new Row { X = 1f }, new Row { X = -2.5f }, new Row { X = 4f } });

        /// <summary>Runs code that reaches ML.NET internals; a missing IgnoresAccessChecksTo becomes a readable failure.</summary>
        private static void ThroughInternals(Func<int> action)
        {
            try
            {
                action();
            }
            catch (Exception e) when (e is MethodAccessException or FieldAccessException or TypeAccessException or TypeLoadException)
            {
                Assert.Fail("ML.NET's internal API is not accessible at run time: the assembly lacks " +
                    "[assembly: IgnoresAccessChecksTo(\"Microsoft.ML.Core\")] / (\"Microsoft.ML.Data\"), which eng/Publicize.targets " +
                    $"generates for every PublicizeAssembly item. {e.GetType().Name}: {e.Message}");
            }
        }

        [Fact]
        public void TransformerSavedWithSaveBinaryStreamLoadsInAFreshContextWithoutRegistration()
            => ThroughInternals(SaveThenLoadInFreshContext);

        // Kept out of the test method: JIT-compiling any method that names ScaleColumnTransformer loads the type,
        // which is where a missing IgnoresAccessChecksTo shows up (TypeLoadException).
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static int SaveThenLoadInFreshContext()
        {
            string path = Path.Combine(Path.GetTempPath(), $"mllayers-internals-{Guid.NewGuid():N}.zip");
            try
            {
                var ml = new MLContext(seed: 1);
                var data = Data(ml);
                var transformer = new ScaleColumnTransformer(ml, "X", "Scaled", factor: 3f);
                ml.Model.Save(transformer, data.Schema, path);

                var fresh = new MLContext(seed: 2);
                ITransformer loaded = fresh.Model.Load(path, out DataViewSchema inputSchema);
                float[] scaled = loaded.Transform(Data(fresh)).GetColumn<float>("Scaled").ToArray();

                Assert.Equal(new[] { 3f, -7.5f, 12f }, scaled);
                Assert.Equal("X", Assert.Single(inputSchema).Name);
                var restored = Assert.IsType<ScaleColumnTransformer>(loaded);
                Assert.Equal(("X", "Scaled", 3f), (restored.InputColumn, restored.OutputColumn, restored.Factor));
                return 0;
            }
            finally
            {
                File.Delete(path);
            }
        }

        [Fact]
        public void LoadedMicrosoftMLIsTheExactVersionTheEstimatorsWereCompiledAgainst()
        {
            foreach (var assembly in MLNetCompatibility.InternalsUsedFrom.Select(t => t.Assembly))
            {
                string loaded = MLNetCompatibility.PackageVersionOf(assembly);
                Assert.True(loaded == MLNetCompatibility.PinnedVersion,
                    $"{assembly.GetName().Name} {loaded} is loaded, but Microsoft.ML.Layers.Estimators compiles against the internals of " +
                    $"Microsoft.ML {MLNetCompatibility.PinnedVersion} (Directory.Packages.props). Restore exactly that version.");
            }
            MLNetCompatibility.EnsureCompatible();
        }

        [Fact]
        public void PinnedVersionComesFromTheCentralPackageVersions()
        {
            string props = File.ReadAllText(Path.Combine(TestFramework.RepositoryLayout.Root, "Directory.Packages.props"));

            Assert.Contains($"<MicrosoftMLVersion>{MLNetCompatibility.PinnedVersion}</MicrosoftMLVersion>", props);
            Assert.Contains("Include=\"Microsoft.ML\" Version=\"[$(MicrosoftMLVersion)]\"", props);
        }
    }
}
