using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Symbolic tensors of the functional API (Keras's <c>KerasTensor</c>). <see cref="Input.Create(Shape, ScalarType?, string?, int?)"/>
    /// returns one; calling a layer on symbolic tensors records a node of the graph and returns symbolic outputs.
    /// A symbolic tensor is a small stand-in tensor (unknown dimensions set to 2) that carries its Keras shape, with
    /// <see cref="Shape.Unknown"/> where the size is not known, and its place in the graph.
    /// </summary>
    internal static class KerasTensor
    {
        private static readonly ConditionalWeakTable<Tensor, SymbolicInfo> Symbolic = new();

        [ThreadStatic]
        private static int _probeDepth;

        /// <summary>
        /// Whether this thread is running a layer on stand-ins to record a functional-graph node. Layers with state that
        /// calls update (a stateful recurrent layer's states) leave it alone then, as Keras's symbolic calls do.
        /// </summary>
        internal static bool IsProbing => _probeDepth > 0;

        /// <summary>Whether <paramref name="tensor"/> is a symbolic tensor of the functional API.</summary>
        public static bool IsSymbolic(Tensor tensor) => Symbolic.TryGetValue(tensor, out _);

        /// <summary>The Keras shape of a symbolic tensor (<c>(None, 20)</c>), or the concrete shape of any other tensor.</summary>
        public static Shape ShapeOf(Tensor tensor) => Symbolic.TryGetValue(tensor, out var info) ? info.Shape : Shape.Of(tensor);

        internal static SymbolicInfo Info(Tensor tensor)
            => Symbolic.TryGetValue(tensor, out var info) ? info
               : throw new ArgumentException("Expected a symbolic tensor (from Input.Create or a layer called on one), but received a " +
                   "concrete tensor.");

        internal static bool TryInfo(Tensor tensor, out SymbolicInfo info) => Symbolic.TryGetValue(tensor, out info!);

        /// <summary>Creates a symbolic tensor for an input of the given Keras shape (the probe stand-ins are zeros).</summary>
        internal static Tensor CreateInput(Shape shape, ScalarType dtype)
        {
            var probeA = Probe(shape, dtype, 2);
            var probeB = Probe(shape, dtype, 3);
            Symbolic.AddOrUpdate(probeA, new SymbolicInfo(shape, dtype, probeB));
            return probeA;
        }

        private static Tensor Probe(Shape shape, ScalarType dtype, long unknownAs)
        {
            var dims = shape.Select(d => d == Shape.Unknown ? unknownAs : d).ToArray();
            NativeGuards.CheckAllocation(dims, DTypes.IsFloating(dtype) ? ScalarType.Float32 : dtype,
                $"shape-inference stand-in of the symbolic input of shape {shape} (unknown sizes as {unknownAs})");
            var probe = DTypes.IsFloating(dtype) ? rand(dims, dtype: ScalarType.Float32).to(dtype) : zeros(dims, dtype: dtype);
            return probe.DetachFromDisposeScope();
        }

        /// <summary>
        /// Calls <paramref name="layer"/> on symbolic inputs: runs it on both sets of stand-ins (unknown sizes as 2 and as
        /// 3) without gradients, infers which output dimensions are unknown, and records a node of the graph.
        /// </summary>
        internal static IReadOnlyList<Tensor> ApplySymbolic(Layer layer, IReadOnlyList<Tensor> inputs, bool singleInput, bool? training,
            IReadOnlyList<Tensor?>? masks)
        {
            var infos = inputs.Select((t, i) => TryInfo(t, out var info) ? info
                : throw new ArgumentException($"Layer '{layer.Name}' was called with a mix of symbolic and concrete tensors (input {i} " +
                    $"is concrete). In the functional API every input must come from Input.Create or from another layer's symbolic " +
                $"output.")).ToList();
            // Inside another layer's symbolic probe (a wrapper such as Bidirectional calling its inner layers on the stand-ins
            // with the mask it received), the call is an ordinary eager one: the wrapper's own node records the graph.
            if (IsProbing && masks is not null && masks.Any(m => m is not null))
                return layer.ApplyCore(inputs, singleInput, training, masks);
            if (masks is not null && masks.Any(m => m is not null))
                throw new ArgumentException($"Layer '{layer.Name}': explicit masks cannot be passed on symbolic tensors; masks flow from " +
                    $"the layers that produce them (Embedding(maskZero), Masking).");

            IReadOnlyList<Tensor> outputsA, outputsB;
            using (no_grad())
            using (ShapeInference.Enter())
            {
                _probeDepth++;
                try
                {
                    outputsA = layer.ApplyCore(inputs, singleInput, training, null);
                    outputsB = layer.ApplyCore(infos.Select(i => i.ProbeB).ToList(), singleInput, training, null);
                }
                finally
                {
                    _probeDepth--;
                }
            }
            var node = new Node(layer, inputs.ToArray(), singleInput, outputsA.ToArray());
            for (int i = 0; i < outputsA.Count; i++)
            {
                var a = outputsA[i];
                var b = outputsB[i];
                if (a.ndim != b.ndim)
                    throw new InvalidOperationException($"Layer '{layer.Name}': the rank of output {i} depends on the input sizes, which " +
                        $"the functional API cannot represent.");
                var shape = new Shape(a.shape.Zip(b.shape, (x, y) => x == y ? x : Shape.Unknown));
                a.DetachFromDisposeScope();
                b.DetachFromDisposeScope();
                Symbolic.AddOrUpdate(a, new SymbolicInfo(shape, a.dtype, b) { Node = node, OutputIndex = i });
            }
            layer.InboundNodes.Add(node);
            return outputsA;
        }
    }

    /// <summary>What a symbolic tensor knows: its Keras shape and dtype, the node that produced it, and its second stand-in.</summary>
    internal sealed class SymbolicInfo
    {
        public SymbolicInfo(Shape shape, ScalarType dtype, Tensor probeB)
        {
            Shape = shape;
            DType = dtype;
            ProbeB = probeB;
        }

        public Shape Shape { get; }

        public ScalarType DType { get; }

        /// <summary>The stand-in with unknown sizes set to 3 (the tensor object itself has them set to 2).</summary>
        public Tensor ProbeB { get; }

        /// <summary>The node that produced this tensor; null for a model input before its InputLayer node exists.</summary>
        public Node? Node { get; set; }

        /// <summary>Which output of <see cref="Node"/> this tensor is.</summary>
        public int OutputIndex { get; set; }
    }

    /// <summary>One call of a layer in a functional graph (Keras's <c>Node</c>): its symbolic inputs and outputs.</summary>
    internal sealed class Node
    {
        // The inputs' infos, held strongly. The graph otherwise hangs together only through the ConditionalWeakTable (a
        // tensor's info is reachable from the tensor by a dependent handle alone), and the garbage collector resolves a chain
        // of n dependent handles in n passes: building a 10,000-layer chain took minutes, each collection O(n^2). With this
        // reference, promoting the last tensor's info marks the whole graph in one pass.
        private readonly SymbolicInfo?[] _inputInfos;

        public Node(Layer layer, Tensor[] inputs, bool singleInput, Tensor[] outputs)
        {
            Layer = layer;
            Inputs = inputs;
            SingleInput = singleInput;
            Outputs = outputs;
            _inputInfos = inputs.Select(t => KerasTensor.TryInfo(t, out var info) ? info : null).ToArray();
        }

        public Layer Layer { get; }

        public Tensor[] Inputs { get; }

        public bool SingleInput { get; }

        public Tensor[] Outputs { get; }

        /// <summary>The <c>training</c> value the call was recorded with (a Keras config's <c>training: false</c>); it wins over the
        /// model's own when the graph runs, as in Keras. Null: the model's value.</summary>
        public bool? Training { get; set; }

        /// <summary>The position of this node among its layer's inbound nodes (Keras's node index).</summary>
        public int Index => Layer.InboundNodes.IndexOf(this);
    }
}
