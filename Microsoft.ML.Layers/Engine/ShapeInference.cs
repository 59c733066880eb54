using System;

namespace Microsoft.ML.Layers
{
    /// <summary>
    /// Marks the calls that run a layer on stand-in values only to learn output shapes (symbolic calls of the functional
    /// API and the default <see cref="Layer.ComputeOutputShape(Shape)"/> probe), so that a layer can skip checks of its
    /// state that only real data needs (a Normalization layer not adapted yet, which Keras lets you wire before adapting).
    /// </summary>
    internal static class ShapeInference
    {
        // Per thread, like the call context and TorchSharp's no-grad state.
        [ThreadStatic]
        private static int _depth;

        /// <summary>Whether the current call runs on stand-in values.</summary>
        public static bool Active => _depth > 0;

        /// <summary>Enters a shape-inference run; dispose the result to leave it.</summary>
        public static IDisposable Enter()
        {
            _depth++;
            return new Exit();
        }

        private sealed class Exit : IDisposable
        {
            private bool _done;

            public void Dispose()
            {
                if (_done)
                    return;
                _done = true;
                _depth--;
            }
        }
    }
}
