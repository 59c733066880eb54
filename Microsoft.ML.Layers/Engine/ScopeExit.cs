using System;

namespace Microsoft.ML.Layers
{
    /// <summary>Runs an action once, when disposed: the undo step of a scope (<c>using var _ = ...;</c>).</summary>
    internal sealed class ScopeExit : IDisposable
    {
        private Action? _undo;

        public ScopeExit(Action undo) => _undo = undo;

        public void Dispose()
        {
            var undo = _undo;
            _undo = null;
            undo?.Invoke();
        }
    }
}
