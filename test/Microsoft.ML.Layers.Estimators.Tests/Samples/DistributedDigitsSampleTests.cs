using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.ML.Layers.TestFramework;
using Xunit;

namespace Microsoft.ML.Layers.Estimators.Tests.Samples
{
    /// <summary>
    /// The digits sample trained data-parallel (<c>--distributed</c>) by 2 MPI processes, each reading half of the rows, against
    /// the same sample in one process: the same test accuracy (issue 20). Runs under OpenMPI's mpirun; .ci/run installs it.
    /// </summary>
    [Collection(SerialTrainingCollection.Name)]
    public sealed class DistributedDigitsSampleTests
    {
        private static string SamplesAssembly => Path.Combine(RepositoryLayout.Root, "Samples", "Microsoft.ML.Layers.Samples", "bin",
            RepositoryLayout.BuildConfiguration, "net10.0", "Microsoft.ML.Layers.Samples.dll");

        [SharedDataFact]
        public void DigitsTrainedOnTwoRanksReachesTheAccuracyOfOneProcess()
        {
            string output = Directory.CreateTempSubdirectory("mllayers-sample-digits-mpi-").FullName;
            try
            {
                var single = ProcessRunner.Run(ProcessRunner.DotNet, new[] { SamplesAssembly, "digits", "--quick", "--output", output },
                    RepositoryLayout.Root, timeout: TimeSpan.FromMinutes(5));
                Assert.True(single.ExitCode == 0, single.ToString());
                var job = MpiRun.Run(SamplesAssembly, new[] { "digits", "--quick", "--distributed", "--output", output }, ranks: 2,
                    TimeSpan.FromMinutes(5));
                Assert.True(job.ExitCode == 0, job.ToString());

                Assert.Contains("rank 1 of 2, data-parallel on Open MPI", job.StandardOutput);
                var one = Accuracies(single.StandardOutput);
                var two = Accuracies(job.StandardOutput);
                Assert.True(one.Length == 1, single.ToString());
                // Both ranks evaluate their (identical) trained model.
                Assert.True(two.Length == 2 && two[0] == two[1], job.ToString());
                Assert.True(one[0] >= 0.9 && two[0] >= 0.9, $"micro-accuracy: expected >= 0.9, received {one[0]} (1 process), {two[0]} (2 ranks)");
                Assert.True(Math.Abs(one[0] - two[0]) <= 0.03,
                    $"micro-accuracy on 2 ranks: expected within 0.03 of one process's {one[0]}, received {two[0]}");
                // Rank 0 alone compares with ML.NET's trainers and saves the model.
                Assert.Single(Regex.Matches(job.StandardOutput, @"SdcaMaximumEntropy \(ML\.NET\): micro-accuracy"));
            }
            finally
            {
                Directory.Delete(output, recursive: true);
            }
        }

        private static double[] Accuracies(string output) => Regex.Matches(output, @"NeuralNetwork \(small CNN\): micro-accuracy ([0-9.]+)")
            .Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToArray();
    }
}
