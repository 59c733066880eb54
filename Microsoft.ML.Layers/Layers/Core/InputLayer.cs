using System;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// The entry point of a model (Keras's <c>InputLayer</c>): declares the input's shape and dtype and passes the input
    /// through unchanged. Functional models get one per <see cref="Input.Create(Shape, ScalarType?, string?, int?)"/>;
    /// a <see cref="Sequential"/> model whose first layer is an InputLayer is built at once.
    /// </summary>
    [RegisterLayer("InputLayer")]
    public sealed class InputLayer : Layer
    {
        /// <summary>Creates an input layer.</summary>
        /// <param name="shape">The shape of one sample, without the batch dimension (Keras's <c>shape</c>).</param>
        /// <param name="batchSize">A fixed batch size, or null for any.</param>
        /// <param name="dtype">The dtype of the input (e.g. int64 for token ids); float32 by default.</param>
        /// <param name="batchShape">The full shape with the batch dimension (Keras 3's <c>batch_shape</c>); overrides
        /// <paramref name="shape"/>.</param>
        /// <param name="batchInputShape">Keras 2's name for <paramref name="batchShape"/>.</param>
        /// <param name="sparse">Kept for Keras configs; sparse inputs are not supported and <see langword="true"/> is refused.</param>
        /// <param name="ragged">Kept for Keras configs; ragged inputs are not supported and <see langword="true"/> is refused.</param>
        /// <param name="name">The layer name.</param>
        /// <param name="optional">Kept for Keras configs (Keras 3.13+ writes <c>optional: false</c>); an optional input (one the
        /// caller may pass as None) is not supported and <see langword="true"/> is refused.</param>
        public InputLayer(Shape? shape = null, int? batchSize = null, ScalarType? dtype = null, Shape? batchShape = null,
            Shape? batchInputShape = null, bool sparse = false, bool ragged = false, string? name = null, bool optional = false)
            : base(name, trainable: true, dtype ?? ScalarType.Float32)
        {
            if (sparse || ragged)
                throw new NotSupportedException($"InputLayer '{Name}': sparse and ragged inputs are not supported. Received: " +
                    $"sparse={sparse}, ragged={ragged}.");
            if (optional)
                throw new ArgumentException($"InputLayer '{Name}': optional inputs (which Keras lets the caller pass as None) are not " +
                    $"supported; every input must be given. Expected: optional=false. Received: optional=true.", nameof(optional));
            var full = batchShape ?? batchInputShape;
            if (full is null)
            {
                if (shape is null)
                    throw new ArgumentException($"InputLayer '{Name}' needs a shape: pass `shape` (without the batch dimension) or " +
                        $"`batchShape`.");
                full = shape.Prepend(batchSize ?? Shape.Unknown);
            }
            if (full.Rank == 0)
                throw new ArgumentException($"InputLayer '{Name}': the batch shape must include the batch dimension. Received: " +
                    $"batch_shape={full}.");
            BatchShape = full;
            SupportsMasking = true;
        }

        /// <summary>The input shape with the batch dimension, e.g. <c>(None, 20)</c>.</summary>
        public Shape BatchShape { get; }

        /// <summary>The symbolic tensor this layer produces in a functional graph (created on first use).</summary>
        internal Tensor Output
        {
            get
            {
                if (_output is null)
                {
                    var output = KerasTensor.CreateInput(BatchShape, DType);
                    var node = new Node(this, Array.Empty<Tensor>(), singleInput: true, new[] { output });
                    var info = KerasTensor.Info(output);
                    info.Node = node;
                    InboundNodes.Add(node);
                    _output = output;
                    EnsureBuilt(BatchShape);
                }
                return _output;
            }
        }

        private Tensor? _output;

        /// <inheritdoc />
        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null) => inputs;

        /// <inheritdoc />
        public override Shape ComputeOutputShape(Shape inputShape) => inputShape;

        /// <inheritdoc />
        public override LayerConfig GetConfig()
        {
            var config = new LayerConfig("InputLayer", module: "keras.layers")
                .With("batch_shape", BatchShape)
                .With("dtype", DTypes.ToKerasName(DType))
                .With("sparse", false)
                .With("ragged", false)
                .With("name", Name);
            return config;
        }
    }
}
