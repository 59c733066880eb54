using System;
using System.Linq;
using System.Text.Json.Nodes;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// The (before, after) amounts per spatial axis of the cropping and zero-padding layers, in Keras's forms: one integer
    /// for every side, one integer per axis (symmetric), or one pair per axis. Configs hold the pairs, as Keras writes them
    /// (<c>[[top, bottom], [left, right]]</c>, or <c>[left, right]</c> for one axis).
    /// </summary>
    internal static class SpatialPairs
    {
        /// <summary>Pairs from an integer or one integer per axis (symmetric); every amount must be non-negative.</summary>
        public static (int Before, int After)[] FromSymmetric(IntTuple value, int axes, string argument)
        {
            var perAxis = value.Count == 1 ? Enumerable.Repeat(value.Values[0], axes).ToArray()
                : value.Count == axes ? value.Values
                : throw new ArgumentException($"`{argument}` should have {axes} elements. Received: {argument}={value}.", argument);
            return Check(perAxis.Select(v => (v, v)).ToArray(), argument);
        }

        /// <summary>Checks that every amount is non-negative, with Keras's wording.</summary>
        public static (int Before, int After)[] Check((int Before, int After)[] pairs, string argument)
        {
            var negative = pairs.SelectMany(p => new[] { p.Before, p.After }).Where(v => v < 0).Distinct().ToList();
            if (negative.Count > 0)
            {
                throw new ArgumentOutOfRangeException(argument,
                    $"The `{argument}` argument must be non-negative integers. Received {argument}={Format(pairs)}, including values " +
                    $"{{{string.Join(", ", negative)}}} that do not satisfy `value >= 0`.");
            }
            return pairs;
        }

        /// <summary>Python's notation: <c>(1, 2)</c> for one axis, <c>((1, 2), (3, 4))</c> for several.</summary>
        public static string Format((int Before, int After)[] pairs)
        {
            var items = pairs.Select(p => $"({p.Before}, {p.After})").ToList();
            return pairs.Length == 1 ? items[0] : "(" + string.Join(", ", items) + ")";
        }

        /// <summary>The config value: one <c>[before, after]</c> list per axis.</summary>
        public static int[][] ToConfig((int Before, int After)[] pairs) => pairs.Select(p => new[] { p.Before, p.After }).ToArray();

        /// <summary>Reads a config value of a layer with several spatial axes: an integer, one integer per axis, or one pair per
        /// axis.</summary>
        public static (int Before, int After)[] Read(JsonNode? node, int axes, string argument)
        {
            var value = (JsonNode?)node ?? throw new FormatException($"`{argument}` must not be null.");
            if (value is JsonArray items && items.Count == axes && items.All(i => i is JsonArray))
            {
                var pairs = items.Select((item, i) =>
                {
                    var pair = (IntTuple)KerasJson.FromNode(item, typeof(IntTuple), $"{argument}[{i}]")!;
                    var amounts = pair.Expand(2, argument);
                    return (amounts[0], amounts[1]);
                }).ToArray();
                return Check(pairs, argument);
            }
            return FromSymmetric((IntTuple)KerasJson.FromNode(value, typeof(IntTuple), argument)!, axes, argument);
        }

        /// <summary>
        /// Keras's <c>from_config</c> for a cropping or padding layer with several spatial axes: <paramref name="argument"/> as
        /// Keras writes it (one pair per axis) or as an integer or one integer per axis, <paramref name="defaultAmount"/> on
        /// every side when absent, and <c>data_format</c>; then the base keys.
        /// </summary>
        public static TLayer FromConfig<TLayer>(LayerConfig config, string argument, int axes, int defaultAmount,
            Func<(int Before, int After)[], DataFormat, string?, bool, TLayer> create)
            where TLayer : Layer
        {
            ArgumentNullException.ThrowIfNull(config);
            config.RequireKnownKeys(argument, "data_format");
            var pairs = config.Contains(argument) ? Read(config.Values[argument], axes, argument)
                : FromSymmetric(defaultAmount, axes, argument);
            var layer = create(pairs, config.Get("data_format", DataFormat.ChannelsLast), config.Name, config.Trainable);
            layer.ApplyBaseConfig(config, LayerConfig.BoundBaseKeys);
            return layer;
        }
    }
}
