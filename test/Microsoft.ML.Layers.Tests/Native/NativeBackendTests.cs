using System.IO;
using System.Linq;
using Microsoft.ML.Layers.TestFramework;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Native
{
    public sealed class NativeBackendTests
    {
        [Fact]
        public void TorchSharpMultipliesMatricesAfterTheBackendIsPrepared()
        {
            NativeBackend.EnsureLoaded();
            using var scope = NewDisposeScope();
            var a = tensor(new float[] { 1, 2, 3, 4 }, 2, 2);
            var b = tensor(new float[] { 5, 6, 7, 8 }, 2, 2);

            float[] product = a.matmul(b).data<float>().ToArray();

            // [[1*5+2*7, 1*6+2*8], [3*5+4*7, 3*6+4*8]], worked by hand.
            Assert.Equal(new float[] { 19, 22, 43, 50 }, product);
        }

        [Fact]
        public void TorchSharpComputesGradients()
        {
            NativeBackend.EnsureLoaded();
            using var scope = NewDisposeScope();
            var x = tensor(new float[] { 1, -2, 3 }, requires_grad: true);

            (x * x).sum().backward();

            // d/dx sum(x^2) = 2x.
            Assert.Equal(new float[] { 2, -4, 6 }, x.grad!.data<float>().ToArray());
        }

        [Fact]
        public void FixIsAppliedExactlyWhenTheSystemLibStdCxxLacksAVersionTorchSharpNames()
        {
            var readelf = Binutils.ReadElfOrSkipReason(out string? skip);
            Assert.True(readelf is not null, skip);

            string systemLibStdCxx = File.ReadLines("/proc/self/maps").Select(l => l.Substring(l.IndexOf('/') < 0 ? l.Length : l.IndexOf('/')))
                .First(p => Path.GetFileName(p).StartsWith("libstdc++.so", System.StringComparison.Ordinal));
            bool systemHasThatVersion = Binutils.VersionDefinitions(readelf!, systemLibStdCxx).Contains("GLIBCXX_3.4.32");

            if (systemHasThatVersion)
                Assert.Null(NativeBackend.FixedLibraryPath);
            else
                Assert.NotNull(NativeBackend.FixedLibraryPath);
        }

        [Fact]
        public void FixedCopyMarksOnlyTheMissingLibStdCxxVersionWeak()
        {
            var readelf = Binutils.ReadElfOrSkipReason(out string? skip);
            Assert.True(readelf is not null, skip);
            string? fixedCopy = NativeBackend.FixedLibraryPath;
            if (fixedCopy is null)
                return; // This machine's libstdc++ is new enough; FixIsAppliedExactly... covers that case.
            string original = Path.Combine(System.AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

            var before = Binutils.VersionNeedFlags(readelf!, original);
            var after = Binutils.VersionNeedFlags(readelf!, fixedCopy);

            Assert.Equal("none", before["GLIBCXX_3.4.32"]);
            Assert.Equal("WEAK", after["GLIBCXX_3.4.32"]);
            Assert.Equal(before.Keys.OrderBy(k => k), after.Keys.OrderBy(k => k));
            Assert.All(before.Keys.Where(k => k != "GLIBCXX_3.4.32"), k => Assert.Equal(before[k], after[k]));
            Assert.Equal(new FileInfo(original).Length, new FileInfo(fixedCopy).Length);
        }
    }
}
