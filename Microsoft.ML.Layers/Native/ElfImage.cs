using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Text;

namespace Microsoft.ML.Layers.Native
{
    /// <summary>
    /// A minimal reader of 64-bit little-endian ELF shared objects: just enough to list the symbol
    /// versions a library needs (<c>.gnu.version_r</c>), the versions a library defines
    /// (<c>.gnu.version_d</c>), which versioned symbols relocations actually use, and to mark a
    /// version need as weak. Works on an in-memory copy; it never writes files itself.
    /// </summary>
    internal sealed class ElfImage
    {
        private const uint SectionTypeRela = 4;
        private const uint SectionTypeNoBits = 8;
        private const uint SectionTypeRel = 9;
        private const uint SectionTypeDynSym = 11;
        private const uint SectionTypeVerDef = 0x6ffffffd;
        private const uint SectionTypeVerNeed = 0x6ffffffe;
        private const uint SectionTypeVerSym = 0x6fffffff;

        /// <summary>The <c>VER_FLG_WEAK</c> bit of <c>vna_flags</c>: a missing version is not fatal.</summary>
        public const ushort VersionFlagWeak = 0x2;

        private readonly byte[] _bytes;
        private readonly List<Section> _sections = new();

        private readonly record struct Section(uint Type, long Offset, long Size, uint Link, uint Info, long EntrySize);

        /// <summary>One <c>Elf64_Vernaux</c> entry: a version of a needed library.</summary>
        public readonly record struct VersionNeed(string File, string Version, ushort Index, ushort Flags, long FlagsOffset)
        {
            /// <summary>Whether the dynamic loader tolerates this version being absent.</summary>
            public bool IsWeak => (Flags & VersionFlagWeak) != 0;
        }

        public ElfImage(byte[] bytes, string description)
        {
            _bytes = bytes;
            if (bytes.Length < 64 || bytes[0] != 0x7f || bytes[1] != (byte)'E' || bytes[2] != (byte)'L' || bytes[3] != (byte)'F')
                throw new FormatException($"'{description}' is not an ELF file.");
            if (bytes[4] != 2 || bytes[5] != 1)
                throw new FormatException($"'{description}' is not a 64-bit little-endian ELF file (class {bytes[4]}, data {bytes[5]}).");

            long sectionHeaderOffset = ReadInt64(0x28);
            int sectionHeaderSize = ReadUInt16(0x3A);
            int sectionCount = ReadUInt16(0x3C);
            if (sectionHeaderOffset <= 0 || sectionHeaderSize < 64
                || sectionHeaderOffset + (long)sectionHeaderSize * sectionCount > bytes.Length)
                throw new FormatException($"'{description}' has no readable section headers.");

            for (int i = 0; i < sectionCount; i++)
            {
                long h = sectionHeaderOffset + (long)i * sectionHeaderSize;
                var section = new Section(
                    Type: ReadUInt32(h + 4),
                    Offset: ReadInt64(h + 0x18),
                    Size: ReadInt64(h + 0x20),
                    Link: ReadUInt32(h + 0x28),
                    Info: ReadUInt32(h + 0x2C),
                    EntrySize: ReadInt64(h + 0x38));
                // SHT_NOBITS (.bss, .tbss) occupies no bytes in the file.
                if (section.Type != SectionTypeNoBits
                    && (section.Offset < 0 || section.Size < 0 || section.Offset + section.Size > bytes.Length))
                    throw new FormatException($"'{description}': section {i} lies outside the file.");
                _sections.Add(section);
            }
        }

        /// <summary>The bytes of the image, including any change made by <see cref="MarkWeak"/>.</summary>
        public byte[] Bytes => _bytes;

        /// <summary>Every version this library needs from the libraries it links against.</summary>
        public IReadOnlyList<VersionNeed> VersionNeeds()
        {
            var needs = new List<VersionNeed>();
            foreach (var section in _sections)
            {
                if (section.Type != SectionTypeVerNeed)
                    continue;
                var strings = StringTable(section.Link);
                long entry = section.Offset;
                for (uint n = 0; n < section.Info; n++)
                {
                    int auxCount = ReadUInt16(entry + 2);
                    string file = ReadString(strings, ReadUInt32(entry + 4));
                    long aux = entry + ReadUInt32(entry + 8);
                    for (int a = 0; a < auxCount; a++)
                    {
                        needs.Add(new VersionNeed(file, ReadString(strings, ReadUInt32(aux + 8)),
                            Index: ReadUInt16(aux + 6), Flags: ReadUInt16(aux + 4), FlagsOffset: aux + 4));
                        uint nextAux = ReadUInt32(aux + 12);
                        if (nextAux == 0)
                            break;
                        aux += nextAux;
                    }
                    uint next = ReadUInt32(entry + 12);
                    if (next == 0)
                        break;
                    entry += next;
                }
            }
            return needs;
        }

        /// <summary>Every version name this library defines (for libstdc++: GLIBCXX_3.4, ..., CXXABI_1.3, ...).</summary>
        public ISet<string> VersionDefinitions()
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var section in _sections)
            {
                if (section.Type != SectionTypeVerDef)
                    continue;
                var strings = StringTable(section.Link);
                long entry = section.Offset;
                for (uint n = 0; n < section.Info; n++)
                {
                    long aux = entry + ReadUInt32(entry + 12);
                    names.Add(ReadString(strings, ReadUInt32(aux)));
                    uint next = ReadUInt32(entry + 16);
                    if (next == 0)
                        break;
                    entry += next;
                }
            }
            return names;
        }

        /// <summary>
        /// Names of the dynamic symbols bound to version <paramref name="versionIndex"/> that a relocation
        /// refers to, i.e. symbols the loader must really resolve. Empty when the version is only named.
        /// </summary>
        public IReadOnlyList<string> RelocatedSymbolsOfVersion(ushort versionIndex)
        {
            var dynsymIndex = _sections.FindIndex(s => s.Type == SectionTypeDynSym);
            var versym = _sections.Find(s => s.Type == SectionTypeVerSym);
            if (dynsymIndex < 0 || versym.Size == 0)
                return Array.Empty<string>();
            var dynsym = _sections[dynsymIndex];

            var symbolsOfVersion = new HashSet<long>();
            long symbolCount = versym.Size / 2;
            for (long i = 0; i < symbolCount; i++)
            {
                // Bit 15 is the "hidden" bit; the low 15 bits are the version index.
                if ((ReadUInt16(versym.Offset + 2 * i) & 0x7fff) == versionIndex)
                    symbolsOfVersion.Add(i);
            }

            var used = new List<string>();
            if (symbolsOfVersion.Count == 0)
                return used;
            var strings = StringTable(dynsym.Link);
            foreach (var section in _sections)
            {
                if ((section.Type != SectionTypeRela && section.Type != SectionTypeRel) || section.Link != dynsymIndex)
                    continue;
                long entrySize = section.EntrySize > 0 ? section.EntrySize : (section.Type == SectionTypeRela ? 24 : 16);
                for (long r = section.Offset; r + entrySize <= section.Offset + section.Size; r += entrySize)
                {
                    long symbol = (long)(ReadUInt64(r + 8) >> 32);
                    if (symbolsOfVersion.Remove(symbol))
                        used.Add(ReadString(strings, ReadUInt32(dynsym.Offset + symbol * 24)));
                }
            }
            return used;
        }

        /// <summary>Sets <c>VER_FLG_WEAK</c> on one version need, in this in-memory image.</summary>
        public void MarkWeak(VersionNeed need)
        {
            ushort flags = (ushort)(ReadUInt16(need.FlagsOffset) | VersionFlagWeak);
            BinaryPrimitives.WriteUInt16LittleEndian(_bytes.AsSpan(checked((int)need.FlagsOffset)), flags);
        }

        private Section StringTable(uint index)
        {
            if (index >= _sections.Count)
                throw new FormatException($"ELF string table index {index} is out of range.");
            return _sections[(int)index];
        }

        private string ReadString(Section table, uint offset)
        {
            long start = table.Offset + offset;
            if (offset >= table.Size)
                throw new FormatException($"ELF string offset {offset} is outside its table.");
            long end = start;
            while (end < table.Offset + table.Size && _bytes[end] != 0)
                end++;
            return Encoding.ASCII.GetString(_bytes, checked((int)start), checked((int)(end - start)));
        }

        private ReadOnlySpan<byte> At(long offset, int length)
        {
            if (offset < 0 || offset + length > _bytes.Length)
                throw new FormatException($"ELF read at {offset} runs past the end of the file.");
            return _bytes.AsSpan(checked((int)offset), length);
        }

        private ushort ReadUInt16(long offset) => BinaryPrimitives.ReadUInt16LittleEndian(At(offset, 2));
        private uint ReadUInt32(long offset) => BinaryPrimitives.ReadUInt32LittleEndian(At(offset, 4));
        private long ReadInt64(long offset) => BinaryPrimitives.ReadInt64LittleEndian(At(offset, 8));
        private ulong ReadUInt64(long offset) => BinaryPrimitives.ReadUInt64LittleEndian(At(offset, 8));
    }
}
