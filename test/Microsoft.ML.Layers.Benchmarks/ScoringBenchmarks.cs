using System.Linq;
using BenchmarkDotNet.Attributes;
using Microsoft.ML.Layers.Estimators;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Benchmarks
{
    /// <summary>
    /// 3. Batch scoring of 100k rows: the raw batched forward pass (no gradients, 1024 rows per product, results copied to
    /// a managed array) against <c>Transform</c> reading the Score column, and the library's own <c>Predict</c>.
    /// </summary>
    [Config(typeof(BenchmarkConfig))]
    public class ScoringBenchmarks
    {
        private BenchmarkData _data = null!;
        private RawMlp _raw = null!;
        private Sequential _network = null!;
        private ITransformer _model = null!;
        private float[] _scores = null!;

        [GlobalSetup]
        public void Setup()
        {
            set_num_threads(BenchmarkSettings.Threads);
            _data = new BenchmarkData(BenchmarkSettings.Rows);
            var trained = _data.ML.Regression.Trainers.NeuralNetwork(TrainingThroughputBenchmarks.Network(),
                new NeuralNetworkOptions { Epochs = 1, BatchSize = 256 }).Fit(_data.InMemory);
            _model = trained;
            _network = (Sequential)trained.Model.Network;
            _raw = new RawMlp(64, 256, 256, 1);
            _raw.CopyFrom(_network);
            _scores = new float[BenchmarkSettings.Rows];
        }

        [GlobalCleanup]
        public void Cleanup()
        {
            _raw.Dispose();
            _data.Dispose();
        }

        [Benchmark(Baseline = true, Description = "raw batched forward (1024 rows)")]
        public float RawBatchedForward()
        {
            using var noGrad = no_grad();
            long rows = _data.X.shape[0];
            for (long start = 0; start < rows; start += 1024)
            {
                using var scope = NewDisposeScope();
                var batch = _data.X.slice(0, start, System.Math.Min(start + 1024, rows), 1);
                var output = _raw.Forward(batch).contiguous();
                output.data<float>().CopyTo(_scores, (int)start);
            }
            return _scores[^1];
        }

        [Benchmark(Description = "Transform, Score column read")]
        public float Transform()
        {
            var scored = _model.Transform(_data.InMemory);
            using var cursor = scored.GetRowCursor(scored.Schema.Where(c => c.Name == "Score"));
            var getter = cursor.GetGetter<float>(scored.Schema["Score"]);
            float value = 0;
            int i = 0;
            while (cursor.MoveNext())
            {
                getter(ref value);
                _scores[i++] = value;
            }
            return value;
        }

        [Benchmark(Description = "Model.Predict (tensor API)")]
        public float ModelPredict()
        {
            using var scope = NewDisposeScope();
            var output = _network.Predict(_data.X, batchSize: 1024);
            output.data<float>().CopyTo(_scores, 0);
            return _scores[^1];
        }
    }
}
