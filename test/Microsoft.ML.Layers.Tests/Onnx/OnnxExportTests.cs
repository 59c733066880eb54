using System;
using System.IO;
using System.Linq;
using Microsoft.ML.Layers.Onnx;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Onnx
{
    /// <summary>The export machinery: models of every kind, names, dynamic batch, opsets, user layers and clear failures. Each
    /// exported graph runs in ONNX Runtime and is compared with the model's own inference output.</summary>
    public class OnnxExportTests
    {
        public static TheoryData<string> ActivationNames()
        {
            var data = new TheoryData<string>();
            foreach (var name in Activations.Names)
                data.Add(name);
            return data;
        }

        [Theory]
        [MemberData(nameof(ActivationNames))]
        public void DenseWithEveryBuiltInActivationMatchesOnnxRuntime(string activation)
        {
            manual_seed(1);
            var input = Input.Create(new Shape(6), name: "features");
            var output = new Dense(5, activation: Activations.Get(activation), name: "dense").Apply(input);
            var model = new Model(input, output);
            using var x = randn(4, 6) * 3;
            OnnxCheck.MatchesModel(model, x);
        }

        [Fact]
        public void BatchAxisIsDynamic()
        {
            manual_seed(2);
            var model = new Sequential(new InputLayer(new Shape(3)), new Dense(4, activation: "tanh"), new Dense(2));
            var onnx = OnnxCheck.Export(model);
            foreach (var batch in new[] { 1, 7, 33 })
            {
                using var x = randn(batch, 3);
                var actual = OnnxCheck.Run(onnx, new[] { (OnnxCheck.InputNames(onnx)[0], x) }).Single().Value;
                TensorAssert.Close(model.Apply(x, training: false), actual, 1e-5, 1e-6, $"batch {batch}");
            }
        }

        [Fact]
        public void InputAndOutputNamesAreTheModelsLayerNames()
        {
            var left = Input.Create(new Shape(3), name: "left");
            var right = Input.Create(new Shape(2), name: "right");
            var a = new Dense(2, name: "from_left").Apply(left);
            var b = new Dense(2, name: "from_right").Apply(right);
            var model = new Model(new[] { left, right }, new[] { a, b });
            var onnx = OnnxCheck.Export(model);
            Assert.Equal(new[] { "left", "right" }, OnnxCheck.InputNames(onnx));
            Assert.Equal(new[] { "from_left", "from_right" }, OnnxCheck.OutputNames(onnx));
            using var l = randn(5, 3);
            using var r = randn(5, 2);
            OnnxCheck.MatchesModel(model, new[] { l, r });
        }

        [Theory]
        [InlineData(OnnxOpset.Minimum)]
        [InlineData(13)]
        [InlineData(18)]
        [InlineData(OnnxOpset.Maximum)]
        public void EveryOpsetInTheRangeWritesARunnableGraph(int opset)
        {
            manual_seed(3);
            var model = new Sequential(new InputLayer(new Shape(4)), new Dense(3, activation: "gelu"), new Dense(2, activation: "softmax"));
            using var x = randn(6, 4);
            var onnx = OnnxCheck.MatchesModel(model, x, opset: opset);
            var proto = global::Onnx.ModelProto.Parser.ParseFrom(onnx);
            Assert.Equal(opset, proto.OpsetImport.Single().Version);
        }

        [Theory]
        [InlineData(11)]
        [InlineData(22)]
        public void AnOpsetOutsideTheRangeIsRefused(int opset)
        {
            var model = new Sequential(new InputLayer(new Shape(4)), new Dense(3));
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => model.ExportOnnx(new MemoryStream(), opset));
            Assert.Contains($"between {OnnxOpset.Minimum} and {OnnxOpset.Maximum}", error.Message);
        }

        [Fact]
        public void NestedSequentialInsideAFunctionalModelIsWrittenInline()
        {
            manual_seed(4);
            var inner = new Sequential(new Layer[] { new Dense(4, activation: "relu"), new Dense(3) }, name: "inner");
            var input = Input.Create(new Shape(5), name: "x");
            var hidden = new Dense(5, activation: "sigmoid").Apply(input);
            var output = new Dense(2).Apply(inner.Apply(hidden));
            var model = new Model(input, output);
            using var x = randn(3, 5);
            OnnxCheck.MatchesModel(model, x);
        }

        [Fact]
        public void AFileIsWrittenAtThePath()
        {
            var model = new Sequential(new InputLayer(new Shape(2)), new Dense(1));
            var path = Path.Combine(Path.GetTempPath(), $"mllayers-{Guid.NewGuid():N}.onnx");
            try
            {
                model.ExportOnnx(path);
                var onnx = File.ReadAllBytes(path);
                using var x = randn(2, 2);
                var actual = OnnxCheck.Run(onnx, new[] { (OnnxCheck.InputNames(onnx)[0], x) }).Single().Value;
                TensorAssert.Close(model.Apply(x, training: false), actual, 1e-5, 1e-6);
            }
            finally
            {
                File.Delete(path);
            }
        }

        /// <summary>A user layer without the export interface.</summary>
        private sealed class Doubler : Layer
        {
            public Doubler() : base("doubler") { }

            protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null) => inputs * 2;
        }

        /// <summary>The same layer taking part in the export.</summary>
        private sealed class ExportableDoubler : Layer, IOnnxExportable
        {
            public ExportableDoubler() : base("exportable_doubler") { }

            protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null) => inputs * 2;

            string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input)
                => context.Node("Mul", input.Name, context.Constant(2f));
        }

        [Fact]
        public void AUserLayerWithoutTheInterfaceFailsTheExportNamingIt()
        {
            var model = new Sequential(new InputLayer(new Shape(2)), new Dense(2), new Doubler());
            var error = Assert.Throws<NotSupportedException>(() => model.ExportOnnx(new MemoryStream()));
            Assert.Contains("'doubler'", error.Message);
            Assert.Contains(nameof(IOnnxExportable), error.Message);
        }

        [Fact]
        public void AUserLayerImplementingTheInterfaceIsExported()
        {
            manual_seed(5);
            var model = new Sequential(new InputLayer(new Shape(2)), new Dense(3), new ExportableDoubler());
            using var x = randn(4, 2);
            OnnxCheck.MatchesModel(model, x);
        }

        [Fact]
        public void ACustomActivationFailsNamingTheLayerAndTheActivation()
        {
            var custom = new Activation("cube", t => t.pow(3));
            var model = new Sequential(new InputLayer(new Shape(2)), new Dense(2, activation: custom, name: "cubed"));
            var error = Assert.Throws<NotSupportedException>(() => model.ExportOnnx(new MemoryStream()));
            Assert.Contains("'cubed'", error.Message);
            Assert.Contains("'cube'", error.Message);
        }

        [Fact]
        public void AnUnbuiltSequentialModelFailsSayingHowToBuildIt()
        {
            var model = new Sequential(new Dense(2));
            var error = Assert.Throws<InvalidOperationException>(() => model.ExportOnnx(new MemoryStream()));
            Assert.Contains("not built", error.Message);
        }

        [Fact]
        public void AFloat64InputIsCastAndTheGraphMatches()
        {
            manual_seed(6);
            var input = Input.Create(new Shape(3), dtype: ScalarType.Float64, name: "wide");
            var model = new Model(input, new Dense(2, name: "d").Apply(input));
            using var x = randn(4, 3, dtype: ScalarType.Float64);
            var onnx = OnnxCheck.Export(model);
            var actual = OnnxCheck.Run(onnx, new[] { ("wide", x) }).Single().Value;
            TensorAssert.Close(model.Apply(x, training: false).to(ScalarType.Float32), actual, 1e-4, 1e-5);
        }

        /// <summary>A mask-producing layer that exports as identity (so only the mask can stop the export).</summary>
        private sealed class ExportableMasker : Layer, IOnnxExportable
        {
            public ExportableMasker() : base("masker") => SupportsMasking = true;

            protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null) => inputs.alias();

            public override Tensor? ComputeMask(Tensor inputs, Tensor? mask) => inputs.select(-1, 0).ne(0);

            string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input) => input.Name;
        }

        [Fact]
        public void AMaskReachingALayerFailsTheExportNamingTheConsumer()
        {
            var input = Input.Create(new Shape(4, 3), name: "steps");
            var masked = new ExportableMasker().Apply(input);
            var model = new Model(input, new Dense(2, name: "after_mask").Apply(masked));
            var error = Assert.Throws<NotSupportedException>(() => model.ExportOnnx(new MemoryStream()));
            Assert.Contains("'after_mask'", error.Message);
            Assert.Contains("masks are not exported", error.Message);
        }

        [Fact]
        public void AMaskInsideASequentialModelFailsTheExportNamingTheConsumer()
        {
            var model = new Sequential(new InputLayer(new Shape(4, 3)), new ExportableMasker(), new Dense(2, name: "after_mask_seq"));
            var error = Assert.Throws<NotSupportedException>(() => model.ExportOnnx(new MemoryStream()));
            Assert.Contains("'after_mask_seq'", error.Message);
            Assert.Contains("masks are not exported", error.Message);
        }
    }
}
