using System;
using System.IO;
using System.Linq;
using Microsoft.ML.Layers.Import;
using Microsoft.ML.Layers.TestFramework;
using PureHDF;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Import
{
    /// <summary>
    /// The weights of legacy Keras files land in this library's layers with the element order the files encode: checked
    /// against the datasets read directly, and against the 0, 1, 2, ... fill of the layout files.
    /// </summary>
    public sealed class KerasWeightLayoutTests
    {
        public static TheoryData<string> WeightFiles()
        {
            var data = new TheoryData<string>();
            string folder = Path.Combine(RepositoryLayout.KerasReferenceDirectory, "weights");
            if (!Directory.Exists(folder))
                data.Add("(keras-reference absent)");
            else
            {
                foreach (var file in Directory.GetFiles(folder, "*.h5").OrderBy(f => f, StringComparer.Ordinal))
                    data.Add(Path.GetFileName(file));
            }
            return data;
        }

        [KerasReferenceTheory]
        [MemberData(nameof(WeightFiles))]
        public void EveryWeightEqualsTheDatasetItWasReadFrom(string fileName)
        {
            string path = Path.Combine(RepositoryLayout.KerasReferenceDirectory, "weights", fileName);
            using var scope = NewDisposeScope();
            using var model = KerasModel.Load(path);
            using var file = H5File.OpenRead(path);
            var root = file.Group("model_weights");

            int checkedWeights = 0;
            foreach (var layerName in root.Attribute("layer_names").Read<string[]>())
            {
                var group = root.Group(layerName);
                var datasetNames = group.Attribute("weight_names").Type.Class == H5DataTypeClass.FloatingPoint
                    ? Array.Empty<string>() : group.Attribute("weight_names").Read<string[]>();
                var weights = model.GetLayer(layerName).Weights;
                Assert.Equal(datasetNames.Length, weights.Count);
                foreach (var (datasetName, weight) in datasetNames.Zip(weights))
                {
                    var expected = KerasReferenceFiles.ReadFloat32(group.Dataset(datasetName));
                    Assert.True(expected.shape.SequenceEqual(weight.shape), $"{fileName}: {datasetName} has shape ({string.Join(", ", expected.shape)}), weight {weight.Path} {weight.Shape}.");
                    Assert.True(expected.eq(weight.detach()).all().item<bool>(), $"{fileName}: weight {weight.Path} differs from dataset {datasetName}.");
                    // The weight's name is the dataset's last path segment (kernel:0 → kernel).
                    Assert.Equal(datasetName.Split('/')[^1].Split(':')[0], weight.Name);
                    checkedWeights++;
                }
            }
            Assert.True(checkedWeights > 0, $"{fileName}: no weights compared.");
        }

        [KerasReferenceTheory]
        [InlineData("dense_tensorflow_2.h5", "dense_1", new long[] { 4, 6 })]
        [InlineData("conv2d_tensorflow_2.h5", "conv2d_1", new long[] { 3, 3, 5, 6 })]
        public void FilledLayoutFilesKeepKerasElementOrder(string fileName, string layerName, long[] kernelShape)
        {
            using var scope = NewDisposeScope();
            using var model = KerasModel.Load(Path.Combine(RepositoryLayout.KerasReferenceDirectory, "weights", fileName));
            var layer = model.GetLayer(layerName);

            // The file's kernel holds 0, 1, 2, ... in C order of Keras's (…, in, out) shape; the bias 0, 1, 2, ...
            var kernel = layer.Weights.Single(w => w.Name == "kernel");
            var bias = layer.Weights.Single(w => w.Name == "bias");
            Assert.Equal(kernelShape, kernel.shape);
            Assert.True(arange(kernel.numel(), dtype: ScalarType.Float32).reshape(kernelShape).eq(kernel.detach()).all().item<bool>());
            Assert.True(arange(bias.numel(), dtype: ScalarType.Float32).eq(bias.detach()).all().item<bool>());

            // And the layer computes with them the way Keras does: a Dense output is x · kernel + bias.
            if (layer is Dense)
            {
                var x = ones(1, 4);
                var expected = x.matmul(arange(24, dtype: ScalarType.Float32).reshape(4, 6)) + arange(6, dtype: ScalarType.Float32);
                Assert.True(expected.allclose(model.Predict(x)));
            }
        }
    }
}
