using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    // The dtype policy: the weights' dtype, the compute dtype, autocasting of inputs and weights, dtype and device moves.
    public abstract partial class Layer
    {
        /// <summary>
        /// The dtype policy; may be changed only before the layer is built. Setting it also sets it on the nested layers
        /// tracked so far, so a block and its parts compute in one dtype.
        /// </summary>
        /// <exception cref="InvalidOperationException">Set after the layer was built.</exception>
        public DTypePolicy DTypePolicy
        {
            get => _dtypePolicy;
            set
            {
                ArgumentNullException.ThrowIfNull(value);
                if (Built)
                    throw new InvalidOperationException($"Layer '{Name}' is already built; set its dtype policy before its first call, " +
                        $"or move it with to(dtype).");
                _dtypePolicy = value;
                foreach (var (_, layer) in TrackedLayers())
                {
                    if (!layer.Built)
                        layer.DTypePolicy = value;
                }
            }
        }

        /// <summary>
        /// The dtype of the weights (Keras's <c>layer.dtype</c>, also its <c>variable_dtype</c>): the policy's
        /// <see cref="DTypePolicy.VariableDType"/>. It differs from <see cref="ComputeDType"/> only under a mixed policy.
        /// </summary>
        public ScalarType DType => _dtypePolicy.VariableDType;

        /// <summary>
        /// The dtype floating inputs are cast to, and computations run in (Keras's <c>compute_dtype</c>): the policy's
        /// <see cref="DTypePolicy.ComputeDType"/>; under <c>mixed_float16</c> it is <c>float16</c> while <see cref="DType"/>
        /// is <c>float32</c>.
        /// </summary>
        public ScalarType ComputeDType => _dtypePolicy.ComputeDType;

        /// <summary>
        /// Whether floating inputs are cast to <see cref="ComputeDType"/> and weights read in it under a mixed policy (Keras's
        /// <c>autocast</c>); <see langword="true"/> by default. Layers that take indices (Embedding) turn it off.
        /// </summary>
        protected bool Autocast { get; set; } = true;

        private Tensor CastInput(Tensor input)
            => DTypes.IsFloating(input.dtype) && input.dtype != ComputeDType ? input.to(ComputeDType) : input;

        private IReadOnlyList<Tensor> CallWithAutocast(Tensor[] inputs, bool singleInput, bool? training, IReadOnlyList<Tensor?> masks)
        {
            var casts = _dtypePolicy.IsMixed && Autocast
                ? _weights.Where(w => w.Autocast && DTypes.IsFloating(w.dtype) && w.dtype != ComputeDType).ToList() : null;
            if (casts is null || casts.Count == 0)
                return CallOutputs(inputs, singleInput, training, masks);

            // Keras's autocast: during the call the weights read as compute-dtype copies; gradients flow back to the
            // full-precision weights. Swapping is not thread-safe, so mixed-precision calls of one layer are serialized.
            lock (_autocastGate)
            {
                var copies = casts.Select(w => w.to(ComputeDType)).ToList();
                for (int i = 0; i < casts.Count; i++)
                    casts[i].SwapHandleWith(copies[i]);
                try
                {
                    return CallOutputs(inputs, singleInput, training, masks);
                }
                finally
                {
                    for (int i = 0; i < casts.Count; i++)
                        casts[i].SwapHandleWith(copies[i]);
                }
            }
        }

        /// <summary>Moves weights in place (they keep their identity) and switches the dtype policy with a dtype move.</summary>
        protected override void _toEpilog(ScalarType? dtype, Device? device, bool non_blocking)
        {
            foreach (var weight in _weights)
            {
                var targetType = dtype is ScalarType t && DTypes.IsFloating(weight.dtype) ? t : weight.dtype;
                var targetDevice = device ?? weight.device;
                if (weight.dtype == targetType && weight.device_type == targetDevice.type && weight.device_index == targetDevice.index)
                    continue;
                using var noGrad = no_grad();
                using var moved = weight.detach().to(targetType, targetDevice).requires_grad_(weight.requires_grad);
                moved.DetachFromDisposeScope();
                weight.SwapHandleWith(moved);
            }
            if (dtype is ScalarType d && DTypes.IsFloating(d))
                _dtypePolicy = new DTypePolicy(d);
            base._toEpilog(dtype, device, non_blocking);
        }
    }
}
