using Microsoft.Extensions.ObjectPool;

namespace Microsoft.ML.Layers.Samples
{
    /// <summary>
    /// Creates the pooled <see cref="PredictionEngine{TSrc, TDst}"/>s of one loaded pipeline: the pattern of
    /// Microsoft.Extensions.ML's <c>PredictionEnginePool</c>, ML.NET's documented way to serve, written with
    /// Microsoft.Extensions.ObjectPool (part of ASP.NET Core's shared framework) because the Microsoft.Extensions.ML package is
    /// not available on this project's package feed. A <see cref="PredictionEngine{TSrc, TDst}"/> is not thread-safe and costly
    /// to create, so each request borrows one from the pool and returns it; the pipeline itself is shared.
    /// </summary>
    public sealed class PredictionEnginePolicy<TInput, TOutput> : PooledObjectPolicy<PredictionEngine<TInput, TOutput>>
        where TInput : class
        where TOutput : class, new()
    {
        private readonly MLContext _ml;
        private readonly ITransformer _model;

        public PredictionEnginePolicy(MLContext ml, ITransformer model)
        {
            _ml = ml;
            _model = model;
        }

        public override PredictionEngine<TInput, TOutput> Create() => _ml.Model.CreatePredictionEngine<TInput, TOutput>(_model);

        /// <summary>Every engine goes back into the pool: it keeps no state between predictions.</summary>
        public override bool Return(PredictionEngine<TInput, TOutput> engine) => true;
    }
}
