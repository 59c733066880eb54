using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.Json.Nodes;
using Microsoft.ML.Layers.Import;
using Microsoft.ML.Layers.Losses;
using Microsoft.ML.Layers.Optimizers;
using Microsoft.ML.Layers.Tests.Engine;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Serialization
{
    /// <summary>
    /// Reflection only on the registry: a config's <c>module</c> never makes the process load an assembly, and optimizer
    /// and loss names in <c>compile.json</c> resolve through the registry, restricted to their kind.
    /// </summary>
    public sealed class RegistryReflectionTests : IDisposable
    {
        // Framework assemblies a layer library never needs; each test takes one the test process has not loaded.
        private static readonly string[] Candidates =
        {
            "System.Net.Mail", "System.Net.Ping", "System.IO.Pipes", "System.Net.NameResolution", "System.Security.Cryptography.Xml",
            "System.Net.Requests", "System.Net.WebClient", "System.IO.Ports", "System.Net.Quic", "System.Speech",
        };

        private readonly string _directory = Directory.CreateTempSubdirectory("mllayers-registry-").FullName;

        public void Dispose() => Directory.Delete(_directory, recursive: true);

        private static bool IsLoaded(string name) => AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name == name);

        /// <summary>An assembly of the shared framework not loaded yet (checked, so that the test can see it stay unloaded).</summary>
        private static string UnloadedAssembly(int skip = 0)
            => Candidates.Where(c => !IsLoaded(c)).Skip(skip).FirstOrDefault()
                ?? throw new InvalidOperationException("Every candidate assembly is already loaded in the test process.");

        private static string LayerNamingModule(string module)
            => $$$"""{"class_name": "SmtpClient", "module": "{{{module}}}", "config": {"name": "mail", "host": "example.org"}}""";

        [Fact]
        public void AModuleThatIsNotLoadedIsRefusedAndStaysUnloaded()
        {
            string module = UnloadedAssembly();

            var error = Assert.Throws<KeyNotFoundException>(() => Layer.Deserialize(LayerNamingModule(module)));

            Assert.Contains($"module '{module}'", error.Message);
            Assert.Contains("never causes an assembly to be loaded", error.Message);
            Assert.Contains("SmtpClient", error.Message);
            Assert.False(IsLoaded(module), $"{module} was loaded because a config named it.");
        }

        [Fact]
        public void AModuleInsideASavedModelOrAKerasFileIsRefusedWithTheLoadersTypeAndStaysUnloaded()
        {
            string module = UnloadedAssembly();
            string path = Path.Combine(_directory, "mail.zip");
            SaveWithConfig(path, config => config["config"]!["layers"]!.AsArray().Add(JsonNode.Parse(LayerNamingModule(module))));
            string json = $$$"""
                {"class_name": "Sequential", "keras_version": "2.3.1", "config": {"name": "s", "layers": [
                  {"class_name": "Dense", "config": {"name": "d", "batch_input_shape": [null, 2], "units": 1}},
                  {{{LayerNamingModule(module)}}}]}}
                """;

            var load = Assert.Throws<FormatException>(() => Model.Load(path));
            var import = Assert.Throws<KerasImportException>(() => KerasModel.FromJson(json));

            Assert.Contains(path, load.Message);
            Assert.Contains($"module '{module}'", load.Message);
            Assert.IsType<KeyNotFoundException>(load.InnerException);
            Assert.Contains($"module '{module}'", import.Message);
            Assert.False(IsLoaded(module), $"{module} was loaded because a file named it.");
        }

        [Fact]
        public void AnAssemblyTheCallerAllowsIsLoadedByNameAndStillOnlyRegisteredClassesAreCreated()
        {
            string module = UnloadedAssembly(skip: 1);

            var options = new ModelLoadOptions { AllowedAssemblies = { module } };

            var error = Assert.Throws<KeyNotFoundException>(() => Layer.Deserialize(LayerNamingModule(module), options));

            Assert.Contains("Unknown layer class 'SmtpClient'", error.Message);
            Assert.True(IsLoaded(module));
            Assert.Throws<ArgumentException>(() => ComponentRegistry.AllowAssemblyLoads(new[] { "../evil" }));
        }

        [Fact]
        public void TheAllowListEndsWithItsScope()
        {
            string module = UnloadedAssembly(skip: 2);
            using (ModelLoadOptions.BeginScope(new ModelLoadOptions { AllowedAssemblies = { module } }))
            {
            }
            Assert.Throws<KeyNotFoundException>(() => Layer.Deserialize(LayerNamingModule(module),
                new ModelLoadOptions { AllowedAssemblies = { "Some.Other.Assembly" } }));

            Assert.Throws<KeyNotFoundException>(() => Layer.Deserialize(LayerNamingModule(module)));

            Assert.False(IsLoaded(module));
        }

        [Fact]
        public void ACustomLayerOfALoadedAssemblyStillResolvesThroughItsModule()
        {
            manual_seed(3);
            var model = new Sequential(new InputLayer(shape: new Shape(3)), new SimpleDense(2, name: "custom"));
            string path = Path.Combine(_directory, "custom.zip");
            using var x = randn(4, 3);

            model.Save(path);
            var loaded = Model.Load(path);

            string module = typeof(SimpleDense).Assembly.GetName().Name!;
            Assert.Equal(module, ((JsonObject)model.GetConfig().ToJson()["config"]!["layers"]![1]!)["module"]!.GetValue<string>());
            Assert.IsType<SimpleDense>(((Sequential)loaded).Layers[^1]);
            Assert.True(model.Predict(x).equal(loaded.Predict(x)).all().item<bool>());
        }

        [Theory]
        [InlineData("Adam", typeof(Adam))]
        [InlineData("SGD", typeof(SGD))]
        [InlineData("AdamW", typeof(AdamW))]
        [InlineData("RMSprop", typeof(RMSprop))]
        public void OptimizerNamesResolveThroughTheRegistryAsOptimizersOnly(string name, Type expected)
        {
            Assert.Equal(expected, ComponentRegistry.TryResolveRegistered(typeof(Optimizer), name));
            Assert.Null(ComponentRegistry.TryResolveRegistered(typeof(Layer), name));
            Assert.Equal(name, ComponentRegistry.NameOf(expected));
        }

        [Theory]
        [InlineData("MeanSquaredError", typeof(MeanSquaredErrorLoss))]
        [InlineData("SparseCategoricalCrossentropy", typeof(SparseCategoricalCrossentropyLoss))]
        [InlineData("KLDivergence", typeof(KLDivergenceLoss))]
        [InlineData("Huber", typeof(HuberLoss))]
        public void LossClassNamesResolveThroughTheRegistryAsLossesOnly(string name, Type expected)
        {
            Assert.Equal(expected, ComponentRegistry.TryResolveRegistered(typeof(Loss), name));
            Assert.Null(ComponentRegistry.TryResolveRegistered(typeof(Optimizer), name));
            Assert.IsType(expected, Loss.FromConfig(new ComponentConfig(name, module: "keras.losses")));
        }

        [Theory]
        // The .NET type names the old Assembly.GetType lookup would have accepted, a generic-argument string, another kind.
        [InlineData("optimizer", "Optimizer")]
        [InlineData("optimizer", "Adam[[System.Diagnostics.Process, System.Diagnostics.Process]]")]
        [InlineData("optimizer", "LearningRate")]
        [InlineData("optimizer", "Dense")]
        [InlineData("optimizer", "MeanSquaredError")]
        [InlineData("loss", "Probabilistic")]
        [InlineData("loss", "MeanSquaredErrorLoss[[System.Object]]")]
        [InlineData("loss", "Adam")]
        [InlineData("loss", "Dense")]
        public void ACompileConfigNamingAnythingButARegisteredClassOfItsKindIsRefused(string key, string className)
        {
            string path = Path.Combine(_directory, "compiled.zip");
            var model = new Sequential(new InputLayer(shape: new Shape(2)), new Dense(1));
            model.Compile(new Adam(), new MeanSquaredErrorLoss());
            model.Save(path, includeOptimizer: false);
            RewriteEntry(path, Model.CompileEntry, compile =>
            {
                if (key == "optimizer")
                    compile["optimizer"]!["class_name"] = className;
                else
                    compile["loss"]![0]!["class_name"] = className;
            });

            var error = Assert.Throws<FormatException>(() => Model.Load(path));

            Assert.Contains($"unknown {key} class '{className}'", error.Message, StringComparison.OrdinalIgnoreCase);
            Assert.Contains(path, error.Message);
        }

        [Fact]
        public void ASavedCompileConfigStillRoundTrips()
        {
            string path = Path.Combine(_directory, "compiled.zip");
            var model = new Sequential(new InputLayer(shape: new Shape(2)), new Dense(1));
            model.Compile(new RMSprop(0.01), new HuberLoss(delta: 2));
            model.Save(path);

            var loaded = Model.Load(path);

            Assert.IsType<RMSprop>(loaded.Optimizer);
            Assert.Equal(2, Assert.IsType<HuberLoss>(loaded.CompiledLosses[0]).Delta);
        }

        private static void SaveWithConfig(string path, Action<JsonObject> edit)
        {
            new Sequential(new InputLayer(shape: new Shape(2)), new Dense(1, name: "d")).Save(path);
            RewriteEntry(path, Model.ConfigEntry, edit);
        }

        internal static void RewriteEntry(string path, string entryName, Action<JsonObject> edit)
        {
            using var zip = ZipFile.Open(path, ZipArchiveMode.Update);
            var entry = zip.GetEntry(entryName)!;
            JsonObject json;
            using (var stream = entry.Open())
                json = (JsonObject)JsonNode.Parse(stream)!;
            edit(json);
            entry.Delete();
            using var writer = new StreamWriter(zip.CreateEntry(entryName).Open());
            writer.Write(json.ToJsonString());
        }
    }
}
