using System;
using System.Linq;
using Microsoft.ML.Data;

namespace Microsoft.ML.Layers.Samples
{
    /// <summary>One New York taxi trip (the ML.NET samples' taxi-fare files): vendor, rate, passengers, time, distance, payment, fare.</summary>
    public sealed class TaxiTrip
    {
        [LoadColumn(0)] public string VendorId { get; set; } = "";
        [LoadColumn(1)] public string RateCode { get; set; } = "";
        [LoadColumn(2)] public float PassengerCount { get; set; }
        [LoadColumn(3)] public float TripTime { get; set; }
        [LoadColumn(4)] public float TripDistance { get; set; }
        [LoadColumn(5)] public string PaymentType { get; set; } = "";

        /// <summary>The fare in dollars (the label).</summary>
        [LoadColumn(6)] public float FareAmount { get; set; }

        /// <summary>A stand-in when the real files are absent: a metered fare from distance and time, or the flat airport rate, plus noise.</summary>
        public static TaxiTrip[] Generate(int count, int seed)
        {
            var random = new Random(seed);
            return Enumerable.Range(0, count).Select(_ =>
            {
                float distance = (float)(random.NextDouble() * 15);
                float time = distance * 150 + random.Next(60, 900);
                string rate = random.NextDouble() < 0.05 ? "2" : "1";
                return new TaxiTrip
                {
                    VendorId = random.NextDouble() < 0.5 ? "CMT" : "VTS",
                    RateCode = rate,
                    PassengerCount = random.Next(1, 6),
                    TripTime = time,
                    TripDistance = distance,
                    PaymentType = random.NextDouble() < 0.6 ? "CRD" : "CSH",
                    FareAmount = rate == "2" ? 52 : 2.5f + 2.5f * distance + 0.005f * time + (float)random.NextDouble(),
                };
            }).ToArray();
        }

        /// <summary>The taxi-fare train and test files (their first 5,000 and 2,000 rows in quick mode), or the stand-in.</summary>
        public static (IDataView Train, IDataView Test) Load(SampleRun run)
        {
            var (train, test) = run.TrainAndTest("taxi-fare-train.csv", "taxi-fare-test.csv",
                file => run.ML.Data.LoadFromTextFile<TaxiTrip>(file, separatorChar: ',', hasHeader: true), Generate, trainRows: 3000, testRows: 1000);
            return run.Quick ? (run.ML.Data.TakeRows(train, 5000), run.ML.Data.TakeRows(test, 2000)) : (train, test);
        }
    }
}
