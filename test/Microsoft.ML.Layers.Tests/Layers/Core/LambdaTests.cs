using System;
using System.Collections.Generic;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Core
{
    public sealed class LambdaTests
    {
        private const string Square = "lambda_tests.square";

        static LambdaTests() => Lambda.Register(Square, x => x * x);

        [Fact]
        public void PassesTheSharedLayerCheckWithARegisteredFunction() => LayerCheck.Run(new LayerCheckOptions
        {
            Create = dtype => new Lambda(Square, dtype: dtype),
            InputShapes = new Shape[] { new(4, 3, 2) },
            ExpectedOutputShape = new Shape(4, 3, 2),
        });

        [Fact]
        public void AppliesTheFunction()
        {
            var y = new Lambda(x => x * 2 + 1).Apply(tensor(new[] { 1f, 2f }).reshape(1, 2));
            Assert.Equal(new[] { 3f, 5f }, y.data<float>().ToArray());
        }

        [Fact]
        public void ALambdaFromADelegateIsNotSerializable()
        {
            var layer = new Lambda(x => x.exp(), name: "anonymous");

            var error = Assert.Throws<NotSupportedException>(() => layer.GetConfig());

            Assert.Contains("'anonymous'", error.Message);
            Assert.Contains("Lambda.Register", error.Message);
        }

        [Fact]
        public void ARegisteredFunctionIsSerializedByNameAndReadBack()
        {
            var layer = new Lambda(Square, outputShape: new Shape(Shape.Unknown, 2));

            var json = layer.ToJson();
            var copy = Assert.IsType<Lambda>(Layer.Deserialize(json));

            Assert.Contains($"\"config\":\"{Square}\"", json);
            Assert.Equal(Square, copy.FunctionName);
            Assert.Equal(new Shape(Shape.Unknown, 2), copy.OutputShape);
            Assert.Equal(new[] { 9f, 16f }, copy.Apply(tensor(new[] { 3f, 4f }).reshape(1, 1, 2)).data<float>().ToArray());
        }

        [Fact]
        public void AnUnregisteredNameFailsWithHowToRegister()
        {
            var error = Assert.Throws<KeyNotFoundException>(() => new Lambda("lambda_tests.never_registered"));
            Assert.Contains("Lambda.Register(\"lambda_tests.never_registered\"", error.Message);
        }

        [Fact]
        public void AConfigWithPythonCodeIsRefusedAndNeverRun()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "Lambda", "config": {"name": "lambda", "trainable": true, "dtype": "float32",
                 "function": {"class_name": "__lambda__", "config": {"code": "4wEAAAAAAAAAAAAAAAEAAAACAAAAQwAAAHMIAAAAfABkARQAUwApAk7pAgAAAKkAKQHaAXhyAgAAAHICAAAA+gg8c3RkaW4+2gg8bGFtYmRhPgEAAADzAAAAAA==", "defaults": null, "closure": null}},
                 "arguments": {}}, "registered_name": null}
                """;

            // Layer.Deserialize throws its documented FormatException, the refusal as the inner exception.
            var error = Assert.Throws<FormatException>(() => Layer.Deserialize(json));
            Assert.IsType<NotSupportedException>(error.InnerException);
            Assert.Contains("__lambda__", error.Message);
        }

        [Fact]
        public void AConfigNamingAnUnregisteredFunctionIsRefused()
        {
            const string json = """
                {"class_name": "Lambda", "config": {"name": "l", "function": {"module": "os", "class_name": "function", "config": "system", "registered_name": "system"}, "arguments": {}}}
                """;

            Assert.Throws<KeyNotFoundException>(() => Layer.Deserialize(json));
        }

        [Fact]
        public void ReadsAKeras3ConfigOfARegisteredFunction()
        {
            const string json = $$$"""
                {"module": "keras.layers", "class_name": "Lambda", "config": {"name": "sq", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float64"}, "registered_name": null},
                 "function": {"module": "__main__", "class_name": "function", "config": "{{{Square}}}", "registered_name": "function"},
                 "arguments": {}}, "registered_name": null}
                """;

            var layer = Assert.IsType<Lambda>(Layer.Deserialize(json));

            Assert.Equal(("sq", ScalarType.Float64), (layer.Name, layer.DType));
            Assert.Equal(ScalarType.Float64, layer.Apply(ones(1, 2)).dtype);
        }

        [Fact]
        public void TheOutputShapeArgumentGivesTheShapeWithoutRunning()
        {
            int calls = 0;
            var layer = new Lambda(x => { calls++; return x.sum(1); }, outputShape: new Shape(7));

            Assert.Equal(new Shape(Shape.Unknown, 7), layer.ComputeOutputShape(new Shape(Shape.Unknown, 3, 7)));
            Assert.Equal(0, calls);
        }

        [Fact]
        public void AMaskFunctionMakesTheLayerPropagateMasks()
        {
            var layer = new Lambda(x => x + 1, mask: (inputs, mask) => inputs.gt(0).all(-1));
            Assert.True(layer.SupportsMasking);

            var y = layer.Apply(tensor(new[] { 1f, 1f, -1f, 1f }).reshape(1, 2, 2));

            Assert.Equal(new[] { true, false }, KerasMask.Get(y)!.data<bool>().ToArray());
            Assert.Throws<NotSupportedException>(() => layer.GetConfig());
        }

        [Fact]
        public void AnIdentityFunctionDoesNotHandBackTheCallersTensor()
        {
            using var x = ones(1, 2);
            var y = new Lambda(t => t).Apply(x);
            Assert.NotSame(x, y);
        }
    }
}
