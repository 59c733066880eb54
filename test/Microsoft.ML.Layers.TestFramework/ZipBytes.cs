using System.IO;
using System.IO.Compression;
using System.Linq;

namespace Microsoft.ML.Layers.TestFramework
{
    /// <summary>Reads and rewrites entries of a zip held in memory (model files, ML.NET .zips) for corruption tests.</summary>
    public static class ZipBytes
    {
        /// <summary>The entry names, in the zip's order.</summary>
        public static string[] EntryNames(byte[] zipBytes)
        {
            using var zip = new ZipArchive(new MemoryStream(zipBytes), ZipArchiveMode.Read);
            return zip.Entries.Select(e => e.FullName).ToArray();
        }

        /// <summary>The decompressed content of entry <paramref name="name"/>.</summary>
        public static byte[] ReadEntry(byte[] zipBytes, string name)
        {
            using var zip = new ZipArchive(new MemoryStream(zipBytes), ZipArchiveMode.Read);
            using var stream = zip.GetEntry(name)!.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
        }

        /// <summary>The zip with one entry's content replaced (the zip writer records a correct CRC for it).</summary>
        public static byte[] WithEntry(byte[] zipBytes, string name, byte[] content)
        {
            using var source = new ZipArchive(new MemoryStream(zipBytes), ZipArchiveMode.Read);
            using var result = new MemoryStream();
            using (var target = new ZipArchive(result, ZipArchiveMode.Create, leaveOpen: true))
            {
                foreach (var entry in source.Entries)
                {
                    using var write = target.CreateEntry(entry.FullName).Open();
                    if (entry.FullName == name)
                        write.Write(content);
                    else
                    {
                        using var read = entry.Open();
                        read.CopyTo(write);
                    }
                }
            }
            return result.ToArray();
        }
    }
}
