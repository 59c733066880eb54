using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    // Nested layers: found in fields, lists, arrays and dictionaries, and registered as TorchSharp submodules.
    public abstract partial class Layer
    {
        /// <summary>The layers this layer holds directly, in tracking order (field declaration order, base class first).</summary>
        public IReadOnlyList<Layer> Sublayers => TrackedLayers().Select(t => t.Layer).ToList();

        private List<(string Key, Layer Layer)> TrackedLayers()
        {
            if (_trackedLayers is not null)
                return _trackedLayers;
            var found = new List<(string, Layer)>();
            var seen = new HashSet<Layer>(ReferenceEqualityComparer.Instance) { this };
            var keys = new HashSet<string>(StringComparer.Ordinal);
            foreach (var field in TrackableFields(GetType()))
            {
                var value = field.GetValue(this);
                string fieldKey = FieldKey(field);
                int index = 0;
                foreach (var layer in LayersIn(value))
                {
                    // A layer held directly is known by its field; layers in a collection by their (unique) names, so that
                    // weight paths read "dense/kernel" and stay the same when a model is rebuilt from its config.
                    string key = value is Layer ? TrackingKey(fieldKey) : SafeKey(layer.Name);
                    if (!keys.Add(key))
                        key = $"{fieldKey}_{index}";
                    if (seen.Add(layer))
                    {
                        keys.Add(key);
                        found.Add((key, layer));
                    }
                    index++;
                }
            }
            foreach (var (key, layer) in found)
            {
                if (!_internal_submodules.ContainsKey(key))
                    register_module(key, layer);
            }
            // Before build, layers may still be assigned (in Build); after build the state is locked and can be cached.
            if (Built)
                _trackedLayers = found;
            return found;
        }

        /// <summary>The key a layer held directly in a field is tracked under (and its weights' paths in saved files): the
        /// field's name, unless a built-in layer keeps an older key after its field moved to a base class.</summary>
        private protected virtual string TrackingKey(string fieldKey) => fieldKey;

        private static readonly ConcurrentDictionary<Type, FieldInfo[]> FieldsByType = new();

        private static FieldInfo[] TrackableFields(Type type) => FieldsByType.GetOrAdd(type, t =>
        {
            var chain = new List<Type>();
            for (var current = t; current is not null && current != typeof(Layer); current = current.BaseType)
                chain.Add(current);
            chain.Reverse();
            return chain.SelectMany(c => c.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic
                    | BindingFlags.DeclaredOnly))
                .Where(f => !typeof(Tensor).IsAssignableFrom(f.FieldType) && !f.FieldType.IsPrimitive && f.FieldType != typeof(string))
                .ToArray();
        });

        private static string SafeKey(string name) => name.Replace('.', '_');

        private static string FieldKey(FieldInfo field)
        {
            string name = field.Name;
            // Auto-property backing fields are named <Property>k__BackingField.
            if (name.StartsWith('<') && name.IndexOf('>') is > 1 and var end)
                name = name.Substring(1, end - 1);
            return name.Replace('.', '_');
        }

        private static IEnumerable<Layer> LayersIn(object? value)
        {
            switch (value)
            {
                case null:
                case string:
                case Tensor:
                    yield break;
                case Layer layer:
                    yield return layer;
                    yield break;
                case IDictionary dictionary:
                    foreach (var item in dictionary.Values)
                    {
                        if (item is Layer nested)
                            yield return nested;
                    }
                    yield break;
                case IEnumerable sequence:
                    foreach (var item in sequence)
                    {
                        if (item is Layer nested)
                            yield return nested;
                    }
                    yield break;
            }
        }

        /// <summary>Layers track their nested layers themselves; TorchSharp's field registration would register weights twice.</summary>
        protected override void RegisterComponents()
        {
        }
    }
}
