using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML.Layers.Regularizers;

namespace Microsoft.ML.Layers
{
    // Config: the Keras JSON of a layer, the base keys every layer takes, and rebuilding a layer from a config.
    public abstract partial class Layer
    {
        /// <summary>Config keys every layer accepts (Keras's base <c>Layer.__init__</c> arguments).</summary>
        internal static readonly HashSet<string> BaseConfigKeys = new(StringComparer.Ordinal)
        {
            "name", "trainable", "dtype", "dynamic", "activity_regularizer",
            // Keras 2 let any layer declare the model's input (the first layer of a Sequential model): see DeclaredBatchInputShape.
            "batch_input_shape", "input_shape", "batch_size", "input_dim",
        };

        /// <summary>
        /// The model input shape a Keras 2 config declared on this layer (<c>batch_input_shape</c>, <c>input_shape</c>,
        /// <c>input_dim</c>), or null. <see cref="Sequential"/> turns it into an <see cref="InputLayer"/> in front of the layer.
        /// </summary>
        public Shape? DeclaredBatchInputShape { get; internal set; }

        /// <summary>
        /// The layer's config in Keras's layout: the base keys (<c>name</c>, <c>trainable</c>, <c>dtype</c>, and <c>dynamic</c> and
        /// <c>activity_regularizer</c> when set) plus whatever a subclass adds with <see cref="LayerConfig.With"/>. A built
        /// layer's config records its input shape as <c>build_config</c>.
        /// </summary>
        public virtual LayerConfig GetConfig()
        {
            var type = GetType();
            var config = new LayerConfig(ComponentRegistry.IsRegistered(type) ? ComponentRegistry.NameOf(type) : type.Name,
                module: ComponentRegistry.ModuleOf(type))
                .With("name", Name)
                .With("trainable", Trainable)
                .With("dtype", DTypePolicy);
            if (Dynamic)
                config.With("dynamic", true);
            if (ActivityRegularizer is not null)
                config.With("activity_regularizer", ActivityRegularizer);
            if (Built && BuildShapes is not null)
            {
                // The batch size a layer happened to be built with is not part of its architecture: written as None, like Keras's symbolic
                // builds.
                var shapes = BuildShapes.Select(s => s.Rank > 0 ? s.With(0, Shape.Unknown) : s).ToList();
                config.BuildConfig = new JsonObject
                {
                    ["input_shape"] = shapes.Count == 1 ? KerasJson.ToNode(shapes[0], "input_shape")
                        : KerasJson.ToNode(shapes, "input_shape"),
                };
            }
            return config;
        }

        ComponentConfig IKerasSerializable.GetConfig() => GetConfig();

        /// <summary>Applies the base keys a subclass constructor did not take.</summary>
        internal void ApplyBaseConfig(LayerConfig config, IReadOnlySet<string> boundByConstructor)
        {
            if (!boundByConstructor.Contains("name") && config.Name is string name)
            {
                ValidateName(name);
                Name = name;
            }
            if (config.DTypePolicy is DTypePolicy policy && (!boundByConstructor.Contains("dtype") || policy.IsMixed))
                DTypePolicy = policy;
            if (!boundByConstructor.Contains("dynamic"))
                Dynamic = config.Dynamic;
            if (!boundByConstructor.Contains("activity_regularizer") && config.Contains("activity_regularizer"))
                ActivityRegularizer = config.Get<Regularizer?>("activity_regularizer", null);
            if (!boundByConstructor.Contains("trainable"))
                Trainable = config.Trainable;
            if (config.Get<Shape?>("batch_input_shape", null) is Shape batchInputShape)
                DeclaredBatchInputShape = batchInputShape;
            else if (config.Get<Shape?>("input_shape", null) is Shape inputShape)
                DeclaredBatchInputShape = inputShape.Prepend(config.Get<int?>("batch_size", null) ?? Shape.Unknown);
            else if (!boundByConstructor.Contains("input_dim") && config.Get<int?>("input_dim", null) is int inputDim)
                DeclaredBatchInputShape = new Shape(config.Get<int?>("batch_size", null) ?? Shape.Unknown, inputDim);
        }

        /// <summary>
        /// Rebuilds a layer from its config: the class is looked up by registered name, created with its static
        /// <c>FromConfig</c> when it declares one, else with the constructor whose parameters match the config's keys, and
        /// built when the config records an input shape. Only registered classes are ever created, and the weights the config
        /// creates may total at most <see cref="ModelLoadOptions.MaxTotalWeightBytes"/> of <paramref name="options"/> (those of
        /// an enclosing <see cref="ModelLoadOptions.BeginScope"/>, else the defaults, when null); a config's <c>module</c>
        /// loads no assembly unless <see cref="ModelLoadOptions.AllowedAssemblies"/> names it.
        /// </summary>
        /// <exception cref="ArgumentNullException"><paramref name="config"/> is <see langword="null"/>.</exception>
        /// <exception cref="KeyNotFoundException">The class is not registered (or is not a layer); the message says how to register
        /// it.</exception>
        /// <exception cref="FormatException">A value does not fit its parameter, a key matches no parameter, or the weights are
        /// over a limit.</exception>
        public static Layer Deserialize(LayerConfig config, ModelLoadOptions? options = null)
        {
            ArgumentNullException.ThrowIfNull(config);
            var resolved = LoadScope.Resolve(options);
            using (LoadScope.Begin(resolved, resolved.MaxTotalWeightBytes, "ModelLoadOptions.MaxTotalWeightBytes"))
                return ComponentRegistry.DeserializeLayer(config, typeof(Layer));
        }

        /// <summary>
        /// Rebuilds a layer from Keras JSON text, after checking the text against the JSON limits of <paramref name="options"/>
        /// (size, depth, name length, layer count); see <see cref="Deserialize(LayerConfig, ModelLoadOptions?)"/>.
        /// </summary>
        /// <exception cref="ArgumentNullException"><paramref name="json"/> is <see langword="null"/>.</exception>
        /// <exception cref="KeyNotFoundException">The class is not registered (or is not a layer).</exception>
        /// <exception cref="FormatException">The text is not a layer config, is over a limit, or a value does not fit.</exception>
        public static Layer Deserialize(string json, ModelLoadOptions? options = null)
        {
            ArgumentNullException.ThrowIfNull(json);
            var resolved = LoadScope.Resolve(options);
            var node = LoadErrors.KeepingFormatExceptions(() => JsonLimits.Parse(Encoding.UTF8.GetBytes(json), "layer config", resolved),
                "layer config");
            return Deserialize(LayerConfig.FromJson(node), resolved);
        }

        /// <summary>The layer's config as Keras JSON text.</summary>
        public string ToJson(bool indented = false) => GetConfig().ToJsonString(indented);
    }
}
