using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    // Build: creating the shape-dependent weights once, on the first call or on request.
    public abstract partial class Layer
    {
        /// <summary>The input shapes the layer was built with (one per input), or <see langword="null"/> before it is built.</summary>
        public IReadOnlyList<Shape>? BuildShapes { get; private set; }

        /// <summary>Creates the weights that depend on the input shape (Keras's <c>build</c>). The default creates none.</summary>
        /// <param name="inputShape">The input's shape, batch dimension included (possibly <see cref="Shape.Unknown"/>).</param>
        protected virtual void Build(Shape inputShape)
        {
        }

        /// <summary>Creates the weights of a multi-input layer; the default builds from a single shape when there is one.</summary>
        protected virtual void Build(IReadOnlyList<Shape> inputShapes)
        {
            if (inputShapes.Count == 1)
                Build(inputShapes[0]);
        }

        /// <summary>Builds the layer for <paramref name="inputShape"/> if it is not built yet (Keras's
        /// <c>layer.build(shape)</c>).</summary>
        public void EnsureBuilt(Shape inputShape)
        {
            ArgumentNullException.ThrowIfNull(inputShape);
            EnsureBuilt(new[] { inputShape });
        }

        /// <summary>Builds a multi-input layer for <paramref name="inputShapes"/> if it is not built yet.</summary>
        public void EnsureBuilt(IReadOnlyList<Shape> inputShapes)
        {
            ArgumentNullException.ThrowIfNull(inputShapes);
            if (!Built)
                BuildOnce(inputShapes);
        }

        private void BuildOnce(IReadOnlyList<Shape> shapes)
        {
            lock (_stateGate)
            {
                if (!Built)
                    BuildLocked(shapes);
            }
        }

        private void BuildLocked(IReadOnlyList<Shape> shapes)
        {
            _building = true;
            try
            {
                if (shapes.Count == 1)
                    Build(shapes[0]);
                else
                    Build(shapes);
            }
            finally
            {
                _building = false;
            }
            BuildShapes = shapes.ToList();
            Built = true;
            _trackedLayers = null;
            TrackedLayers();
            DeriveInputSpec(shapes);
            // TorchSharp modules created in Build (inside a caller's dispose scope) must keep their parameters.
            foreach (var parameter in parameters())
                parameter.DetachFromDisposeScope();
            foreach (var buffer in buffers())
                buffer.DetachFromDisposeScope();
        }

        /// <summary>
        /// Whether a layer that sets no <see cref="InputSpec"/> gets one derived from the shape it was built with (default
        /// <see langword="true"/>), as Keras's <c>Dense</c> sets its own: rank at least 2 and the build shape's last-axis size
        /// (<c>InputSpec(min_ndim=2, axes={-1: size})</c>); the batch axis and the axes between stay free. It applies only to
        /// a layer built from one input with a known last axis that holds weights of its own (a layer without weights has
        /// nothing that depends on the size). It turns a wrong input size into an <see cref="ArgumentException"/> naming the
        /// layer, the expected and the received shape, where a native operation such as <c>matmul</c> would end the process.
        /// Override it to return <see langword="false"/> in a layer that accepts other last-axis sizes after build (indices
        /// of any length, a statistic kept on another axis), or set <see cref="InputSpec"/> yourself.
        /// </summary>
        protected virtual bool DerivesInputSpecFromBuildShape => true;

        private void DeriveInputSpec(IReadOnlyList<Shape> shapes)
        {
            if (InputSpec is not null || shapes.Count != 1 || !DerivesInputSpecFromBuildShape || !HoldsOwnWeights())
                return;
            InputSpec = InputSpec.FromBuildShape(shapes[0]);
        }

        // Weights created with AddWeight, or parameters and buffers registered on the layer itself or on TorchSharp modules it
        // holds; nested layers' weights do not count (each nested layer checks its own inputs).
        private bool HoldsOwnWeights()
            => _weights.Count > 0 || named_parameters(recurse: false).Any() || named_buffers(recurse: false).Any()
               || named_children().Any(c => c.module is not Layer && (c.module.parameters().Any() || c.module.buffers().Any()));

        /// <summary>Forgets that the layer was built, so that a container whose layers changed rebuilds (Sequential.Add).</summary>
        internal void ResetBuild()
        {
            lock (_stateGate)
            {
                Built = false;
                BuildShapes = null;
                if (InputSpec is { DerivedFromBuildShape: true })
                    InputSpec = null;
                _trackedLayers = null;
            }
        }

        internal void BuildFromConfig(JsonNode? buildConfig)
        {
            if (buildConfig is not JsonObject obj || obj["input_shape"] is not JsonArray shapeNode)
                return;
            bool several = shapeNode.Count > 0 && shapeNode.All(n => n is JsonArray);
            var shapes = several
                ? shapeNode.Select((n, i) => (Shape)KerasJson.FromNode(n, typeof(Shape), $"{Name}.build_config.input_shape[{i}]")!).ToList()
                : new List<Shape> { (Shape)KerasJson.FromNode(shapeNode, typeof(Shape), $"{Name}.build_config.input_shape")! };
            EnsureBuilt(shapes);
        }
    }
}
