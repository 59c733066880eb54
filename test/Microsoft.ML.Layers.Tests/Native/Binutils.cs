using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.ML.Layers.TestFramework;

namespace Microsoft.ML.Layers.Tests.Native
{
    /// <summary>GNU readelf as an independent oracle for what the native fix does to ELF files.</summary>
    internal static class Binutils
    {
        public static string? ReadElfOrSkipReason(out string? reason)
        {
            foreach (var candidate in new[] { "/usr/bin/readelf", "/bin/readelf" })
            {
                if (File.Exists(candidate))
                {
                    reason = null;
                    return candidate;
                }
            }
            reason = "GNU readelf (binutils) is not installed: it is the independent oracle of this test.";
            return null;
        }

        private static string ReadVersions(string readelf, string file)
        {
            var result = ProcessRunner.Run(readelf, new[] { "-V", "-W", file }, Path.GetTempPath());
            if (result.ExitCode != 0)
                throw new IOException($"readelf failed on {file}: {result}");
            return result.StandardOutput;
        }

        /// <summary>Version name -> flags ("none", "WEAK", ...) from the version-needs section.</summary>
        public static Dictionary<string, string> VersionNeedFlags(string readelf, string file)
            => Regex.Matches(ReadVersions(readelf, file), @"Name: (\S+)\s+Flags: (\S+)")
                .GroupBy(m => m.Groups[1].Value)
                .ToDictionary(g => g.Key, g => g.First().Groups[2].Value);

        /// <summary>Version names the file defines (its version-definition section).</summary>
        public static HashSet<string> VersionDefinitions(string readelf, string file)
        {
            string text = ReadVersions(readelf, file);
            int start = text.IndexOf("Version definition section", System.StringComparison.Ordinal);
            int end = text.IndexOf("Version needs section", System.StringComparison.Ordinal);
            if (start < 0)
                return new HashSet<string>();
            string section = end > start ? text.Substring(start, end - start) : text.Substring(start);
            return Regex.Matches(section, @"Name: (\S+)").Select(m => m.Groups[1].Value).ToHashSet();
        }
    }
}
