using System;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.ObjectPool;
using Microsoft.ML.Data;
using Microsoft.ML.Layers.Estimators;
using Microsoft.ML.OnnxRuntime;

namespace Microsoft.ML.Layers.Samples
{
    /// <summary>
    /// Serving: the taxi pipeline (trained here in quick sizes, or loaded from <c>--model PATH</c>) saved as an ML.NET .zip and
    /// converted to ONNX, hosted in an ASP.NET Core minimal API on loopback with two routes answering the same JSON trip:
    /// <c>POST /predict/mlnet</c> scores the .zip through a pool of <see cref="PredictionEngine{TSrc, TDst}"/>s
    /// (<see cref="PredictionEnginePolicy{TInput, TOutput}"/>), <c>POST /predict/onnx</c> scores the ONNX file in ONNX Runtime
    /// (<see cref="OnnxFareScorer"/>). With <c>--requests N</c> a bounded burst (<c>--concurrency C</c>, default 8) checks every
    /// answer against offline scoring (<c>Transform</c>) and prints p50/p99 latency per route; without it the server runs until
    /// Ctrl+C.
    /// </summary>
    public static class ServeSample
    {
        public static bool Run(SampleRun run) => RunAsync(run, Environment.GetCommandLineArgs()).GetAwaiter().GetResult();

        private static async Task<bool> RunAsync(SampleRun run, string[] args)
        {
            string? Option(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
            int? requests = Option("--requests") is string r ? int.Parse(r, System.Globalization.CultureInfo.InvariantCulture) : null;
            int concurrency = Option("--concurrency") is string c ? int.Parse(c, System.Globalization.CultureInfo.InvariantCulture) : 8;
            var ml = run.ML;
            var (train, test) = TaxiTrip.Load(run);
            var model = Option("--model") is string modelPath ? Load(ml, modelPath) : Train(run, train);

            // The rows the requests send, and what offline scoring (the pipeline's Transform) gives for them.
            var rows = ml.Data.CreateEnumerable<TaxiTrip>(test, reuseRowObject: false).Take(2000).ToArray();
            var rowsView = ml.Data.LoadFromEnumerable(rows);
            var expected = model.Transform(rowsView).GetColumn<float>("Score").ToArray();

            string onnxPath = Path.Combine(run.OutputDirectory, "serve.onnx");
            OnnxFareScorer? onnx = null;
            try
            {
                using (var stream = File.Create(onnxPath))
                    ml.Model.ConvertToOnnx(model, rowsView, stream);
                onnx = new OnnxFareScorer(File.ReadAllBytes(onnxPath));
                Console.WriteLine($"Converted to ONNX: {onnxPath} (inputs {string.Join(", ", onnx.Inputs)}; " +
                    $"score output '{onnx.ScoreOutput}')");
            }
            catch (Exception e) when (e is NotSupportedException or InvalidOperationException or ArgumentException or OnnxRuntimeException)
            {
                Console.WriteLine($"ONNX route unavailable: the conversion or ONNX Runtime failed: {e.GetType().Name}: {e.Message}");
            }

            await using var app = Host(ml, model, onnx);
            await app.StartAsync();
            string url = app.Urls.First();
            Console.WriteLine($"Serving on {url}: POST {url}/predict/mlnet (PredictionEngine pool), " +
                $"POST {url}/predict/onnx (ONNX Runtime); " +
                "body: a JSON trip, e.g. {\"vendorId\":\"VTS\",\"rateCode\":\"1\",\"passengerCount\":1,\"tripTime\":1140," +
                "\"tripDistance\":3.75,\"paymentType\":\"CRD\"}");
            if (requests is null)
            {
                Console.WriteLine("Press Ctrl+C to stop.");
                await app.WaitForShutdownAsync();
                return onnx is not null;
            }

            using var client = new HttpClient { BaseAddress = new Uri(url) };
            Console.WriteLine($"Sending {requests} requests per route, {concurrency} concurrent, over loopback...");
            bool ok = RequestBurst.Run(client, "/predict/mlnet", rows, expected, requests.Value, concurrency);
            ok &= onnx is not null && RequestBurst.Run(client, "/predict/onnx", rows, expected, requests.Value, concurrency);
            await app.StopAsync();
            onnx?.Dispose();
            return ok;
        }

        /// <summary>The minimal API: the engine pool and the ONNX session are singletons; each request borrows an engine.</summary>
        private static WebApplication Host(MLContext ml, ITransformer model, OnnxFareScorer? onnx)
        {
            // No command-line arguments: the samples' own options are not ASP.NET configuration.
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = Array.Empty<string>() });
            builder.WebHost.UseUrls("http://127.0.0.1:0"); // loopback, a free port chosen by the system
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            // Microsoft.Extensions.ML's PredictionEnginePool is the documented way; its package is not on this project's feed,
            // so the same pattern is built from Microsoft.Extensions.ObjectPool (see PredictionEnginePolicy).
            builder.Services.AddSingleton<ObjectPool<PredictionEngine<TaxiTrip, TaxiFarePrediction>>>(
                new DefaultObjectPoolProvider().Create(new PredictionEnginePolicy<TaxiTrip, TaxiFarePrediction>(ml, model)));
            if (onnx is not null)
                builder.Services.AddSingleton(onnx);
            var app = builder.Build();
            app.MapPost("/predict/mlnet", (TaxiTrip trip, ObjectPool<PredictionEngine<TaxiTrip, TaxiFarePrediction>> pool) =>
            {
                var engine = pool.Get();
                try
                {
                    return engine.Predict(trip);
                }
                finally
                {
                    pool.Return(engine);
                }
            });
            if (onnx is not null)
            {
                app.MapPost("/predict/onnx", (TaxiTrip trip, OnnxFareScorer scorer)
                    => new TaxiFarePrediction { Score = scorer.Score(trip) });
            }
            return app;
        }

        private static ITransformer Train(SampleRun run, IDataView train)
        {
            var ml = run.ML;
            var cleaned = ml.Data.FilterRowsByColumn(train, nameof(TaxiTrip.FareAmount), lowerBound: 1, upperBound: 150);
            int epochs = run.Epochs(10, quick: 3);
            var model = run.Train("NeuralNetwork (Dense 64/32/1)", () => run.FitNetwork(TaxiSample.Prepare(ml), _ =>
                ml.Regression.Trainers.NeuralNetwork(TaxiSample.Network(), new NeuralNetworkOptions
                {
                    LabelColumnName = nameof(TaxiTrip.FareAmount), Epochs = epochs, BatchSize = 128, LearningRate = 3e-3f,
                    Callbacks = new[] { run.Progress(epochs) },
                }), cleaned), m => ml.Regression.Evaluate(m.Transform(cleaned), nameof(TaxiTrip.FareAmount)).RSquared, "R-squared (train)");
            string path = Path.Combine(run.OutputDirectory, "serve.zip");
            ml.Model.Save(model, train.Schema, path);
            Console.WriteLine($"Saved the pipeline to {path} (serve it again with: serve --model {path})");
            return model;
        }

        private static ITransformer Load(MLContext ml, string path)
        {
            var model = ml.Model.Load(path, out _);
            Console.WriteLine($"Loaded the pipeline from {path}");
            return model;
        }
    }
}
