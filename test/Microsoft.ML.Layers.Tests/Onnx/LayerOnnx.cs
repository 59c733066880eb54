using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML.Layers.Onnx;
using Microsoft.ML.Layers.TestFramework;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Onnx
{
    /// <summary>One layer in a model, random weights, exported at the default and the oldest opset and run in ONNX Runtime.</summary>
    internal static class LayerOnnx
    {
        public static readonly int[] Opsets = { OnnxOpset.Default, OnnxOpset.Minimum };

        /// <summary>A functional model <c>x -> layer(x)</c> for inputs shaped like <paramref name="x"/> (batch axis first).</summary>
        public static Model Wrap(Layer layer, Shape sampleShape, ScalarType? dtype = null)
        {
            var input = Input.Create(sampleShape, dtype: dtype, name: "x");
            return new Model(input, layer.Apply(input));
        }

        /// <summary>Random weights: variances in [0.2, 1.2), everything else standard normal.</summary>
        public static void Randomize(Model model, long seed = 7)
        {
            manual_seed(seed);
            using var noGrad = no_grad();
            foreach (var weight in model.Weights)
            {
                var shape = weight.Shape.ToArray();
                weight.Assign(weight.Name.Contains("variance", StringComparison.Ordinal) ? rand(shape) + 0.2 : randn(shape));
            }
        }

        /// <summary>Asserts the exported layer equals the layer's inference output on <paramref name="x"/> at both opsets.</summary>
        public static void Matches(Layer layer, Tensor x, double rtol = 1e-4, double atol = 1e-5, bool randomize = true)
        {
            var model = Wrap(layer, new Shape(x.shape.Skip(1)), x.dtype == ScalarType.Float32 ? null : x.dtype);
            if (randomize)
                Randomize(model);
            foreach (var opset in Opsets)
                OnnxCheck.MatchesModel(model, x, rtol, atol, opset);
        }

        /// <summary>The message of the export's <see cref="NotSupportedException"/>.</summary>
        public static string Unsupported(Layer layer, Shape sampleShape, ScalarType? dtype = null)
        {
            var model = Wrap(layer, sampleShape, dtype);
            return Assert.Throws<NotSupportedException>(() => model.ExportOnnx(new MemoryStream())).Message;
        }

        /// <summary>Every named case at the default and the oldest opset.</summary>
        public static TheoryData<string, int> AtBothOpsets(IEnumerable<string> caseNames)
        {
            var data = new TheoryData<string, int>();
            foreach (var name in caseNames)
                foreach (var opset in Opsets)
                    data.Add(name, opset);
            return data;
        }

        /// <summary>A new layer from <paramref name="create"/> (its own initial weights, under <paramref name="seed"/>), exported
        /// at <paramref name="opset"/>, equals its inference output on a random batch of two samples shaped
        /// <paramref name="sampleShape"/>.</summary>
        public static void MatchesAt(Func<Layer> create, long[] sampleShape, int opset, long seed)
        {
            manual_seed(seed);
            var input = Input.Create(new Shape(sampleShape), name: "x");
            var model = new Model(input, create().Apply(input));
            using var x = randn(new long[] { 2 }.Concat(sampleShape).ToArray());
            OnnxCheck.MatchesModel(model, x, opset: opset);
        }
    }
}
