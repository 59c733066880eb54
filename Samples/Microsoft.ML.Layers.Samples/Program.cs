using System;
using Microsoft.ML.Layers;
using TorchSharp;
using static TorchSharp.torch;

// A tiny end-to-end run until the layer and estimator samples land: fit y = 3x - 1 by gradient descent
// on TorchSharp tensors, with the native backend prepared by Microsoft.ML.Layers.
NativeBackend.EnsureLoaded();
Console.WriteLine($"TorchSharp native backend: {NativeBackend.FixedLibraryPath ?? "loaded as shipped (no fix needed)"}");

manual_seed(1);
using var x = linspace(-1, 1, 64).reshape(-1, 1);
using var y = 3 * x - 1;
using var weight = zeros(1, 1, requires_grad: true);
using var bias = zeros(1, requires_grad: true);

const double learningRate = 0.5;
for (int step = 1; step <= 100; step++)
{
    using var scope = NewDisposeScope();
    var loss = (x.matmul(weight) + bias - y).pow(2).mean();
    loss.backward();
    using (no_grad())
    {
        weight.sub_(weight.grad! * learningRate);
        bias.sub_(bias.grad! * learningRate);
        weight.grad!.zero_();
        bias.grad!.zero_();
    }
    if (step % 25 == 0)
        Console.WriteLine($"step {step,3}: loss {loss.item<float>():E3}");
}
Console.WriteLine($"learned y = {weight.item<float>():F3}x + {bias.item<float>():F3} (true: y = 3x - 1)");
