using System;
using System.Collections.Generic;
using System.Linq;
using PureHDF;

namespace Microsoft.ML.Layers.Import
{
    /// <summary>
    /// A group of a Keras 3 weights file, seen through the paths Keras meant. Keras 3 on Windows joined the paths of its
    /// weight groups with <c>\</c> (keras-team/keras#18528), and h5py, which splits paths on <c>/</c> only, created one
    /// group named <c>layers\dense</c> at the root instead of <c>layers</c> holding <c>dense</c>. Here a backslash in a
    /// group name separates path segments exactly like a slash, so both layouts (and mixtures) read the same. The file's
    /// groups are listed only when a name is not found directly, so files written on other systems cost nothing more.
    /// </summary>
    internal sealed class Keras3Group
    {
        /// <summary>Where the group's children are: the children of a real group whose names start with a prefix (empty, or
        /// ending with a backslash). A Windows file can hold both a real group <c>layers\mha</c> and its children's
        /// <c>layers\mha\query_dense</c> beside it, so a group may have several sources.</summary>
        private readonly List<Source> _sources;
        private readonly string? _file;

        private sealed class Source
        {
            public Source(IH5Group group, string prefix)
            {
                Group = group;
                Prefix = prefix;
            }

            public IH5Group Group { get; }

            public string Prefix { get; }

            public IReadOnlyList<string>? Names { get; set; }

            /// <summary>The names, and every part of them that ends before a backslash (<c>layers</c> and <c>layers\mha</c> for
            /// <c>layers\mha\query_dense</c>): a child named so continues in other groups.</summary>
            public (HashSet<string> Exact, HashSet<string> Continued)? Lookup { get; set; }
        }

        /// <summary>A view of the real group <paramref name="group"/>, named <paramref name="path"/> in messages (empty for the
        /// file's root).</summary>
        public Keras3Group(IH5Group group, string path, string? file)
            : this(new List<Source> { new(group, "") }, path, file)
        {
        }

        private Keras3Group(List<Source> sources, string path, string? file)
        {
            _sources = sources;
            Path = path;
            _file = file;
        }

        /// <summary>The path Keras meant, with slashes (for messages).</summary>
        public string Path { get; }

        /// <summary>The HDF5 group itself (the one reached by a full name, not through a backslash prefix).</summary>
        public IH5Group Group => _sources.FirstOrDefault(s => s.Prefix.Length == 0)?.Group
            ?? throw new KerasImportException($"'{Path}' is not a group of the weights file.", _file);

        /// <summary>Whether the group has a child group named <paramref name="name"/> (in either layout).</summary>
        public bool Has(string name)
            => _sources.Any(s => (s.Prefix.Length == 0 && Hdf5Reader.Has(s.Group, name))
                || Lookup(s).Exact.Contains(s.Prefix + name) || Lookup(s).Continued.Contains(s.Prefix + name));

        /// <summary>The child group <paramref name="name"/>; fails naming the path when there is none.</summary>
        public Keras3Group Child(string name)
        {
            var sources = new List<Source>();
            foreach (var source in _sources)
            {
                string full = source.Prefix + name;
                if (source.Prefix.Length == 0 ? Hdf5Reader.Has(source.Group, name) : Lookup(source).Exact.Contains(full))
                    sources.Add(new Source(Hdf5Reader.Group(source.Group, full, _file), ""));
                if (Lookup(source).Continued.Contains(full))
                    sources.Add(new Source(source.Group, full + "\\"));
            }
            string path = Path.Length == 0 ? name : $"{Path}/{name}";
            return sources.Count > 0 ? new Keras3Group(sources, path, _file)
                : throw new KerasImportException($"the weights file has no group '{path}'.", _file);
        }

        /// <summary>The names of the child groups (first path segments), in the file's order.</summary>
        public IReadOnlyList<string> ChildNames()
            => _sources.SelectMany(s => Names(s)
                    .Where(n => n.StartsWith(s.Prefix, StringComparison.Ordinal) && n.Length > s.Prefix.Length)
                    .Select(n => n[s.Prefix.Length..].Split('\\')[0]))
                .Distinct(StringComparer.Ordinal)
                .ToList();

        private IReadOnlyList<string> Names(Source source) => source.Names ??= Hdf5Reader.ChildGroupNames(source.Group, _file);

        private (HashSet<string> Exact, HashSet<string> Continued) Lookup(Source source)
        {
            if (source.Lookup is { } lookup)
                return lookup;
            var exact = new HashSet<string>(Names(source), StringComparer.Ordinal);
            var continued = new HashSet<string>(StringComparer.Ordinal);
            foreach (var name in exact)
            {
                for (int i = name.IndexOf('\\', StringComparison.Ordinal); i >= 0; i = name.IndexOf('\\', i + 1))
                    continued.Add(name[..i]);
            }
            source.Lookup = (exact, continued);
            return source.Lookup.Value;
        }
    }
}
