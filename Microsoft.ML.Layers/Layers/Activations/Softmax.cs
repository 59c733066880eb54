using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using Microsoft.ML.Layers.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// The softmax layer (Keras's <c>Softmax</c>): <c>exp(x) / sum(exp(x))</c> along one axis or several, with an optional
    /// mask of the positions that take part.
    /// </summary>
    /// <remarks>
    /// <para>No weights. Output: the input's shape. Masks pass through.</para>
    /// <para>As in Keras 3: where the mask is false, a large negative number (-1e9; -3e4 in float16) is added to the input
    /// before the softmax, so those positions get (almost) zero probability; the output is not multiplied by the mask. A
    /// mask of the input's rank broadcasts as in NumPy. A mask of lower rank, such as the <c>(batch, steps)</c> mask an
    /// <see cref="Embedding"/> attaches to <c>(batch, steps, features)</c>, covers the leading axes (where Keras would
    /// broadcast it against the trailing axes).</para>
    /// <para>One axis is libtorch's softmax (computed in float32 for float16 on the CPU, as Keras's torch backend does);
    /// several axes are <c>exp(x - logsumexp(x, axes))</c>; <c>null</c> (Keras's <c>axis=None</c>) is every axis, the
    /// batch included.</para>
    /// <code>
    /// Tensor p = new Softmax().Apply(torch.tensor(new[] { 1f, 2f, 1f }).reshape(1, 3));   // [[0.2119, 0.5761, 0.2119]]
    /// Tensor q = new Softmax(new[] { 1, 2 }).Apply(scores);                              // normalized over axes 1 and 2
    /// </code>
    /// </remarks>
    [RegisterLayer("Softmax")]
    public sealed class Softmax : Layer, IOnnxExportable
    {
        private readonly int[]? _axes;
        private readonly bool _axisIsList;

        /// <summary>Creates the layer over one axis.</summary>
        /// <param name="axis">The axis normalized; the last by default.</param>
        /// <param name="name">The layer name; unique by default (<c>softmax</c>, <c>softmax_1</c>, ...).</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype; the global policy by default.</param>
        public Softmax(int axis = -1, string? name = null, bool trainable = true, ScalarType? dtype = null)
            : this(new[] { axis }, isList: false, name, trainable, dtype)
        {
        }

        /// <summary>Creates the layer over a list of axes (Keras's <c>axis=[1, 2]</c>).</summary>
        /// <param name="axis">The axes normalized together; <see langword="null"/> for every axis (Keras's <c>axis=None</c>).</param>
        /// <param name="name">The layer name; unique by default.</param>
        /// <param name="trainable">Kept for Keras compatibility; the layer has no weights.</param>
        /// <param name="dtype">The compute dtype; the global policy by default.</param>
        /// <exception cref="ArgumentException"><paramref name="axis"/> is an empty list.</exception>
        public Softmax(int[]? axis, string? name = null, bool trainable = true, ScalarType? dtype = null)
            : this(axis, isList: true, name, trainable, dtype)
        {
        }

        private Softmax(int[]? axes, bool isList, string? name, bool trainable, ScalarType? dtype)
            : base(name, trainable, dtype)
        {
            if (axes is { Length: 0 })
                throw new ArgumentException($"Layer '{Name}' (Softmax): `axis` must name at least one axis. Received: axis=[].", "axis");
            _axes = axes?.ToArray();
            _axisIsList = isList;
            SupportsMasking = true;
        }

        /// <summary>The axes normalized, or <see langword="null"/> for every axis.</summary>
        public IReadOnlyList<int>? Axis => _axes;

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            var x = mask is null ? inputs
                : inputs.add(1.0.SubFrom(LeadingAxesMask(mask, inputs).to(inputs.dtype)).MulScalar(LargeNegative(inputs.dtype)),
                    Scalars.IntOne);
            var axes = _axes is null ? Enumerable.Range(0, (int)x.ndim).Select(a => (long)a).ToArray()
                : _axes.Select(a => (long)a).ToArray();
            if (axes.Length > 1)
            {
                // Keras's torch logsumexp: max + log(sum(exp(x - max))), keeping the reduced axes.
                var max = x.amax(axes, keepdim: true);
                return (x - (x - max).exp().sum(axes, keepdim: true).log().Plus(max)).exp();
            }
            if (x.dtype != ScalarType.Float16 || x.device_type != DeviceType.CPU)
                return x.softmax(axes[0]);
            return x.to(ScalarType.Float32).softmax(axes[0]).to(ScalarType.Float16);
        }

        private static Tensor LeadingAxesMask(Tensor mask, Tensor inputs)
        {
            var aligned = mask;
            while (aligned.ndim < inputs.ndim)
                aligned = aligned.unsqueeze(-1);
            return aligned;
        }

        /// <summary>Keras's <c>_large_negative_number</c>: -3e4 for float16 (its range ends near 6.5e4), -1e9 otherwise.</summary>
        private static double LargeNegative(ScalarType dtype) => dtype == ScalarType.Float16 ? -3e4 : -1e9;

        /// <summary>
        /// <c>Softmax</c> over one axis (before opset 13 the operator flattens every axis from the given one, so only the last axis
        /// uses it there); over several axes (or one axis before opset 13) Keras's <c>exp(x - logsumexp(x))</c> with primitive
        /// operators. Masks are not exported.
        /// </summary>
        string IOnnxExportable.ExportOnnx(OnnxExportContext context, OnnxValue input)
        {
            int rank = input.Shape.Rank;
            var axes = (_axes ?? Enumerable.Range(0, rank).ToArray()).Select(a => (long)(a < 0 ? a + rank : a)).ToArray();
            if (axes.Length == 1 && (context.OpsetVersion >= 13 || axes[0] == rank - 1))
                return context.Node("Softmax", new[] { input.Name }, new OnnxAttributes { { "axis", axes[0] } });
            var x = input.Name;
            var max = context.Reduce("ReduceMax", x, axes, keepDims: true);
            var sum = context.Reduce("ReduceSum", context.Node("Exp", context.Node("Sub", x, max)), axes, keepDims: true);
            return context.Node("Exp", context.Node("Sub", x, context.Node("Add", context.Node("Log", sum), max)));
        }

        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape) => inputShape;

        /// <inheritdoc />
        public override LayerConfig GetConfig()
            => base.GetConfig().With("axis", _axes is null ? null : _axisIsList ? (object)_axes : _axes[0]);

        /// <summary>Reads a config whose <c>axis</c> is an integer, a list of integers or null, as Keras writes it.</summary>
        /// <exception cref="FormatException">The config has a key the layer does not take, or an axis that is not an integer.</exception>
        public static Softmax FromConfig(LayerConfig config)
        {
            ArgumentNullException.ThrowIfNull(config);
            config.RequireKnownKeys("axis");
            var node = config.Contains("axis") ? config.Values["axis"] : JsonValue.Create(-1);
            var layer = node is JsonArray
                ? new Softmax(config.Get<int[]>("axis"), config.Name, config.Trainable)
                : node is null ? new Softmax((int[]?)null, config.Name, config.Trainable)
                : new Softmax(config.Get<int>("axis"), config.Name, config.Trainable);
            layer.ApplyBaseConfig(config, LayerConfig.BoundBaseKeys);
            return layer;
        }
    }
}
