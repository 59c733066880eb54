using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.ML.Layers.Constraints;
using Microsoft.ML.Layers.Initializers;
using Microsoft.ML.Layers.Losses;
using Microsoft.ML.Layers.Optimizers;
using Microsoft.ML.Layers.Regularizers;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// The registry of serializable classes: layers, initializers, regularizers, constraints, optimizers and losses, by
    /// their Keras class names. Classes marked <see cref="RegisterLayerAttribute"/> or <see cref="RegisterComponentAttribute"/>
    /// are found in every loaded assembly that references this library; others can be added with <see cref="Register"/>.
    /// Deserialization instantiates registered classes only, and only as the kind the config is read as. It never loads an
    /// assembly because a config names it: a config's <c>module</c> must name an assembly already loaded in the process,
    /// or one the caller allowed with <see cref="AllowAssemblyLoads"/>.
    /// </summary>
    internal static class ComponentRegistry
    {
        /// <summary>The base types a class can be registered as.</summary>
        public static IReadOnlyList<Type> Kinds { get; } = new[] { typeof(Layer), typeof(Initializer), typeof(Regularizer),
            typeof(Constraint), typeof(Optimizer), typeof(Loss) };

        /// <summary>The assembly names the current load may load on demand (see <see cref="AllowAssemblyLoads"/>).</summary>
        private static readonly System.Threading.AsyncLocal<IReadOnlySet<string>?> AllowedAssemblyLoads = new();

        private static readonly object Gate = new();
        private static readonly Dictionary<(Type Kind, string Name), Type> ByName = new();
        private static readonly Dictionary<Type, string> NameByType = new();
        private static readonly HashSet<Assembly> Scanned = new();
        private static readonly ConcurrentQueue<Assembly> Pending = new();
        private static readonly string ThisAssemblyName = typeof(ComponentRegistry).Assembly.GetName().Name!;

        static ComponentRegistry()
        {
            AppDomain.CurrentDomain.AssemblyLoad += (_, e) => Pending.Enqueue(e.LoadedAssembly);
            foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies())
                Pending.Enqueue(assembly);
            // The built-in optimizers and losses, under the class names their GetConfig writes (a loss without "Loss").
            foreach (var optimizer in new[] { typeof(SGD), typeof(Adam), typeof(AdamW), typeof(RMSprop), typeof(Adagrad),
                typeof(Adadelta), typeof(Adamax), typeof(Nadam) })
                Register(optimizer, optimizer.Name);
            foreach (var loss in new[] { typeof(MeanSquaredErrorLoss), typeof(MeanAbsoluteErrorLoss), typeof(HuberLoss),
                typeof(BinaryCrossentropyLoss), typeof(CategoricalCrossentropyLoss), typeof(SparseCategoricalCrossentropyLoss),
                typeof(KLDivergenceLoss), typeof(PoissonLoss), typeof(CosineSimilarityLoss) })
                Register(loss, loss.Name[..^"Loss".Length]);
        }

        /// <summary>Registers <paramref name="type"/> under <paramref name="name"/> (default: its attribute's name, else its class
        /// name).</summary>
        /// <exception cref="ArgumentException">The type is abstract or is not a layer, initializer, regularizer or constraint.</exception>
        public static void Register(Type type, string? name = null, params string[] aliases)
        {
            ArgumentNullException.ThrowIfNull(type);
            var kind = KindOf(type) ?? throw new ArgumentException(
                $"{type.FullName} cannot be registered: only subclasses of {string.Join(", ", Kinds.Select(k => k.Name))} can.",
                nameof(type));
            if (type.IsAbstract)
                throw new ArgumentException($"{type.FullName} is abstract and cannot be registered.", nameof(type));
            var attribute = type.GetCustomAttribute<RegisteredNameAttribute>(inherit: false);
            name ??= attribute?.Name ?? type.Name;
            lock (Gate)
            {
                ByName[(kind, name)] = type;
                foreach (var alias in aliases.Concat(attribute?.Aliases ?? Array.Empty<string>()))
                    ByName[(kind, alias)] = type;
                NameByType[type] = name;
            }
        }

        /// <summary>Registers <typeparamref name="T"/>; see <see cref="Register(Type, string?, string[])"/>.</summary>
        public static void Register<T>(string? name = null) => Register(typeof(T), name);

        /// <summary>The kind (<see cref="Layer"/>, <see cref="Initializer"/>, ...) a type belongs to, or <see langword="null"/>.</summary>
        public static Type? KindOf(Type type) => Kinds.FirstOrDefault(k => k.IsAssignableFrom(type));

        /// <summary>The registered name of a type.</summary>
        /// <exception cref="InvalidOperationException">The type is not registered; the message says how to register it.</exception>
        public static string NameOf(Type type)
        {
            ArgumentNullException.ThrowIfNull(type);
            ScanPending();
            lock (Gate)
            {
                if (NameByType.TryGetValue(type, out var name))
                    return name;
            }
            string attribute = typeof(Layer).IsAssignableFrom(type) ? "RegisterLayer" : "RegisterComponent";
            throw new InvalidOperationException(
                $"{type.FullName} is not registered, so its config could not be read back. Mark it [{attribute}(\"{type.Name}\")] " +
                $"or call ComponentRegistry.Register(typeof({type.Name})).");
        }

        /// <summary>Whether <paramref name="type"/> is registered.</summary>
        public static bool IsRegistered(Type type)
        {
            ScanPending();
            lock (Gate)
                return NameByType.ContainsKey(type);
        }

        /// <summary>
        /// The registered class of kind <paramref name="kind"/> named <paramref name="className"/>. Names are tried as
        /// given, then in Keras's snake_case form (<c>"glorot_uniform"</c> finds <c>GlorotUniform</c>).
        /// </summary>
        /// <exception cref="KeyNotFoundException">No such class is registered as that kind; the message says what to do.</exception>
        public static Type Resolve(Type kind, string className, string? module = null)
        {
            ArgumentNullException.ThrowIfNull(kind);
            ArgumentNullException.ThrowIfNull(className);
            if (TryResolve(kind, className, out var type))
                return type;
            if (module is not null && !module.StartsWith("keras", StringComparison.Ordinal))
            {
                // A config never makes the process load an assembly: module must name one already loaded (its classes are
                // registered by then) or one the caller allowed for this load.
                if (!IsLoaded(module) && !TryLoadAllowedAssembly(module))
                {
                    string marker = kind == typeof(Layer) ? "RegisterLayer" : "RegisterComponent";
                    throw new KeyNotFoundException(
                        $"Unknown {kind.Name.ToLowerInvariant()} class '{className}': its config names the module '{module}', " +
                        "which is not an assembly loaded in this process, and a config never causes an assembly to be loaded. " +
                        $"Only registered classes are deserialized: mark the class [{marker}(\"{className}\")] and load its " +
                        "assembly before loading the model (use one of its types), or allow the assembly in the load options.");
                }
                if (TryResolve(kind, className, out type))
                    return type;
            }

            var otherKind = Kinds.Where(k => k != kind).FirstOrDefault(k => TryResolve(k, className, out _));
            if (otherKind is not null)
                throw new KeyNotFoundException($"'{className}' is registered as {Article(otherKind.Name)}, not {Article(kind.Name)}: it " +
                    $"cannot be used where the config expects {Article(kind.Name)}.");
            string attribute = kind == typeof(Layer) ? "RegisterLayer" : "RegisterComponent";
            string from = module is null ? "" : $" (module '{module}')";
            throw new KeyNotFoundException(
                $"Unknown {kind.Name.ToLowerInvariant()} class '{className}'{from}. Only registered classes are deserialized: mark the " +
                $"class [{attribute}(\"{className}\")] and make sure its assembly is loaded, or call " +
                $"ComponentRegistry.Register(typeof(YourClass), \"{className}\").");
        }

        /// <summary>The class registered as <paramref name="kind"/> under <paramref name="className"/> (or its snake_case form),
        /// or <see langword="null"/>; never loads an assembly.</summary>
        internal static Type? TryResolveRegistered(Type kind, string className)
        {
            ArgumentNullException.ThrowIfNull(kind);
            ArgumentNullException.ThrowIfNull(className);
            return TryResolve(kind, className, out var type) ? type : null;
        }

        /// <summary>
        /// Lets the loads made on this thread (and its async continuations) until the result is disposed load the assemblies
        /// named in <paramref name="assemblyNames"/> (simple names, e.g. <c>"MyCompany.Layers"</c>) when a config's
        /// <c>module</c> names them and they are not loaded yet. They are loaded by name from the application's own probing
        /// paths, never from a path. Without this, only assemblies already loaded in the process are searched. The hook for
        /// the public load options.
        /// </summary>
        /// <exception cref="ArgumentException">A name is empty or contains a path separator.</exception>
        internal static IDisposable AllowAssemblyLoads(IEnumerable<string> assemblyNames)
        {
            ArgumentNullException.ThrowIfNull(assemblyNames);
            var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var name in assemblyNames)
            {
                if (string.IsNullOrWhiteSpace(name) || name.IndexOfAny(new[] { '/', '\\', ',' }) >= 0)
                    throw new ArgumentException($"'{name}' is not a simple assembly name (e.g. \"MyCompany.Layers\").",
                        nameof(assemblyNames));
                names.Add(name);
            }
            var previous = AllowedAssemblyLoads.Value;
            if (previous is not null)
                names.UnionWith(previous);
            AllowedAssemblyLoads.Value = names;
            return new ScopeExit(() => AllowedAssemblyLoads.Value = previous);
        }

        /// <summary>Whether an assembly with the simple name <paramref name="module"/> is loaded in the process.</summary>
        private static bool IsLoaded(string module)
            => AppDomain.CurrentDomain.GetAssemblies()
                .Any(a => string.Equals(a.GetName().Name, module, StringComparison.OrdinalIgnoreCase));

        /// <summary>The names and aliases registered for <paramref name="kind"/>, sorted; for error messages.</summary>
        internal static IReadOnlyList<string> NamesOf(Type kind)
        {
            ScanPending();
            lock (Gate)
                return ByName.Keys.Where(k => k.Kind == kind).Select(k => k.Name).OrderBy(n => n, StringComparer.Ordinal).ToList();
        }

        /// <summary>Whether <paramref name="name"/> resolves to a class registered as <paramref name="kind"/>.</summary>
        internal static bool IsKnownName(Type kind, string name) => TryResolve(kind, name, out _);

        private static string Article(string word) => ("aeiou".Contains(char.ToLowerInvariant(word[0])) ? "an " : "a ") + word;

        private static bool TryResolve(Type kind, string className, out Type type)
        {
            ScanPending();
            lock (Gate)
            {
                if (ByName.TryGetValue((kind, className), out type!))
                    return true;
                foreach (var ((registeredKind, name), candidate) in ByName)
                {
                    if (registeredKind == kind && KerasJson.SnakeCase(name) == className)
                    {
                        type = candidate;
                        return true;
                    }
                }
            }
            type = null!;
            return false;
        }

        /// <summary>Loads an assembly the caller allowed, by simple name from the application's own probing paths (never from a
        /// path in a file).</summary>
        private static bool TryLoadAllowedAssembly(string module)
        {
            if (AllowedAssemblyLoads.Value is not { } allowed || !allowed.Contains(module))
                return false;
            try
            {
                Pending.Enqueue(Assembly.Load(new AssemblyName(module)));
                return true;
            }
            catch (Exception e) when (e is System.IO.IOException or BadImageFormatException or ArgumentException)
            {
                return false;
            }
        }

        private static void ScanPending()
        {
            // The whole scan holds the lock: a thread that finds the queue empty must not run ahead of a scan in progress.
            lock (Gate)
                ScanPendingLocked();
        }

        private static void ScanPendingLocked()
        {
            while (Pending.TryDequeue(out var assembly))
            {
                lock (Gate)
                {
                    if (!Scanned.Add(assembly))
                        continue;
                }
                if (assembly.IsDynamic || !ReferencesThisLibrary(assembly))
                    continue;
                foreach (var type in LoadableTypes(assembly))
                {
                    var attribute = type.GetCustomAttribute<RegisteredNameAttribute>(inherit: false);
                    if (attribute is null || type.IsAbstract || KindOf(type) is null)
                        continue;
                    lock (Gate)
                    {
                        var kind = KindOf(type)!;
                        // An explicit Register call made earlier wins over attribute discovery.
                        if (!ByName.ContainsKey((kind, attribute.Name)))
                        {
                            ByName[(kind, attribute.Name)] = type;
                            NameByType[type] = attribute.Name;
                        }
                        foreach (var alias in attribute.Aliases)
                            ByName.TryAdd((kind, alias), type);
                    }
                }
            }
        }

        private static bool ReferencesThisLibrary(Assembly assembly)
            => assembly.GetName().Name == ThisAssemblyName || assembly.GetReferencedAssemblies().Any(a => a.Name == ThisAssemblyName);

        private static IEnumerable<Type> LoadableTypes(Assembly assembly)
        {
            try
            {
                return assembly.GetTypes();
            }
            catch (ReflectionTypeLoadException e)
            {
                return e.Types.Where(t => t is not null)!;
            }
        }

        /// <summary>The module written into configs: Keras's module for built-in classes, the assembly name for others.</summary>
        internal static string ModuleOf(Type type)
        {
            if (type.Assembly != typeof(ComponentRegistry).Assembly)
                return type.Assembly.GetName().Name!;
            var kind = KindOf(type);
            return kind == typeof(Initializer) ? "keras.initializers"
                : kind == typeof(Regularizer) ? "keras.regularizers"
                : kind == typeof(Constraint) ? "keras.constraints"
                : kind == typeof(Optimizer) ? "keras.optimizers"
                : kind == typeof(Loss) ? "keras.losses"
                : "keras.layers";
        }

        /// <summary>A config with the registered class name and module of <paramref name="component"/>, and no values.</summary>
        internal static ComponentConfig EmptyConfigFor(object component)
            => new(NameOf(component.GetType()), module: ModuleOf(component.GetType()));

        /// <summary>Reads an initializer, regularizer or constraint (by name or dictionary) as <paramref name="expected"/>.</summary>
        public static object? Deserialize(JsonNode? node, Type expected)
        {
            ArgumentNullException.ThrowIfNull(expected);
            if (node is null)
                return null;
            var kind = KindOf(expected) ?? throw new ArgumentException($"{expected.Name} is not a serializable kind.", nameof(expected));
            var config = ComponentConfig.FromJson(node);
            var type = Resolve(kind, config.ClassName, config.Module);
            if (!expected.IsAssignableFrom(type))
                throw new FormatException($"'{config.ClassName}' is a {type.Name}, which is not the {expected.Name} the config expects " +
                    $"here.");
            return Instantiate(type, config, kind);
        }

        /// <summary>
        /// Rebuilds a layer from its config, and builds it when the config records its input shape. Throws only what
        /// <see cref="Layer.Deserialize(LayerConfig, ModelLoadOptions?)"/> documents: <see cref="KeyNotFoundException"/> for a class that is not
        /// registered, <see cref="FormatException"/> (naming the layer, the original as inner exception) for anything else;
        /// a layer created before the failure is disposed.
        /// </summary>
        internal static Layer DeserializeLayer(LayerConfig config, Type expected)
        {
            Layer? layer = null;
            try
            {
                var type = Resolve(typeof(Layer), config.ClassName, config.Module);
                if (!expected.IsAssignableFrom(type))
                    throw new FormatException($"'{config.ClassName}' is a {type.Name}, which is not the {expected.Name} the config " +
                        $"expects here.");
                layer = (Layer)Instantiate(type, config, typeof(Layer));
                layer.BuildFromConfig(config.BuildConfig);
                return layer;
            }
            catch (Exception e) when (e is not (FormatException or KeyNotFoundException) && !LoadErrors.IsUncatchable(e))
            {
                layer?.Dispose();
                string name = config.Values["name"] is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<string>(out var n)
                    ? $"'{Truncate(n)}' " : "";
                throw new FormatException($"Layer {name}({Truncate(config.ClassName)}) cannot be rebuilt from its config: " +
                    $"{LoadErrors.Describe(e)}", e);
            }
            catch
            {
                layer?.Dispose();
                throw;
            }
        }

        private static string Truncate(string text) => text.Length <= 100 ? text : text[..100] + "...";

        /// <summary>
        /// Creates an instance the way Keras's <c>from_config</c> does: through a static <c>FromConfig</c> declared on the
        /// type when there is one, else through the public constructor whose camelCase parameters match the snake_case keys.
        /// </summary>
        internal static object Instantiate(Type type, ComponentConfig config, Type kind)
        {
            var fromConfig = type.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .FirstOrDefault(m => m.Name == "FromConfig" && m.GetParameters() is { Length: 1 } p
                    && p[0].ParameterType.IsAssignableFrom(config.GetType()) && kind.IsAssignableFrom(m.ReturnType));
            if (fromConfig is not null)
                return Invoke(() => fromConfig.Invoke(null, new object[] { config }), type)!;

            var keys = config.Keys.ToHashSet(StringComparer.Ordinal);
            // Keys match parameters by Keras's snake_case of the camelCase name, ignoring underscores:
            // kernel_initializer ~ kernelInitializer, beta_1 ~ beta1, clipnorm ~ clipNorm.
            var keyByNormalized = keys.GroupBy(Normalize).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            string? KeyFor(ParameterInfo p) => keyByNormalized.TryGetValue(Normalize(p.Name!), out var k) ? k : null;
            var baseKeys = kind == typeof(Layer) ? Layer.BaseConfigKeys : new HashSet<string>();
            var best = type.GetConstructors(BindingFlags.Public | BindingFlags.Instance)
                .Select(c => (Constructor: c, Parameters: c.GetParameters()))
                .Where(c => c.Parameters.All(p => p.HasDefaultValue || KeyFor(p) is not null))
                .OrderByDescending(c => c.Parameters.Count(p => KeyFor(p) is not null))
                .ThenBy(c => c.Parameters.Length)
                .FirstOrDefault();
            if (best.Constructor is null)
            {
                throw new FormatException(
                    $"The config of '{config.ClassName}' cannot construct {type.Name}: no public constructor has all its required " +
                    $"parameters among the keys ({string.Join(", ", keys)}). Give {type.Name} a static " +
                    $"FromConfig({config.GetType().Name}) method.");
            }

            var bound = new HashSet<string>(StringComparer.Ordinal);
            var arguments = new object?[best.Parameters.Length];
            for (int i = 0; i < best.Parameters.Length; i++)
            {
                var parameter = best.Parameters[i];
                string? key = KeyFor(parameter);
                if (key is not null && !(kind == typeof(Layer) && key == "dtype" && config is LayerConfig { DTypePolicy.IsMixed: true }))
                {
                    arguments[i] = config.Get(key, parameter.ParameterType);
                    bound.Add(key);
                }
                else
                {
                    arguments[i] = parameter.DefaultValue;
                }
            }
            var unknown = keys.Where(k => !bound.Contains(k) && !baseKeys.Contains(k)).ToList();
            if (unknown.Count > 0)
            {
                var error = new FormatException(
                    $"The config of '{config.ClassName}' has keys that {type.Name}'s constructor does not take: " +
                    $"{string.Join(", ", unknown)}. Add constructor parameters with these names (camelCase), or a static " +
                    $"FromConfig({config.GetType().Name}) method.");
                error.Data[UnknownKeysData] = unknown.ToArray();
                throw error;
            }
            var instance = Invoke(() => best.Constructor.Invoke(arguments), type)!;
            if (instance is Layer layer && config is LayerConfig layerConfig)
                layer.ApplyBaseConfig(layerConfig, bound);
            return instance;
        }

        /// <summary>The key of <see cref="Exception.Data"/> under which an unknown-keys error lists the keys (a string array).</summary>
        internal const string UnknownKeysData = "UnknownConfigKeys";

        private static string Normalize(string name) => name.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();

        private static object? Invoke(Func<object?> call, Type type)
        {
            try
            {
                return call();
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                throw;
            }
        }
    }
}
