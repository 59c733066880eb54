using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace Microsoft.ML.Layers.Tests.Robustness
{
    /// <summary>One corrupted copy of a file: what was done (for failure messages) and which bytes of the original it touched.</summary>
    /// <param name="Description">For instance <c>flip bit 3 of byte 1207</c>; with the seed it reproduces the copy.</param>
    /// <param name="Bytes">The corrupted copy.</param>
    /// <param name="Start">The first byte of the original that changed (for a truncation, the new length).</param>
    /// <param name="End">One past the last byte that changed.</param>
    /// <param name="IsTruncation">Whether the copy is a prefix of the original.</param>
    public sealed record Mutation(string Description, byte[] Bytes, long Start, long End, bool IsTruncation)
    {
        /// <summary>Whether the mutation changed a byte of [<paramref name="start"/>, <paramref name="end"/>).</summary>
        public bool Touches(long start, long end) => Start < end && start < End;
    }

    /// <summary>Seeded byte-level mutations for the fuzz tests: single bit flips, runs of random bytes and truncations.</summary>
    public static class Mutations
    {
        /// <summary>One bit flipped anywhere.</summary>
        public static Mutation FlipBit(byte[] original, Random random)
        {
            long bit = random.NextInt64(original.Length * 8L);
            var copy = (byte[])original.Clone();
            copy[bit / 8] ^= (byte)(1 << (int)(bit % 8));
            return new Mutation($"flip bit {bit % 8} of byte {bit / 8}", copy, bit / 8, bit / 8 + 1, false);
        }

        /// <summary>A run of 2 to 64 random bytes written over the file at a random offset.</summary>
        public static Mutation OverwriteRun(byte[] original, Random random)
        {
            int length = Math.Min(random.Next(2, 65), original.Length);
            int start = random.Next(original.Length - length + 1);
            var copy = (byte[])original.Clone();
            random.NextBytes(copy.AsSpan(start, length));
            return new Mutation($"overwrite {length} random bytes at {start}", copy, start, start + length, false);
        }

        /// <summary>The file cut at a random length (0 to one byte short).</summary>
        public static Mutation Truncate(byte[] original, Random random)
        {
            int length = random.Next(original.Length);
            return new Mutation($"truncate to {length} of {original.Length} bytes", original[..length], length, original.Length, true);
        }

        /// <summary><paramref name="count"/> mutations: about 60% bit flips, 25% byte runs and 15% truncations.</summary>
        public static IEnumerable<Mutation> Mixed(byte[] original, Random random, int count)
        {
            for (int i = 0; i < count; i++)
            {
                int kind = random.Next(100);
                yield return kind < 60 ? FlipBit(original, random)
                    : kind < 85 ? OverwriteRun(original, random)
                    : Truncate(original, random);
            }
        }

        /// <summary>
        /// Writes each mutation to <paramref name="directory"/> as <c>prefix-index.extension</c>; returns the files in order and
        /// the mutation of each file.
        /// </summary>
        public static (List<string> Files, Dictionary<string, Mutation> ByFile) Write(IEnumerable<Mutation> mutations, string directory,
            string prefix, string extension)
        {
            var byFile = new Dictionary<string, Mutation>();
            var files = new List<string>();
            foreach (var (mutation, index) in mutations.Select((m, i) => (m, i)))
            {
                string file = Path.Combine(directory, $"{prefix}-{index:D4}{extension}");
                File.WriteAllBytes(file, mutation.Bytes);
                files.Add(file);
                byFile[file] = mutation;
            }
            return (files, byFile);
        }
    }
}
