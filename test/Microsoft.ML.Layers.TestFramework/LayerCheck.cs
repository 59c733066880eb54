using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using Microsoft.ML.Layers.Optimizers;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.TestFramework
{
    /// <summary>What <see cref="LayerCheck.Run"/> checks for one layer (Keras's <c>run_layer_test</c> arguments).</summary>
    public sealed class LayerCheckOptions
    {
        /// <summary>Creates a fresh, unbuilt layer; called several times. The dtype argument is null for the default policy.</summary>
        public required Func<ScalarType?, Layer> Create { get; init; }

        /// <summary>The input shape(s) with a concrete batch dimension; several for a multi-input layer.</summary>
        public required IReadOnlyList<Shape> InputShapes { get; init; }

        /// <summary>The dtype of generated inputs (floating inputs follow the layer's dtype in the dtype variants).</summary>
        public ScalarType InputDType { get; init; } = ScalarType.Float32;

        /// <summary>Generates inputs for a shape; default: standard normal (floating) or integers in [0, 10) (integral).</summary>
        public Func<Shape, ScalarType, Tensor>? InputFactory { get; init; }

        /// <summary>The expected number of trainable weights after build.</summary>
        public int ExpectedTrainableWeights { get; init; }

        /// <summary>The expected number of non-trainable weights after build.</summary>
        public int ExpectedNonTrainableWeights { get; init; }

        /// <summary>The expected output shape for <see cref="InputShapes"/>, or null to check only against ComputeOutputShape.</summary>
        public Shape? ExpectedOutputShape { get; init; }

        /// <summary>Whether the layer is expected to propagate masks (<see cref="Layer.SupportsMasking"/>).</summary>
        public bool ExpectedSupportsMasking { get; init; }

        /// <summary>The expected shape of the output mask when the input carries a mask over its first two axes (null: not checked).</summary>
        public Shape? ExpectedMaskShape { get; init; }

        /// <summary>Whether non-trainable weights legitimately change in a training step (BatchNormalization's moving statistics).</summary>
        public bool NonTrainableWeightsUpdateInTraining { get; init; }

        /// <summary>Whether the layer is built when created (functional models, models starting with an InputLayer).</summary>
        public bool BuiltAtCreation { get; init; }

        /// <summary>Whether the layer is random in training (dropout, noise): then only inference outputs are compared.</summary>
        public bool RandomInTraining { get; init; }

        /// <summary>Dtypes the layer is also run in; their outputs are compared with the float32 output.</summary>
        public IReadOnlyList<ScalarType> DTypeVariants { get; init; } = new[] { ScalarType.Float64, ScalarType.BFloat16 };

        /// <summary>Whether to check the mixed_bfloat16 policy (float32 weights, bfloat16 compute).</summary>
        public bool CheckMixedPolicy { get; init; } = true;

        /// <summary>Whether the config carries Keras's base key <c>trainable</c> (Keras's spatial dropout configs hold only rate, seed, name and dtype).</summary>
        public bool ConfigHasTrainable { get; init; } = true;

        /// <summary>Whether one optimizer step is taken and checked (layers without trainable weights skip it).</summary>
        public bool CheckTrainingStep { get; init; } = true;
    }

    /// <summary>
    /// The shared check every layer runs through (Keras's <c>run_layer_test</c>): config and JSON round trips, weight
    /// counts after build, output shape against <see cref="Layer.ComputeOutputShape(Shape)"/>, mask behaviour, one
    /// optimizer step that changes exactly the trainable weights, dtype variants, the same outputs after
    /// <see cref="Layer.SetWeights"/> into a copy rebuilt from the config, and flat memory over repeated calls.
    /// Each layer's own tests then only check its maths and its errors.
    /// </summary>
    public static class LayerCheck
    {
        private static readonly object WarningWriterGate = new();

        /// <summary>Runs every check; fails with a message naming the check and the layer.</summary>
        public static void Run(LayerCheckOptions options)
        {
            ArgumentNullException.ThrowIfNull(options);
            manual_seed(1234);
            using var scope = NewDisposeScope();
            var inputs = options.InputShapes.Select(s => MakeInput(options, s, options.InputDType)).ToList();

            var layer = options.Create(null);
            Assert.True(options.BuiltAtCreation == layer.Built, $"{layer}: Built is {layer.Built} right after creation; expected {options.BuiltAtCreation}.");
            var output = Call(layer, inputs, training: false);

            CheckWeightCounts(options, layer);
            CheckOutputShape(options, layer, output);
            CheckConfigRoundTrips(options, layer, inputs, output);
            CheckMasks(options, inputs);
            if (options.CheckTrainingStep && options.ExpectedTrainableWeights > 0)
                CheckTrainingStep(options, inputs);
            CheckDTypes(options, layer, inputs, output);
            CheckFlatMemory(layer, inputs);
        }

        /// <summary>Calls a layer on one input or a list, as its input count demands.</summary>
        public static Tensor Call(Layer layer, IReadOnlyList<Tensor> inputs, bool? training = null, IReadOnlyList<Tensor?>? masks = null)
            => inputs.Count == 1 ? layer.Apply(inputs[0], training, masks?[0]) : layer.Apply(inputs, training, masks);

        private static Tensor MakeInput(LayerCheckOptions options, Shape shape, ScalarType dtype)
        {
            if (options.InputFactory is not null)
                return options.InputFactory(shape, dtype);
            return DTypes.IsFloating(dtype) ? randn(shape.ToArray()).to(dtype) : randint(0, 10, shape.ToArray(), dtype: dtype);
        }

        private static void CheckWeightCounts(LayerCheckOptions options, Layer layer)
        {
            Assert.True(layer.Built, $"{layer}: not built after its first call.");
            Assert.True(options.ExpectedTrainableWeights == layer.TrainableWeights.Count,
                $"{layer}: expected {options.ExpectedTrainableWeights} trainable weights, found {layer.TrainableWeights.Count} ({Names(layer.TrainableWeights)}).");
            Assert.True(options.ExpectedNonTrainableWeights == layer.NonTrainableWeights.Count,
                $"{layer}: expected {options.ExpectedNonTrainableWeights} non-trainable weights, found {layer.NonTrainableWeights.Count} ({Names(layer.NonTrainableWeights)}).");
            Assert.Equal(layer.Weights.Count, layer.parameters().Count());
            Assert.Equal(layer.Weights.Sum(w => w.numel()), layer.CountParams());
        }

        private static string Names(IEnumerable<Parameter> weights) => string.Join(", ", weights.Select(w => w.Path));

        private static void CheckOutputShape(LayerCheckOptions options, Layer layer, Tensor output)
        {
            var actual = Shape.Of(output);
            if (options.ExpectedOutputShape is not null)
                Assert.True(options.ExpectedOutputShape == actual, $"{layer}: expected output shape {options.ExpectedOutputShape}, got {actual}.");
            var computed = options.InputShapes.Count == 1 ? layer.ComputeOutputShape(options.InputShapes[0]) : layer.ComputeOutputShape(options.InputShapes);
            Assert.True(computed == actual, $"{layer}: ComputeOutputShape gives {computed}, but the output has shape {actual}.");
            var unknownBatch = options.InputShapes.Select(s => s.With(0, Shape.Unknown)).ToList();
            var symbolic = unknownBatch.Count == 1 ? layer.ComputeOutputShape(unknownBatch[0]) : layer.ComputeOutputShape(unknownBatch);
            Assert.True(symbolic.IsCompatibleWith(actual), $"{layer}: ComputeOutputShape with an unknown batch gives {symbolic}, incompatible with {actual}.");
        }

        private static JsonObject ConfigValues(Layer layer) => layer.GetConfig().Values;

        private static void CheckConfigRoundTrips(LayerCheckOptions options, Layer layer, IReadOnlyList<Tensor> inputs, Tensor output)
        {
            var config = layer.GetConfig();
            // Keras's functional models carry no dtype of their own; every other layer does.
            Assert.True(config.Values.ContainsKey("name") && (config.Values.ContainsKey("trainable") || !options.ConfigHasTrainable) && (config.Values.ContainsKey("dtype") || layer is Model { IsFunctional: true }),
                $"{layer}: the config lacks Keras's base keys: {config.ToJsonString()}");

            var revived = Layer.Deserialize(config.Clone());
            Assert.Equal(layer.GetType(), revived.GetType());
            Assert.True(JsonNode.DeepEquals(ConfigValues(layer), ConfigValues(revived)),
                $"{layer}: config round trip differs.\noriginal: {ConfigValues(layer).ToJsonString()}\nrevived:  {ConfigValues(revived).ToJsonString()}");

            var fromJson = Layer.Deserialize(layer.ToJson());
            Assert.True(JsonNode.DeepEquals(ConfigValues(layer), ConfigValues(fromJson)), $"{layer}: JSON round trip differs: {fromJson.ToJson()}");

            // Rebuilt from build_config, then given the original's weights: the same outputs.
            Assert.True(revived.Built, $"{layer}: a config of a built layer must rebuild the weights (build_config).");
            revived.SetWeights(layer.GetWeights());
            var again = Call(revived, inputs, training: false);
            TensorAssert.Close(output, again, 0, 0, $"{layer}: a copy rebuilt from its config with SetWeights(GetWeights()) gives other outputs.");
            Assert.Equal(layer.GetWeights().Count, revived.GetWeights().Count);
        }

        private static void CheckMasks(LayerCheckOptions options, IReadOnlyList<Tensor> inputs)
        {
            var layer = options.Create(null);
            Assert.True(options.ExpectedSupportsMasking == layer.SupportsMasking,
                $"{layer}: SupportsMasking is {layer.SupportsMasking}, expected {options.ExpectedSupportsMasking}.");
            var first = inputs[0];
            if (first.ndim < 2)
                return;
            var mask = ones(first.shape[0], first.shape[1], dtype: ScalarType.Bool);
            mask[0, -1] = tensor(false);
            var masks = inputs.Select(_ => (Tensor?)mask).ToList();
            // Layer.WarningWriter is process-wide and test classes run in parallel: one mask check swaps it at a time.
            lock (WarningWriterGate)
            {
                var warnings = new System.Collections.Concurrent.ConcurrentQueue<string>();
                var previous = Layer.WarningWriter;
                Layer.WarningWriter = warnings.Enqueue;
                try
                {
                    var output = Call(layer, inputs, training: false, masks);
                    var outputMask = KerasMask.Get(output);
                    if (options.ExpectedSupportsMasking)
                    {
                        Assert.DoesNotContain(warnings, w => w.Contains($"'{layer.Name}'", StringComparison.Ordinal));
                        if (options.ExpectedMaskShape is not null)
                        {
                            Assert.True(outputMask is not null, $"{layer}: the output carries no mask.");
                            Assert.Equal(options.ExpectedMaskShape, Shape.Of(outputMask!));
                        }
                    }
                    else
                    {
                        Assert.Null(outputMask);
                        Assert.Single(warnings, w => w.Contains($"'{layer.Name}'", StringComparison.Ordinal));
                        Call(layer, inputs, training: false, masks);
                        Assert.Single(warnings, w => w.Contains($"'{layer.Name}'", StringComparison.Ordinal)); // once per layer
                    }
                }
                finally
                {
                    Layer.WarningWriter = previous;
                }
            }
        }

        private static void CheckTrainingStep(LayerCheckOptions options, IReadOnlyList<Tensor> inputs)
        {
            var layer = options.Create(null);
            Call(layer, inputs, training: false);
            var before = layer.Weights.ToDictionary(w => w, w => w.detach().clone());

            var output = Call(layer, inputs, training: true);
            using var weightsForLoss = randn_like(output.to(ScalarType.Float32));
            var loss = (output.to(ScalarType.Float32) * weightsForLoss).sum();
            foreach (var extra in layer.Losses)
                loss = loss + extra.to(ScalarType.Float32).sum();
            loss.backward();
            using (var optimizer = optim.SGD(layer.TrainableWeights, 0.1))
                optimizer.step();
            layer.ApplyConstraints();

            foreach (var weight in layer.TrainableWeights)
                Assert.False(weight.equal(before[weight]).all().item<bool>(), $"{layer}: trainable weight {weight.Path} did not change in an optimizer step.");
            if (!options.NonTrainableWeightsUpdateInTraining)
            {
                foreach (var weight in layer.NonTrainableWeights)
                    Assert.True(weight.equal(before[weight]).all().item<bool>(), $"{layer}: non-trainable weight {weight.Path} changed in an optimizer step.");
            }

            // A frozen layer: the same step changes nothing.
            var frozen = options.Create(null);
            Call(frozen, inputs, training: false);
            frozen.Trainable = false;
            Assert.Empty(frozen.TrainableWeights);
            Assert.Equal(frozen.Weights.Count, frozen.NonTrainableWeights.Count);
            Assert.All(frozen.Weights, w => Assert.False(w.requires_grad, $"{frozen}: frozen weight {w.Path} still requires gradients."));
        }

        private static void CheckDTypes(LayerCheckOptions options, Layer reference, IReadOnlyList<Tensor> inputs, Tensor referenceOutput)
        {
            var referenceWeights = reference.GetWeights();
            foreach (var dtype in options.DTypeVariants)
            {
                var layer = options.Create(dtype);
                Assert.Equal(dtype, layer.DType);
                var typedInputs = inputs.Select(i => DTypes.IsFloating(i.dtype) ? i.to(dtype) : i).ToList();
                Call(layer, typedInputs, training: false);
                Assert.All(layer.Weights.Where(w => DTypes.IsFloating(w.dtype)), w => Assert.Equal(dtype, w.dtype));
                layer.SetWeights(referenceWeights); // arrays are float32; SetWeights converts to the layer's dtype
                var output = Call(layer, typedInputs, training: false);
                if (DTypes.IsFloating(referenceOutput.dtype))
                {
                    Assert.Equal(dtype, output.dtype);
                    double tolerance = Tolerance(dtype);
                    TensorAssert.Close(referenceOutput, output, 0, ScaledTolerance(referenceOutput, tolerance),
                        $"{layer}: output in {dtype} differs from float32 beyond {tolerance} x (1 + max |float32 output|).");
                }
            }

            if (options.CheckMixedPolicy && DTypes.IsFloating(referenceOutput.dtype))
            {
                var layer = options.Create(null);
                layer.DTypePolicy = new DTypePolicy("mixed_bfloat16");
                Call(layer, inputs, training: false);
                Assert.All(layer.Weights.Where(w => DTypes.IsFloating(w.dtype)), w => Assert.Equal(ScalarType.Float32, w.dtype));
                layer.SetWeights(referenceWeights);
                var output = Call(layer, inputs, training: false);
                Assert.Equal(ScalarType.BFloat16, output.dtype);
                TensorAssert.Close(referenceOutput, output, 0, ScaledTolerance(referenceOutput, Tolerance(ScalarType.BFloat16)),
                    $"{layer}: mixed_bfloat16 output differs from float32.");
                Assert.All(layer.Weights.Where(w => DTypes.IsFloating(w.dtype)), w => Assert.Equal(ScalarType.Float32, w.dtype));
            }
        }

        private static double Tolerance(ScalarType dtype) => dtype switch
        {
            ScalarType.Float64 => 1e-5,
            ScalarType.Float16 => 2e-2,
            ScalarType.BFloat16 => 1e-1,
            _ => 1e-5,
        };

        /// <summary>
        /// The absolute tolerance of a low-precision output: <paramref name="tolerance"/> × (1 + the largest |value| of the
        /// float32 reference), since rounding errors accumulate with the magnitudes summed, not with each element's own.
        /// </summary>
        private static double ScaledTolerance(Tensor reference, double tolerance)
        {
            using var scope = NewDisposeScope();
            double scale = reference.numel() == 0 ? 0 : reference.detach().abs().max().to(ScalarType.Float64).item<double>();
            return tolerance * (1 + scale);
        }

        private static void CheckFlatMemory(Layer layer, IReadOnlyList<Tensor> inputs)
        {
            void OneCall()
            {
                using var callScope = NewDisposeScope();
                var output = Call(layer, inputs, training: false);
                _ = layer.Losses;
            }

            OneCall();
            long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            for (int i = 0; i < 25; i++)
                OneCall();
            long after = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            Assert.True(after == before, $"{layer}: live tensors grew from {before} to {after} over 25 calls inside dispose scopes.");
        }
    }
}
