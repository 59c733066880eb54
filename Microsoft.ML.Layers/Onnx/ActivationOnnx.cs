using System;

namespace Microsoft.ML.Layers.Onnx
{
    /// <summary>The ONNX form of every built-in activation, computing what <see cref="Activations"/>' functions compute.</summary>
    internal static class ActivationOnnx
    {
        public static string Export(OnnxExportContext context, string x, Activation activation)
        {
            ArgumentNullException.ThrowIfNull(activation);
            if (!Activations.IsBuiltIn(activation))
                throw context.Unsupported($"its activation '{activation.Name}' is a custom function, which has no ONNX form.");
            return activation.Name switch
            {
                "linear" => x,
                "relu" => context.Node("Relu", x),
                "relu6" => context.Node("Clip", x, context.Constant(0f), context.Constant(6f)),
                "leaky_relu" => context.Node("LeakyRelu", new[] { x }, new OnnxAttributes { { "alpha", 0.2f } }),
                "elu" => context.Node("Elu", new[] { x }, new OnnxAttributes { { "alpha", 1f } }),
                "selu" => context.Node("Selu", x),
                "sigmoid" => context.Node("Sigmoid", x),
                "tanh" => context.Node("Tanh", x),
                "softmax" => context.Node("Softmax", new[] { x }, new OnnxAttributes { { "axis", -1 } }),
                "log_softmax" => context.Node("LogSoftmax", new[] { x }, new OnnxAttributes { { "axis", -1 } }),
                "softplus" => context.Node("Softplus", x),
                "softsign" => context.Node("Softsign", x),
                "silu" or "swish" => context.Node("Mul", x, context.Node("Sigmoid", x)),
                "gelu" => Gelu(context, x),
                "exponential" => context.Node("Exp", x),
                "hard_sigmoid" => HardSigmoid(context, x, 1f / 6f),
                "legacy_hard_sigmoid" => HardSigmoid(context, x, 0.2f),
                "hard_silu" or "hard_swish" => context.Node("Mul", x, HardSigmoid(context, x, 1f / 6f)),
                "mish" => context.Node("Mul", x, context.Node("Tanh", context.Node("Softplus", x))),
                "log_sigmoid" => context.Node("Neg", context.Node("Softplus", context.Node("Neg", x))),
                _ => throw context.Unsupported($"its activation '{activation.Name}' has no ONNX form in this version."),
            };
        }

        private static string HardSigmoid(OnnxExportContext context, string x, float slope)
            => context.Node("HardSigmoid", new[] { x }, new OnnxAttributes { { "alpha", slope }, { "beta", 0.5f } });

        /// <summary>The exact (erf) GELU, libtorch's default: <c>0.5 x (1 + erf(x / sqrt 2))</c>.</summary>
        private static string Gelu(OnnxExportContext context, string x)
        {
            var erf = context.Node("Erf", context.Node("Mul", x, context.Constant((float)(1 / Math.Sqrt(2)))));
            var onePlus = context.Node("Add", erf, context.Constant(1f));
            return context.Node("Mul", context.Node("Mul", x, context.Constant(0.5f)), onePlus);
        }
    }
}
