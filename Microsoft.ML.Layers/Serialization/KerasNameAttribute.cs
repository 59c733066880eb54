using System;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// The Keras string of a fixed-choice option's enum member, when it is not the member name in snake_case
    /// (<c>MergeMode.Multiply</c> is <c>"mul"</c>), and the other spellings a config may use for it. Read by <see cref="KerasEnum"/>.
    /// </summary>
    [AttributeUsage(AttributeTargets.Field, AllowMultiple = false, Inherited = false)]
    internal sealed class KerasNameAttribute : Attribute
    {
        /// <summary>Names the member's Keras string; <see langword="null"/> stands for Keras's <c>None</c> (JSON <c>null</c>).</summary>
        public KerasNameAttribute(string? name) => Name = name;

        /// <summary>The Keras string, or <see langword="null"/> for <c>None</c>.</summary>
        public string? Name { get; }

        /// <summary>Other spellings read as this member (<c>"normal"</c> for <c>truncated_normal</c>); never written.</summary>
        public string[] Aliases { get; set; } = Array.Empty<string>();

        /// <summary>Whether Keras's <c>None</c> (JSON <c>null</c>) in a config means this member (<c>data_format=None</c> is
        /// <c>channels_last</c>).</summary>
        public bool ReadsNone { get; set; }
    }
}
