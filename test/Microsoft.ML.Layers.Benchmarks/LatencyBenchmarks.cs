using BenchmarkDotNet.Attributes;
using Microsoft.ML.Layers.Estimators;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Benchmarks
{
    /// <summary>
    /// 4. Single-row latency: <c>PredictionEngine.Predict</c> against a raw single-row forward (a 1x64 tensor from the
    /// row's array, no gradients, the value read back). 1,000 calls per invocation; percentiles per call are measured by
    /// <see cref="Reports.Latency"/>.
    /// </summary>
    [Config(typeof(BenchmarkConfig))]
    public class LatencyBenchmarks
    {
        public const int Calls = 1000;
        private BenchmarkData _data = null!;
        private RawMlp _raw = null!;
        private PredictionEngine<Row, Prediction> _engine = null!;

        public sealed class Prediction
        {
            public float Score { get; set; }
        }

        [GlobalSetup]
        public void Setup()
        {
            set_num_threads(BenchmarkSettings.Threads);
            _data = new BenchmarkData(2_000);
            var trained = _data.ML.Regression.Trainers.NeuralNetwork(TrainingThroughputBenchmarks.Network(),
                new NeuralNetworkOptions { Epochs = 1, BatchSize = 256 }).Fit(_data.InMemory);
            _engine = _data.ML.Model.CreatePredictionEngine<Row, Prediction>(trained);
            _raw = new RawMlp(64, 256, 256, 1);
            _raw.CopyFrom(trained.Model.Network);
            Network = trained.Model.Network;
        }

        [GlobalCleanup]
        public void Cleanup()
        {
            _engine.Dispose();
            _raw.Dispose();
            _data.Dispose();
        }

        public static float RawSingleRow(RawMlp raw, float[] features)
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            return raw.Forward(tensor(features).reshape(1, features.Length)).item<float>();
        }

        [Benchmark(Baseline = true, Description = "raw single-row forward", OperationsPerInvoke = Calls)]
        public float Raw()
        {
            float sum = 0;
            for (int i = 0; i < Calls; i++)
                sum += RawSingleRow(_raw, _data.Rows[i].Features);
            return sum;
        }

        [Benchmark(Description = "PredictionEngine.Predict", OperationsPerInvoke = Calls)]
        public float PredictionEngine()
        {
            float sum = 0;
            for (int i = 0; i < Calls; i++)
                sum += _engine.Predict(_data.Rows[i]).Score;
            return sum;
        }

        /// <summary>For the percentile report: the engine and raw model of a set-up instance.</summary>
        internal (PredictionEngine<Row, Prediction> Engine, RawMlp Raw, Row[] Rows) Parts => (_engine, _raw, _data.Rows);

        /// <summary>The trained network, for its own <c>Apply</c> on a prepared tensor (the layer machinery alone).</summary>
        internal Model Network { get; private set; } = null!;

        /// <summary>The network's public forward on a 1x64 tensor from the row's array, as <see cref="RawSingleRow"/> does it.</summary>
        public static float ModelApplySingleRow(Model network, float[] features)
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            return network.Apply(tensor(features).reshape(1, features.Length)).item<float>();
        }
    }
}
