using System;
using System.Collections.Generic;
using System.Linq;
using PureHDF;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Import
{
    /// <summary>
    /// Reads the weights of a Keras HDF5 weights tree into a model's layers. Two layouts:
    /// <list type="bullet">
    /// <item>legacy (Keras 1, 2, tf.keras): a group per layer listed in <c>layer_names</c>, each listing its datasets in
    /// <c>weight_names</c>, in the order of the layer's weights;</item>
    /// <item>Keras 3 (<c>model.weights.h5</c>): <c>layers/&lt;snake_case class&gt;[_N]/vars/&lt;i&gt;</c>, nested layers in named
    /// child groups.</item>
    /// </list>
    /// Every value is read and checked against the layer's weight shapes first; the weights change only when all fit.
    /// </summary>
    internal sealed class KerasWeightLoader
    {
        private readonly string? _file;
        private readonly int _kerasMajor;
        private readonly List<(Parameter Target, Tensor Value)> _assignments = new();

        public KerasWeightLoader(int kerasMajor, string? file)
        {
            _kerasMajor = kerasMajor;
            _file = file;
        }

        /// <summary>Reads a legacy tree (<c>/model_weights</c> of a model file, or the root of a weights-only file) into
        /// <paramref name="model"/>.</summary>
        public void LoadLegacy(Model model, IH5Group root)
        {
            var layerNames = Hdf5Reader.StringListAttribute(root, "layer_names", _file)
                ?? throw Error($"the weights group '{root.Name}' has no 'layer_names' attribute: it is not a Keras weights tree.");
            var byName = AllLayers(model).GroupBy(l => l.Name).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            var loaded = new HashSet<Layer>(ReferenceEqualityComparer.Instance);
            foreach (var layerName in layerNames)
            {
                var group = Hdf5Reader.Group(root, layerName, _file);
                var weightNames = Hdf5Reader.StringListAttribute(group, "weight_names", _file) ?? Array.Empty<string>();
                if (!byName.TryGetValue(layerName, out var layer))
                {
                    if (weightNames.Count == 0)
                        continue;
                    throw Error($"the file holds {weightNames.Count} weights for layer '{layerName}', which the model config does not " +
                        $"have.", layerName);
                }
                var values = ReadAll(weightNames.Select(n => (Func<Tensor>)(() => Hdf5Reader.ReadTensor(group, n, _file))));
                Stage(layer, layer is Model nested ? LegacyNestedTargets(nested, weightNames) : layer.Weights, values, weightNames);
                loaded.Add(layer);
            }
            CheckAllLoaded(model, loaded);
        }

        /// <summary>Reads a Keras 3 <c>model.weights.h5</c> into <paramref name="model"/>.</summary>
        public void LoadKeras3(Model model, IH5Group root)
        {
            var loaded = new HashSet<Layer>(ReferenceEqualityComparer.Instance);
            var top = new Keras3Group(root, "", _file);
            var layersGroup = top.Has("layers") ? top.Child("layers")
                : throw Error("model.weights.h5 has no 'layers' group: it is not a Keras 3 weights file.");
            LoadKeras3Container(model, layersGroup, loaded);
            CheckAllLoaded(model, loaded);
        }

        /// <summary>Assigns every staged value; called once everything has been read and checked.</summary>
        public void Commit()
        {
            using var noGrad = no_grad();
            foreach (var (target, value) in _assignments)
                target.Assign(value);
            DisposeStaged();
        }

        /// <summary>Releases the values read (when the import fails before <see cref="Commit"/>).</summary>
        public void DisposeStaged()
        {
            foreach (var (_, value) in _assignments)
                value.Dispose();
            _assignments.Clear();
        }

        // ---------------------------------------------------------------------------------------------------------

        /// <summary>
        /// Keras 3 names each layer of a container by its class in snake case, with <c>_1</c>, <c>_2</c>, ... for repeats
        /// (in the container's layer order, input layers included).
        /// </summary>
        private void LoadKeras3Container(Model model, Keras3Group layersGroup, HashSet<Layer> loaded)
        {
            var used = new Dictionary<string, int>(StringComparer.Ordinal);
            // Keras 3 saves a container's `layers`: without the input layer for Sequential, with it for functional models;
            // either way the input layer has no variables and its name cannot collide with another class's.
            foreach (var layer in model.Layers)
            {
                string baseName = KerasJson.SnakeCase(ComponentRegistry.NameOf(layer.GetType()));
                used.TryGetValue(baseName, out int count);
                used[baseName] = count + 1;
                string key = count == 0 ? baseName : $"{baseName}_{count}";
                if (layer.Weights.Count == 0)
                    continue;
                if (!layersGroup.Has(key))
                    throw Error($"model.weights.h5 has no group 'layers/{key}' for layer '{layer.Name}' ({layer.Weights.Count} weights).",
                        layer.Name);
                var group = layersGroup.Child(key);
                if (layer is Model nested)
                {
                    LoadKeras3Container(nested, group.Child("layers"), loaded);
                    loaded.Add(nested);
                    continue;
                }
                var (values, names) = Keras3Variables(layer, group);
                Stage(layer, layer.Weights, values, names);
                loaded.Add(layer);
            }
        }

        /// <summary>
        /// A layer's variables in the order of its weights: its own <c>vars</c>, then its nested layers' groups in their
        /// tracking order (Keras writes them by attribute name, which for wrappers and attention is not that order). The
        /// attribute names say which nested layer a group belongs to; a group whose name does not say it fails the import
        /// (never a guessed order, which could give a weight of one projection to another of the same shape).
        /// </summary>
        private (List<Tensor> Values, List<string> Names) Keras3Variables(Layer layer, Keras3Group group)
        {
            var values = new List<Tensor>();
            var names = new List<string>();
            void Collect(Keras3Group g)
            {
                bool ownVars = false;
                if (g.Has("vars"))
                {
                    var vars = g.Child("vars").Group;
                    for (int i = 0; Hdf5Reader.Has(vars, i.ToString(System.Globalization.CultureInfo.InvariantCulture)); i++)
                    {
                        values.Add(Hdf5Reader.ReadTensor(vars, i.ToString(System.Globalization.CultureInfo.InvariantCulture), _file));
                        names.Add($"{g.Path}/vars/{i}");
                        ownVars = true;
                    }
                }
                var children = g.ChildNames().Where(n => n != "vars").ToList();
                foreach (var child in OrderChildren(layer, g, children, ownVars))
                    Collect(g.Child(child));
            }
            try
            {
                Collect(group);
            }
            catch
            {
                foreach (var value in values)
                    value.Dispose();
                throw;
            }
            return (values, names);
        }

        /// <summary>The attribute names Keras's layers give their nested layers, in the order they create them (their weights'
        /// order). Keras 3.14 dropped the leading underscore of the attention projections.</summary>
        private static readonly string[] KnownChildOrder =
        {
            "cell", "forward_layer", "backward_layer", "layer",
            "_query_dense", "query_dense", "_key_dense", "key_dense", "_value_dense", "value_dense", "_output_dense", "output_dense",
            "depthwise_conv", "pointwise_conv",
        };

        /// <summary>
        /// The nested groups in weight order. Known attribute names give the order; a lone nested group in a layer without
        /// variables of its own has no order to get wrong. Anything else fails naming the layer and the groups.
        /// </summary>
        private IEnumerable<string> OrderChildren(Layer layer, Keras3Group group, IReadOnlyList<string> children, bool ownVars)
        {
            // Keras 3 also writes empty groups for nested layers without variables (an attention layer's softmax and dropout).
            var holding = children.Where(c => HasVariables(group.Child(c))).ToList();
            if (StackedCellGroupNames(layer, holding) is { } cellOrder)
                return holding.OrderBy(c => cellOrder.IndexOf(c));
            var unknown = holding.Where(c => Array.IndexOf(KnownChildOrder, c) < 0).ToList();
            if (unknown.Count > 0 && (holding.Count > 1 || ownVars))
            {
                throw Error(
                    $"the nested weight groups of '{group.Path}' ({string.Join(", ", holding.Select(c => $"'{c}'"))}) cannot be matched " +
                    $"to the layer's weights: {string.Join(", ", unknown.Select(c => $"'{c}'"))} is not a sub-layer name this library " +
                    $"knows, and weights are never assigned by guessed order. Sub-layer groups this library knows: " +
                    $"{string.Join(", ", KnownChildOrder)}.", layer.Name);
            }
            return holding.OrderBy(c => Array.IndexOf(KnownChildOrder, c));
        }

        /// <summary>
        /// Keras 3 writes the cells of a <see cref="StackedRNNCells"/> (its list <c>cells</c>) as groups named after their classes in
        /// list order (<c>simple_rnn_cell</c>, <c>gru_cell</c>, <c>gru_cell_1</c>): those names, in that order, for a stack in
        /// <paramref name="layer"/> whose names cover <paramref name="groups"/>; else null.
        /// </summary>
        private static List<string>? StackedCellGroupNames(Layer layer, IReadOnlyList<string> groups)
        {
            IEnumerable<Layer> All(Layer l) => l.Sublayers.SelectMany(All).Prepend(l);
            foreach (var stack in All(layer).OfType<StackedRNNCells>())
            {
                var used = new Dictionary<string, int>(StringComparer.Ordinal);
                var names = stack.Cells.Select(cell =>
                {
                    string baseName = KerasJson.SnakeCase(ComponentRegistry.NameOf(cell.GetType()));
                    used.TryGetValue(baseName, out int count);
                    used[baseName] = count + 1;
                    return count == 0 ? baseName : $"{baseName}_{count}";
                }).ToList();
                if (groups.Count > 0 && groups.All(names.Contains))
                    return names;
            }
            return null;
        }

        /// <summary>Whether the group or a group under it holds a variable.</summary>
        private static bool HasVariables(Keras3Group group)
            => (group.Has("vars") && Hdf5Reader.Has(group.Child("vars").Group, "0"))
               || group.ChildNames().Where(n => n != "vars").Any(n => HasVariables(group.Child(n)));

        /// <summary>
        /// The weights of a nested model in the order tf.keras wrote them into a legacy file: <c>_legacy_weights</c> is
        /// <c>trainable_weights + non_trainable_weights</c>, so all trainable weights of its layers come first, then all
        /// non-trainable ones (a frozen layer's weights all count as non-trainable). When the file's weight names
        /// (<c>dense/kernel:0</c>, <c>model/batch_normalization/moving_mean:0</c>) name the inner layers unambiguously, they
        /// decide instead: each inner layer takes the weights named after it, in the file's order.
        /// </summary>
        private static IReadOnlyList<Parameter> LegacyNestedTargets(Model nested, IReadOnlyList<string> weightNames)
        {
            var leaves = AllLayers(nested).Where(l => l is not Model && l.Weights.Count > 0).ToList();
            var byName = leaves.GroupBy(l => l.Name).Where(g => g.Count() == 1)
                .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            var named = new Dictionary<Layer, List<int>>(ReferenceEqualityComparer.Instance);
            bool allNamed = true;
            for (int i = 0; i < weightNames.Count && allNamed; i++)
            {
                var owner = weightNames[i].Split('/').Select(s => byName.GetValueOrDefault(s)).FirstOrDefault(l => l is not null);
                if (owner is null)
                    allNamed = false;
                else if (named.TryGetValue(owner, out var list))
                    list.Add(i);
                else
                    named[owner] = new List<int> { i };
            }
            if (allNamed && leaves.All(l => named.TryGetValue(l, out var indices) && indices.Count == l.Weights.Count))
            {
                var targets = new Parameter[weightNames.Count];
                foreach (var leaf in leaves)
                {
                    var weights = leaf.Weights;
                    for (int k = 0; k < weights.Count; k++)
                        targets[named[leaf][k]] = weights[k];
                }
                return targets;
            }
            var trainable = new List<Parameter>();
            var nonTrainable = new List<Parameter>();
            LegacyOrder(nested, trainable, nonTrainable);
            return trainable.Concat(nonTrainable).ToList();
        }

        /// <summary>tf.keras's <c>trainable_weights</c> and <c>non_trainable_weights</c> of a layer, gathered through nested
        /// models.</summary>
        private static void LegacyOrder(Layer layer, List<Parameter> trainable, List<Parameter> nonTrainable)
        {
            if (!layer.Trainable)
            {
                nonTrainable.AddRange(layer.Weights);
            }
            else if (layer is Model model)
            {
                foreach (var inner in model.Layers)
                    LegacyOrder(inner, trainable, nonTrainable);
            }
            else
            {
                trainable.AddRange(layer.TrainableWeights);
                nonTrainable.AddRange(layer.NonTrainableWeights);
            }
        }

        /// <summary>Runs the reads in order; when one fails, the tensors already read are released.</summary>
        private static List<Tensor> ReadAll(IEnumerable<Func<Tensor>> reads)
        {
            var values = new List<Tensor>();
            try
            {
                foreach (var read in reads)
                    values.Add(read());
                return values;
            }
            catch
            {
                foreach (var value in values)
                    value.Dispose();
                throw;
            }
        }

        /// <summary>Checks the values against <paramref name="targets"/> (the weights of <paramref name="layer"/> in the file's
        /// order) and stages them.</summary>
        private void Stage(Layer layer, IReadOnlyList<Parameter> targets, List<Tensor> values, IReadOnlyList<string> names)
        {
            if (_kerasMajor <= 1)
                values = Keras1Layouts.Convert(layer, values, _file);
            if (targets.Count != values.Count)
            {
                foreach (var v in values)
                    v.Dispose();
                throw Error(
                    $"the file holds {values.Count} weights ({string.Join(", ", names)}) but the layer has {targets.Count} " +
                    $"({string.Join(", ", targets.Select(w => $"{w.Name} {w.Shape}"))}).", layer.Name);
            }
            for (int i = 0; i < targets.Count; i++)
            {
                var expected = targets[i].Shape;
                var received = Shape.Of(values[i]);
                if (expected != received && !(expected.Rank == 0 && received.Rank == 1 && received[0] == 1))
                {
                    string receivedText = received.ToString();
                    foreach (var v in values)
                        v.Dispose();
                    throw Error(
                        $"weight '{targets[i].Name}' (index {i}, from '{(i < names.Count ? names[i] : "?")}') has shape {expected} in " +
                        $"this library but {receivedText} in the file.", layer.Name, targets[i].Name);
                }
                _assignments.Add((targets[i], values[i]));
            }
        }

        private void CheckAllLoaded(Model model, HashSet<Layer> loaded)
        {
            var missing = model.Layers.Where(l => l.Weights.Count > 0 && !loaded.Contains(l)).ToList();
            if (missing.Count > 0)
                throw Error($"the file holds no weights for layer(s) {string.Join(", ", missing.Select(l => $"'{l.Name}'"))}.",
                    missing[0].Name);
        }

        /// <summary>The model's layers and, through nested models, theirs (legacy files name nested layers by their own names
        /// too).</summary>
        private static IEnumerable<Layer> AllLayers(Model model)
        {
            foreach (var layer in model.Layers)
            {
                yield return layer;
                if (layer is Model nested)
                {
                    foreach (var inner in AllLayers(nested))
                        yield return inner;
                }
            }
        }

        private KerasImportException Error(string message, string? layer = null, string? argument = null)
            => new(message, _file, layer, argument);
    }
}
