using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers
{
    // The verified inference path of the single-row scorer (PredictionEngine): Apply's machinery once per input shape.
    public sealed partial class Sequential
    {
        [ThreadStatic]
        private static bool _verifying;

        [ThreadStatic]
        private static bool _verificationFailed;

        private volatile VerifiedInput? _verified;

        /// <summary>
        /// Inference on one unmasked input (no gradients are the caller's business): the first call, and every call whose
        /// input shape or dtype differs from the last verified one, is a full <see cref="Layer.Apply(Tensor, bool?, Tensor?)"/>
        /// with every check (input specs, the native-abort guards, masks, casts). When that call shows the stack needs none
        /// of Apply's work beyond the checks (plain leaf layers, no mask, no cast: see <see cref="Layer.IsPlainForInference"/>),
        /// later calls with the same shape and dtype run the layers' computations directly. Thread-safe: the verified state is
        /// one immutable snapshot, replaced whole.
        /// </summary>
        /// <param name="input">The batch, without an attached mask.</param>
        internal Tensor ApplyVerified(Tensor input)
        {
            var verified = _verified;
            if (verified is not null && CallContext.Current is null && verified.Matches(input))
            {
                var x = input;
                foreach (var layer in verified.Layers)
                    x = layer.CallVerified(x);
                return x;
            }
            return ApplyAndVerify(input);
        }

        private Tensor ApplyAndVerify(Tensor input)
        {
            bool outermost = CallContext.Current is null && !_verifying;
            if (!outermost)
                return Apply(input, training: false);
            var shape = input.shape;
            var dtype = input.dtype;
            bool eligible = KerasMask.Get(input) is null && !(DTypes.IsFloating(dtype) && dtype != ComputeDType);
            _verifying = true;
            _verificationFailed = false;
            Tensor output;
            try
            {
                output = Apply(input, training: false);
            }
            finally
            {
                _verifying = false;
            }
            eligible &= !_verificationFailed && KerasMask.Get(output) is null && ActivityRegularizer is null && !DTypePolicy.IsMixed;
            var layers = _layers.Where(l => l is not InputLayer).ToArray();
            eligible &= !HasAddedLosses && layers.All(l => !l.HasAddedLosses);
            if (eligible)
                _verified = new VerifiedInput(shape, dtype, layers);
            return output;
        }

        /// <summary>During a verifying call: records whether <paramref name="layer"/> needs more of Apply than its checks.</summary>
        private static void ObserveForVerification(Layer layer, Tensor input, Tensor? mask)
        {
            if (layer is InputLayer)
                return;
            if (mask is not null || !layer.IsPlainForInference || (DTypes.IsFloating(input.dtype) && input.dtype != layer.ComputeDType))
                _verificationFailed = true;
        }

        /// <summary>A verified input shape and dtype and the layers to run for it.</summary>
        private sealed class VerifiedInput
        {
            private readonly long[] _shape;
            private readonly ScalarType _dtype;

            public VerifiedInput(long[] shape, ScalarType dtype, Layer[] layers)
            {
                _shape = shape;
                _dtype = dtype;
                Layers = layers;
            }

            public Layer[] Layers { get; }

            public bool Matches(Tensor input)
            {
                if (input.dtype != _dtype || input.ndim != _shape.Length)
                    return false;
                for (int i = 0; i < _shape.Length; i++)
                {
                    if (input.size(i) != _shape[i])
                        return false;
                }
                return true;
            }
        }
    }
}
