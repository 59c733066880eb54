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
                Stage(layer, ReadAll(weightNames.Select(n => (Func<Tensor>)(() => Hdf5Reader.ReadTensor(group, n, _file)))), weightNames);
                loaded.Add(layer);
            }
            CheckAllLoaded(model, loaded);
        }

        /// <summary>Reads a Keras 3 <c>model.weights.h5</c> into <paramref name="model"/>.</summary>
        public void LoadKeras3(Model model, IH5Group root)
        {
            var loaded = new HashSet<Layer>(ReferenceEqualityComparer.Instance);
            var layersGroup = Hdf5Reader.Has(root, "layers") ? Hdf5Reader.Group(root, "layers", _file)
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
        private void LoadKeras3Container(Model model, IH5Group layersGroup, HashSet<Layer> loaded)
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
                if (!Hdf5Reader.Has(layersGroup, key))
                    throw Error($"model.weights.h5 has no group 'layers/{key}' for layer '{layer.Name}' ({layer.Weights.Count} weights).",
                        layer.Name);
                var group = Hdf5Reader.Group(layersGroup, key, _file);
                if (layer is Model nested)
                {
                    LoadKeras3Container(nested, Hdf5Reader.Group(group, "layers", _file), loaded);
                    loaded.Add(nested);
                    continue;
                }
                var (values, names) = Keras3Variables(layer, group);
                Stage(layer, values, names);
                loaded.Add(layer);
            }
        }

        /// <summary>
        /// A layer's variables in the order of its weights: its own <c>vars</c>, then its nested layers' groups in their
        /// tracking order (Keras writes them by attribute name, which for wrappers and attention is not that order).
        /// </summary>
        private (List<Tensor> Values, List<string> Names) Keras3Variables(Layer layer, IH5Group group)
        {
            var values = new List<Tensor>();
            var names = new List<string>();
            void Collect(IH5Group g, string path)
            {
                if (Hdf5Reader.Has(g, "vars"))
                {
                    var vars = Hdf5Reader.Group(g, "vars", _file);
                    for (int i = 0; Hdf5Reader.Has(vars, i.ToString(System.Globalization.CultureInfo.InvariantCulture)); i++)
                    {
                        values.Add(Hdf5Reader.ReadTensor(vars, i.ToString(System.Globalization.CultureInfo.InvariantCulture), _file));
                        names.Add($"{path}/vars/{i}");
                    }
                }
                var children = Hdf5Reader.ChildGroupNames(g, _file).Where(n => n != "vars").ToList();
                foreach (var child in OrderChildren(children))
                    Collect(Hdf5Reader.Group(g, child, _file), $"{path}/{child}");
            }
            try
            {
                Collect(group, group.Name);
            }
            catch
            {
                foreach (var value in values)
                    value.Dispose();
                throw;
            }
            return (values, names);
        }

        /// <summary>The order Keras's layers create their nested layers in (their weights' order), for the attribute names Keras 3
        /// saves.</summary>
        private static readonly string[] KnownChildOrder =
        {
            "cell", "forward_layer", "backward_layer", "layer",
            "_query_dense", "_key_dense", "_value_dense", "_output_dense",
            "depthwise_conv", "pointwise_conv",
        };

        private static IEnumerable<string> OrderChildren(IReadOnlyList<string> children)
            => children.OrderBy(c => Array.IndexOf(KnownChildOrder, c) is int i && i >= 0 ? i : KnownChildOrder.Length)
                .ThenBy(c => c, StringComparer.Ordinal);

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

        /// <summary>Checks the values against <paramref name="layer"/>'s weights and stages them.</summary>
        private void Stage(Layer layer, List<Tensor> values, IReadOnlyList<string> names)
        {
            var targets = layer.Weights;
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
