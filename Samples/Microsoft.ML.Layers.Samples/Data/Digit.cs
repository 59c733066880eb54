using System;
using System.Linq;
using Microsoft.ML.Data;

namespace Microsoft.ML.Layers.Samples
{
    /// <summary>One optdigits row: 64 pixel intensities (0..16) and the digit.</summary>
    public sealed class Digit
    {
        /// <summary>The 64 pixel intensities, row by row.</summary>
        [LoadColumn(0, 63)]
        [VectorType(64)]
        public float[] Features { get; set; } = Array.Empty<float>();

        /// <summary>The digit, 0 to 9.</summary>
        [LoadColumn(64)]
        public float Number { get; set; }

        /// <summary>A stand-in when the real files are absent: each digit is a fixed stroke pattern plus noise.</summary>
        public static Digit[] Generate(int count, int seed)
        {
            var random = new Random(seed);
            var patterns = Enumerable.Range(0, 10).Select(d => Enumerable.Range(0, 64).Select(p => (float)((p * (d + 3) + d * 7) % 17 > 8 ? 16 : 0)).ToArray()).ToArray();
            return Enumerable.Range(0, count).Select(i => new Digit
            {
                Number = i % 10,
                Features = patterns[i % 10].Select(v => Math.Clamp(v + (float)(random.NextDouble() * 8 - 4), 0, 16)).ToArray(),
            }).ToArray();
        }

        /// <summary>The optdigits train and test files, or the stand-in.</summary>
        public static (IDataView Train, IDataView Test) Load(SampleRun run) => run.TrainAndTest("optdigits-train.csv", "optdigits-test.csv",
            file => run.ML.Data.LoadFromTextFile<Digit>(file, separatorChar: ','), Generate, trainRows: 1500, testRows: 500);

        /// <summary>The small CNN both digits samples train: 8x8 images, one convolution, one hidden layer, 10 logits.</summary>
        public static Sequential Network() => new(
            new Reshape(8, 8, 1),
            new Conv2D(32, kernelSize: 3, padding: Padding.Same, activation: "relu"),
            new MaxPooling2D(2),
            new Flatten(),
            new Dense(64, activation: "relu"),
            new Dense(10));
    }
}
