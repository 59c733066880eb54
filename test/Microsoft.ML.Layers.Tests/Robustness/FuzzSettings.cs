using System;

namespace Microsoft.ML.Layers.Tests.Robustness
{
    /// <summary>
    /// How many mutations the seeded fuzz tests run: a few hundred per format in CI, ten times as many when
    /// <c>MLLAYERS_FUZZ_LONG=1</c> (<c>./build.sh --long</c>, <c>build.cmd --long</c>, <c>bash .ci/run --long</c>).
    /// </summary>
    public static class FuzzSettings
    {
        /// <summary>The environment variable that selects the long run.</summary>
        public const string LongVariable = "MLLAYERS_FUZZ_LONG";

        /// <summary>Whether this is a long run.</summary>
        public static bool Long => Environment.GetEnvironmentVariable(LongVariable) == "1";

        /// <summary>The number of mutations for a test that runs <paramref name="ciCount"/> in CI.</summary>
        public static int Count(int ciCount) => Long ? ciCount * 10 : ciCount;

        /// <summary>The time bound of a fuzz child for <paramref name="ciBound"/> in CI (scaled with the count).</summary>
        public static TimeSpan Timeout(TimeSpan ciBound) => Long ? ciBound * 10 : ciBound;
    }
}
