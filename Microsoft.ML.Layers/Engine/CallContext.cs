using System;
using System.Collections.Generic;
using TorchSharp;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// The state of the current (outermost) layer call on this thread: the resolved <c>training</c> value that nested
    /// layers inherit. Per thread, because TorchSharp's dispose scopes and no-grad state are per thread too.
    /// </summary>
    internal sealed class CallContext
    {
        [ThreadStatic]
        private static CallContext? _current;

        private CallContext()
        {
        }

        public static CallContext? Current => _current;

        /// <summary>The training value nested calls inherit when they are not given one.</summary>
        public bool? Training { get; set; }

        /// <summary>
        /// Every loss added during this outermost call, by any layer. Each layer call moves them out of its own dispose
        /// scope, so they reach the caller's scope instead of dying with an enclosing layer's call.
        /// </summary>
        public List<torch.Tensor> Losses { get; } = new();

        /// <summary>Enters a layer call; returns the context and whether this call is the outermost one.</summary>
        public static (CallContext Context, bool Outermost) Enter()
        {
            if (_current is not null)
                return (_current, false);
            _current = new CallContext();
            return (_current, true);
        }

        /// <summary>Leaves the outermost call.</summary>
        public static void Exit() => _current = null;
    }
}
