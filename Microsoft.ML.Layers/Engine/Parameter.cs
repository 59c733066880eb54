using System;
using System.Runtime.CompilerServices;
using Microsoft.ML.Layers.Constraints;
using Microsoft.ML.Layers.Regularizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// A layer's weight (Keras's <c>Variable</c>): a TorchSharp parameter registered with its layer's module, with the
    /// Keras metadata a weight carries (name, trainable flag, regularizer, constraint). It is a tensor, so it is used
    /// directly in tensor maths; it keeps its identity through device and dtype moves, <see cref="Layer.SetWeights"/>
    /// and model loading, so a field that holds it always sees the live weight.
    /// </summary>
    public sealed class Parameter : TorchSharp.Modules.Parameter
    {
        private bool _trainable;

        internal Parameter(Tensor data, string name, Layer owner, bool trainable, Regularizer? regularizer, Constraint? constraint,
            bool autocast = true)
            : base(data, requires_grad: trainable && DTypes.IsFloating(data.dtype))
        {
            // A weight outlives any dispose scope open while it is created (a lazy build inside a training loop).
            this.DetachFromDisposeScope();
            Name = name;
            this.name = name;
            Owner = owner;
            _trainable = trainable;
            CreatedTrainable = trainable;
            Regularizer = regularizer;
            Constraint = constraint;
            Autocast = autocast;
        }

        /// <summary>The weight's name within its layer, e.g. <c>"kernel"</c>.</summary>
        public string Name { get; }

        /// <summary>The layer that created the weight.</summary>
        public Layer Owner { get; }

        /// <summary>The weight's path, <c>"dense/kernel"</c>: its layer's name and its own.</summary>
        public string Path => $"{Owner.Name}/{Name}";

        /// <summary>
        /// Whether an optimizer updates this weight. Setting it also switches gradient tracking. A layer's
        /// <see cref="Layer.Trainable"/> setter sets it on the weights that were created trainable.
        /// </summary>
        public bool Trainable
        {
            get => _trainable;
            set
            {
                _trainable = value;
                if (DTypes.IsFloating(dtype))
                    requires_grad_(value);
            }
        }

        /// <summary>Whether the weight was created trainable (it sits among its layer's trainable weights in <see cref="Layer.Weights"/>
        /// order).</summary>
        internal bool CreatedTrainable { get; }

        /// <summary>
        /// Whether a mixed-precision call reads this weight in the compute dtype (Keras's <c>autocast</c> argument of
        /// <c>add_weight</c>). Normalization layers keep their statistics and scales in the variable dtype.
        /// </summary>
        public bool Autocast { get; }

        /// <summary>The penalty added to the layer's losses for this weight, if any.</summary>
        public Regularizer? Regularizer { get; }

        /// <summary>The projection applied after each optimizer step, if any.</summary>
        public Constraint? Constraint { get; }

        /// <summary>The shape of the weight.</summary>
        public Shape Shape => new(shape);

        /// <summary>Copies <paramref name="value"/> into the weight in place (Keras's <c>assign</c>); shapes must match.</summary>
        /// <exception cref="ArgumentException">The shapes differ; the message names the weight.</exception>
        public void Assign(Tensor value)
        {
            ArgumentNullException.ThrowIfNull(value);
            var expected = Shape;
            var received = Shape.Of(value);
            if (expected != received)
                throw new ArgumentException($"Weight '{Path}' has shape {expected}; the value assigned has shape {received}.",
                    nameof(value));
            using var _ = no_grad();
            copy_(value);
        }

        /// <summary>Applies the constraint, if any, in place.</summary>
        public void ApplyConstraint()
        {
            if (Constraint is null)
                return;
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            copy_(Constraint.Apply(this));
        }

        /// <summary>
        /// Points this parameter at another native tensor and gives <paramref name="other"/> the previous one. Used to move
        /// a weight in place (dtype, device) and to autocast it for a mixed-precision call, keeping the object's identity.
        /// </summary>
        internal void SwapHandleWith(Tensor other)
        {
            ref nint mine = ref NativeHandle(this);
            ref nint theirs = ref NativeHandle(other);
            (mine, theirs) = (theirs, mine);
        }

        [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "handle")]
        private static extern ref nint NativeHandle(Tensor tensor);
    }
}
