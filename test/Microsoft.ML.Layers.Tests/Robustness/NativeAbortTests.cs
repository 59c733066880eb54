using System;
using System.Collections.Generic;
using Microsoft.ML.Layers.TestFramework;
using Xunit;

namespace Microsoft.ML.Layers.Tests.Robustness
{
    /// <summary>
    /// A console application that runs each case that used to end the process (a native abort or segfault, which no test
    /// host survives) and prints the exception it now gets. Built once for the class; every case runs in its own process
    /// with a time limit.
    /// </summary>
    public sealed class NativeAbortCasesFixture : IDisposable
    {
        private const string ProgramText = """
            using System;
            using Microsoft.ML.Layers;
            using Microsoft.ML.Layers.Initializers;
            using TorchSharp;
            using static TorchSharp.torch;

            try
            {
                switch (args[0])
                {
                    case "simple-dense":
                        var layer = new SimpleDense(4, name: "seed_dense");
                        layer.Apply(ones(2, 3));
                        layer.Apply(ones(2, 7));
                        break;
                    case "dense-huge-input":
                        Layer.Deserialize("{\"class_name\":\"Dense\",\"config\":{\"units\":8}," +
                            "\"build_config\":{\"input_shape\":[null,1099511627776]}}");
                        break;
                    case "dense-huge-units":
                        Layer.Deserialize("{\"class_name\":\"Dense\",\"config\":{\"units\":2147483647}," +
                            "\"build_config\":{\"input_shape\":[null,4]}}");
                        break;
                    case "initializer-overflow":
                        Initializer.GlorotUniform().Create(new Shape(1L << 40, 1L << 40), ScalarType.Float32);
                        break;
                    case "input-overflow":
                        Input.Create(new Shape(1L << 40, 1L << 40));
                        break;
                    default:
                        Console.WriteLine("unknown case " + args[0]);
                        return 2;
                }
                Console.WriteLine("no exception");
                return 1;
            }
            catch (Exception e)
            {
                Console.WriteLine($"caught {e.GetType().Name}: {e.Message}");
                return 0;
            }

            // The seed's SimpleDense from docs/api.md, as a user writes it.
            sealed class SimpleDense : Layer
            {
                private Parameter? _w, _b;

                public SimpleDense(int units, string? name = null) : base(name) => Units = units;

                public int Units { get; }

                protected override void Build(Shape inputShape)
                {
                    _w = AddWeight("w", new Shape(inputShape[^1], Units), Initializer.RandomNormal());
                    _b = AddWeight("b", new Shape(Units), Initializer.Zeros());
                }

                protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
                    => inputs.matmul(_w!) + _b!;
            }
            """;

        public NativeAbortCasesFixture()
            => Application = new ExternalApplication("NativeAbortCases", "Microsoft.ML.Layers/Microsoft.ML.Layers.csproj", ProgramText);

        public ExternalApplication Application { get; }

        /// <summary>Runs one case; a case that takes more than a minute is a failure (the process is killed).</summary>
        public ProcessResult Run(string caseName)
        {
            Assert.True(Application.Build.ExitCode == 0, $"The application did not build:\n{Application.Build}");
            var dll = System.IO.Path.Combine(Application.Directory, "out", Application.Name + ".dll");
            return ProcessRunner.Run(ProcessRunner.DotNet, new[] { dll, caseName }, Application.Directory,
                timeout: TimeSpan.FromMinutes(1));
        }

        public void Dispose() => Application.Dispose();
    }

    public sealed class NativeAbortTests : IClassFixture<NativeAbortCasesFixture>
    {
        private readonly NativeAbortCasesFixture _app;

        public NativeAbortTests(NativeAbortCasesFixture app) => _app = app;

        [Fact]
        public void AUserLayerCalledWithAnotherSizeThanItWasBuiltForThrowsInsteadOfAborting()
        {
            // Before: "terminate called after throwing an instance of 'c10::Error' ... mat1 and mat2 shapes cannot be multiplied".
            var result = _app.Run("simple-dense");

            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Contains("caught ArgumentException", result.StandardOutput);
            Assert.Contains("'seed_dense'", result.StandardOutput);
            Assert.Contains("value 3", result.StandardOutput);
            Assert.Contains("(2, 7)", result.StandardOutput);
        }

        [Theory]
        [InlineData("dense-huge-input", "(1099511627776, 8)")]
        [InlineData("dense-huge-units", "(4, 2147483647)")]
        [InlineData("initializer-overflow", "(1099511627776, 1099511627776)")]
        [InlineData("input-overflow", "1099511627776, 1099511627776)")]
        public void AShapeTooLargeToAllocateThrowsBeforeAnyAllocation(string caseName, string shape)
        {
            // Before: a segfault in THSTensor_numel (torch.rand of an overflowing shape), or gigabytes allocated.
            var result = _app.Run(caseName);

            Assert.True(result.ExitCode == 0, result.ToString());
            // Layer.Deserialize documents FormatException (the size error is its inner exception); direct calls throw ArgumentException.
            Assert.Matches("caught (ArgumentException|FormatException)", result.StandardOutput);
            Assert.Contains(shape, result.StandardOutput);
        }
    }
}
