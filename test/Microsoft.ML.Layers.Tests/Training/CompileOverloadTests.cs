using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Layers.Losses;
using Microsoft.ML.Layers.Metrics;
using Microsoft.ML.Layers.Optimizers;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Training
{
    /// <summary>
    /// Each form of <c>Model.Compile</c> compiles without ambiguity and means what it says: a loss as a name, an object, a
    /// list or a dictionary; metrics as names, objects, one list per output or a dictionary by output name.
    /// </summary>
    public sealed class CompileOverloadTests
    {
        private static Sequential OneOutput()
            => new(new InputLayer(shape: new Shape(3)), new Dense(2, activation: "softmax"));

        /// <summary>Two outputs, <c>regression</c> (1 unit) and <c>classes</c> (2 units, softmax).</summary>
        private static Model TwoOutputs()
        {
            var input = Input.Create(3, name: "features");
            var regression = new Dense(1, name: "regression").Apply(input);
            var classes = new Dense(2, activation: "softmax", name: "classes").Apply(input);
            return new Model(new[] { input }, new[] { regression, classes }, name: "two_heads");
        }

        private static IReadOnlyDictionary<string, double> TrainOnce(Model model)
        {
            manual_seed(3);
            using var x = randn(8, 3);
            using var y = randint(0, 2, 8);
            if (model.Outputs.Count < 2)
            {
                model.Fit(x, y, epochs: 1, verbose: 0);
                return model.EvaluateAll(x, y);
            }
            using var target = randn(8, 1);
            model.Fit(new[] { x }, new[] { target, y }, epochs: 1, verbose: 0);
            return model.EvaluateAll(new[] { x }, new[] { target, y });
        }

        private static string[] Sorted(IEnumerable<string> keys) => keys.OrderBy(k => k, StringComparer.Ordinal).ToArray();

        [Fact]
        public void TheApiDocumentsNamedArgumentCallCompiles()
        {
            var model = OneOutput();
            model.Compile(optimizer: new Adam(1e-3), loss: "sparse_categorical_crossentropy", metrics: new[] { "accuracy" });

            Assert.IsType<SparseCategoricalCrossentropyLoss>(model.CompiledLosses.Single());
            Assert.Contains("accuracy", TrainOnce(model).Keys);
        }

        [Fact]
        public void OneLossNameWithoutMetrics()
        {
            var model = OneOutput();
            model.Compile("adam", "sparse_categorical_crossentropy");

            Assert.IsType<Adam>(model.Optimizer);
            Assert.Equal(new[] { "loss" }, TrainOnce(model).Keys);
        }

        [Fact]
        public void ALossObjectWithMetricObjects()
        {
            var model = OneOutput();
            var metrics = new Metric[] { "accuracy", Metric.Get("sparse_categorical_accuracy") };
            model.Compile(new SGD(0.1), new SparseCategoricalCrossentropyLoss(), metrics);

            Assert.Equal(new[] { "accuracy", "loss", "sparse_categorical_accuracy" }, Sorted(TrainOnce(model).Keys));
        }

        [Fact]
        public void CollectionExpressionsPickTheNamesOverload()
        {
            var model = OneOutput();
            model.Compile(new SGD(0.1), "sparse_categorical_crossentropy", ["accuracy"]);

            Assert.Contains("accuracy", TrainOnce(model).Keys);
        }

        [Fact]
        public void AListOfLossesHasOnePerOutputInOrder()
        {
            var model = TwoOutputs();
            model.Compile(new SGD(0.01), new Loss[] { "mse", "sparse_categorical_crossentropy" }, new[] { "accuracy" });

            Assert.IsType<MeanSquaredErrorLoss>(model.CompiledLosses[0]);
            Assert.IsType<SparseCategoricalCrossentropyLoss>(model.CompiledLosses[1]);
            Assert.Equal(new[] { "classes_accuracy", "loss", "regression_accuracy" }, Sorted(TrainOnce(model).Keys));
        }

        [Fact]
        public void ADictionaryOfLossesIsReadByOutputName()
        {
            var model = TwoOutputs();
            var losses = new Dictionary<string, Loss> { ["classes"] = "sparse_categorical_crossentropy", ["regression"] = "mse" };
            model.Compile(new SGD(0.01), losses);

            Assert.IsType<MeanSquaredErrorLoss>(model.CompiledLosses[0]);
            Assert.IsType<SparseCategoricalCrossentropyLoss>(model.CompiledLosses[1]);
        }

        [Fact]
        public void ADictionaryOfLossesMustNameEveryOutput()
        {
            var model = TwoOutputs();
            var losses = new Dictionary<string, Loss> { ["regression"] = "mse" };

            var error = Assert.Throws<ArgumentException>(() => model.Compile(new SGD(0.01), losses));

            Assert.Contains("'classes'", error.Message);
        }

        [Fact]
        public void MetricsPerOutputAsLists()
        {
            var model = TwoOutputs();
            model.Compile(new SGD(0.01), new Loss[] { "mse", "sparse_categorical_crossentropy" }, [["mae"], ["accuracy"]]);

            Assert.Equal(new[] { "classes_accuracy", "loss", "regression_mae" }, Sorted(TrainOnce(model).Keys));
        }

        [Fact]
        public void MetricsPerOutputAsADictionary()
        {
            var model = TwoOutputs();
            var losses = new Dictionary<string, Loss> { ["regression"] = "mse", ["classes"] = "sparse_categorical_crossentropy" };
            var metrics = new Dictionary<string, IReadOnlyList<Metric>> { ["classes"] = new Metric[] { "accuracy" } };
            model.Compile(new SGD(0.01), losses, metrics);

            Assert.Equal(new[] { "classes_accuracy", "loss" }, Sorted(TrainOnce(model).Keys));
        }

        [Fact]
        public void AMetricsDictionaryNamingNoOutputIsRefused()
        {
            var model = TwoOutputs();
            var metrics = new Dictionary<string, IReadOnlyList<Metric>> { ["clases"] = new Metric[] { "accuracy" } };

            var error = Assert.Throws<ArgumentException>(() => model.Compile(new SGD(0.01), "mse", metrics));

            Assert.Contains("clases", error.Message);
            Assert.Contains("classes", error.Message);
        }

        [Fact]
        public void AMetricObjectCannotServeSeveralOutputs()
        {
            var model = TwoOutputs();

            var error = Assert.Throws<ArgumentException>(() => model.Compile(new SGD(0.01), "mse", new Metric[] { "mae" }));

            Assert.Contains("pass metric names instead", error.Message);
        }

        [Fact]
        public void AnUnknownMetricNameFailsInCompile()
        {
            var error = Assert.Throws<ArgumentException>(() => OneOutput().Compile("sgd", "mse", new[] { "acuracy" }));

            Assert.Contains("acuracy", error.Message);
        }
    }
}
