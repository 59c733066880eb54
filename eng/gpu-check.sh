#!/usr/bin/env bash
# GPU check (docs/gpu.md): on a machine with an NVIDIA GPU and the CUDA libtorch package, trains the optdigits CNN through
# the ML.NET trainer on the GPU and on the CPU, requires the loss to fall, the scores to agree within 1e-4 and the weights
# to have been on the GPU, and prints the GPU/CPU training-time ratio. Exits 2 at once where no GPU is present.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

if ! command -v nvidia-smi > /dev/null 2>&1; then
  echo "gpu-check: no NVIDIA driver here (nvidia-smi not found): this check needs a machine with an NVIDIA GPU." >&2
  exit 2
fi
if ! timeout 20 nvidia-smi -L 2>/dev/null | grep -q '^GPU '; then
  echo "gpu-check: nvidia-smi lists no GPU (or did not answer within 20 s)." >&2
  exit 2
fi
data="${MLLAYERS_SHARED_DIR:-$root/../shared}/data"
if [ ! -f "$data/optdigits-train.csv" ]; then
  echo "gpu-check: optdigits-train.csv is not in $data (set MLLAYERS_SHARED_DIR)." >&2
  exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
libtorch_version=$(sed -n 's:.*<LibTorchVersion>\(.*\)</LibTorchVersion>.*:\1:p' Directory.Packages.props)
cat > "$work/GpuCheck.csproj" <<PROJECT
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <ImplicitUsings>enable</ImplicitUsings>
    <Nullable>enable</Nullable>
  </PropertyGroup>
  <ItemGroup>
    <ProjectReference Include="$root/Estimators/Microsoft.ML.Layers.Estimators.csproj" />
    <PackageReference Include="libtorch-cuda-12.8-linux-x64" Version="$libtorch_version" />
  </ItemGroup>
</Project>
PROJECT
cat > "$work/Program.cs" <<'PROGRAM'
using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Layers;
using Microsoft.ML.Layers.Callbacks;
using Microsoft.ML.Layers.Estimators;
using TorchSharp;

NativeBackend.EnsureLoaded();
if (!torch.cuda.is_available())
{
    Console.Error.WriteLine("gpu-check: libtorch sees no CUDA device.");
    return 2;
}
string data = args[0];
(float[] Scores, double FirstLoss, double LastLoss, TimeSpan Time, string Device) Train(int? gpu)
{
    var ml = new MLContext(seed: 1) { GpuDeviceId = gpu, FallbackToCpu = false };
    var train = ml.Data.LoadFromTextFile<Digit>(Path.Combine(data, "optdigits-train.csv"), separatorChar: ',');
    var test = ml.Data.LoadFromTextFile<Digit>(Path.Combine(data, "optdigits-test.csv"), separatorChar: ',');
    var losses = new List<double>();
    var network = new Sequential(new Reshape(8, 8, 1), new Conv2D(16, kernelSize: 3, activation: "relu"), new Flatten(), new Dense(10));
    var options = new NeuralNetworkOptions
    {
        LabelColumnName = "Label", Epochs = 5, BatchSize = 64,
        Callbacks = new Callback[] { new LambdaCallback(onEpochEnd: (_, logs) => losses.Add(logs["loss"])) },
    };
    var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", "Number")
        .Append(ml.MulticlassClassification.Trainers.NeuralNetwork(network, options));
    var clock = Stopwatch.StartNew();
    var model = pipeline.Fit(train);
    clock.Stop();
    var scores = model.Transform(test).GetColumn<VBuffer<float>>("Score").SelectMany(v => v.DenseValues()).ToArray();
    var trained = model.LastTransformer.Model.Network;
    return (scores, losses[0], losses[^1], clock.Elapsed, trained.Weights[0].device.ToString());
}
var gpuRun = Train(0);
var cpuRun = Train(null);
Console.WriteLine($"gpu: loss {gpuRun.FirstLoss:G4} -> {gpuRun.LastLoss:G4} in {gpuRun.Time.TotalSeconds:F1} s, weights on {gpuRun.Device}");
Console.WriteLine($"cpu: loss {cpuRun.FirstLoss:G4} -> {cpuRun.LastLoss:G4} in {cpuRun.Time.TotalSeconds:F1} s");
Console.WriteLine($"GPU/CPU training time ratio: {gpuRun.Time.TotalSeconds / cpuRun.Time.TotalSeconds:F2}");
int failures = 0;
if (!gpuRun.Device.StartsWith("cuda", StringComparison.OrdinalIgnoreCase))
{
    Console.Error.WriteLine($"FAIL: the trained network's weights are on {gpuRun.Device}, not on the GPU.");
    failures++;
}
if (!(gpuRun.LastLoss < gpuRun.FirstLoss))
{
    Console.Error.WriteLine("FAIL: the GPU run's loss did not fall.");
    failures++;
}
double worst = gpuRun.Scores.Zip(cpuRun.Scores, (a, b) => (double)Math.Abs(a - b)).DefaultIfEmpty(double.NaN).Max();
Console.WriteLine($"largest |GPU - CPU| score difference: {worst:G3}");
if (gpuRun.Scores.Length != cpuRun.Scores.Length || !(worst <= 1e-4))
{
    Console.Error.WriteLine("FAIL: GPU and CPU scores differ by more than 1e-4.");
    failures++;
}
return failures == 0 ? 0 : 1;

public class Digit
{
    [LoadColumn(0, 63), VectorType(64)] public float[] Features { get; set; } = new float[64];
    [LoadColumn(64)] public float Number { get; set; }
}
PROGRAM
dotnet build "$work" -c Release -o "$work/out" --nologo -v:q
timeout 1800 dotnet "$work/out/GpuCheck.dll" "$data"
