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
            // TorchSharp modules created in Build (inside a caller's dispose scope) must keep their parameters.
            foreach (var parameter in parameters())
                parameter.DetachFromDisposeScope();
            foreach (var buffer in buffers())
                buffer.DetachFromDisposeScope();
        }

        /// <summary>Forgets that the layer was built, so that a container whose layers changed rebuilds (Sequential.Add).</summary>
        internal void ResetBuild()
        {
            lock (_stateGate)
            {
                Built = false;
                BuildShapes = null;
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
