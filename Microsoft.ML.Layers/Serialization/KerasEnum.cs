using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// The one mapping between the enums of fixed-choice options (<see cref="Padding"/>, <see cref="DataFormat"/>, ...) and
    /// Keras's strings, which appear only in configs. A member's Keras string is its <see cref="KerasNameAttribute"/> name, else
    /// its name in snake_case (<c>ChannelsLast</c> is <c>"channels_last"</c>). Reading ignores letter case, as Keras does for
    /// <c>padding</c> and <c>data_format</c>, and accepts the attribute's aliases.
    /// </summary>
    internal static class KerasEnum
    {
        private static readonly ConcurrentDictionary<Type, Member[]> MembersByType = new();

        /// <summary>The Keras string of <paramref name="value"/>, or <see langword="null"/> for a member that stands for
        /// <c>None</c>.</summary>
        /// <exception cref="ArgumentOutOfRangeException">The value is not a member of its enum.</exception>
        public static string? ToKeras(Enum value)
        {
            ArgumentNullException.ThrowIfNull(value);
            var member = MembersOf(value.GetType()).FirstOrDefault(m => m.Value.Equals(value));
            if (member is null)
                throw new ArgumentOutOfRangeException(nameof(value),
                    $"{value} is not a {value.GetType().Name}. Valid values: {ValidValues(value.GetType())}.");
            return member.KerasName;
        }

        /// <summary>The Keras string of <paramref name="value"/>, <c>None</c> for <see langword="null"/>, for error messages.</summary>
        public static string Describe(Enum value) => ToKeras(value) ?? "None";

        /// <summary>Reads <paramref name="text"/> (<see langword="null"/> for <c>None</c>) as a member of
        /// <typeparamref name="T"/>.</summary>
        /// <exception cref="FormatException">The text names no member; the message names <paramref name="where"/> and lists the valid
        /// values.</exception>
        public static T Parse<T>(string? text, string where) where T : struct, Enum => (T)Parse(typeof(T), text, where);

        /// <summary>Reads <paramref name="text"/> (<see langword="null"/> for <c>None</c>) as a member of
        /// <paramref name="type"/>.</summary>
        /// <exception cref="FormatException">The text names no member; the message names <paramref name="where"/> and lists the valid
        /// values.</exception>
        public static object Parse(Type type, string? text, string where)
        {
            if (TryParse(type, text, out var value))
                return value;
            string received = text is null ? "None" : $"'{text}'";
            throw new FormatException($"'{where}' must be one of {ValidValues(type)}. Received: {received}.");
        }

        /// <summary>Whether <paramref name="text"/> (<see langword="null"/> for <c>None</c>) names a member of
        /// <paramref name="type"/>.</summary>
        public static bool TryParse(Type type, string? text, out object value)
        {
            var members = MembersOf(type);
            var member = text is null
                ? members.FirstOrDefault(m => m.ReadsNone)
                : members.FirstOrDefault(m => m.Spellings.Contains(text, StringComparer.OrdinalIgnoreCase));
            value = member?.Value!;
            return member is not null;
        }

        /// <summary>The valid Keras values of <paramref name="type"/>, quoted, for error messages:
        /// <c>"valid", "same", "causal"</c>.</summary>
        public static string ValidValues(Type type)
            => string.Join(", ", MembersOf(type).Select(m => m.KerasName is null ? "None" : $"\"{m.KerasName}\""));

        private static Member[] MembersOf(Type type)
        {
            if (!type.IsEnum)
                throw new ArgumentException($"{type.Name} is not an enum.", nameof(type));
            return MembersByType.GetOrAdd(type, t => t.GetFields(BindingFlags.Public | BindingFlags.Static).Select(field =>
            {
                var attribute = field.GetCustomAttribute<KerasNameAttribute>();
                string? kerasName = attribute is null ? KerasJson.SnakeCase(field.Name) : attribute.Name;
                // The .NET member name is accepted too, so configs written with it (or "ChannelsLast") read back.
                var spellings = new[] { kerasName, field.Name }.Concat(attribute?.Aliases ?? Array.Empty<string>()).OfType<string>()
                    .ToArray();
                return new Member((Enum)field.GetValue(null)!, kerasName, spellings,
                    attribute?.ReadsNone == true || (attribute is not null && kerasName is null));
            }).ToArray());
        }

        private sealed record Member(Enum Value, string? KerasName, string[] Spellings, bool ReadsNone);
    }
}
