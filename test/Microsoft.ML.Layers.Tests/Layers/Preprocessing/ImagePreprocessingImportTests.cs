using System.Linq;
using Microsoft.ML.Layers.Import;
using Xunit;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Preprocessing
{
    /// <summary>Rescaling, Resizing and CenterCrop inside model files, as image models embed them (issue 16).</summary>
    public sealed class ImagePreprocessingImportTests
    {
        // tf.keras 2.x model.to_json() of Sequential([Input((4, 4, 1)), Resizing(8, 8), CenterCrop(6, 6), Rescaling(1/255)]).
        private const string TfKeras2 = """
            {"class_name": "Sequential", "config": {"name": "sequential", "layers": [
              {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 4, 4, 1], "dtype": "float32", "sparse": false,
               "ragged": false, "name": "input_1"}},
              {"class_name": "Resizing", "config": {"name": "resizing", "trainable": true, "dtype": "float32", "height": 8, "width": 8,
               "interpolation": "bilinear", "crop_to_aspect_ratio": false}},
              {"class_name": "CenterCrop", "config": {"name": "center_crop", "trainable": true, "dtype": "float32", "height": 6,
               "width": 6}},
              {"class_name": "Rescaling", "config": {"name": "rescaling", "trainable": true, "dtype": "float32",
               "scale": 0.00392156862745098, "offset": 0.0}}]}, "keras_version": "2.12.0", "backend": "tensorflow"}
            """;

        [Fact]
        public void ATfKeras2ModelWithTheThreeLayersLoadsAndRuns()
        {
            using var model = KerasModel.FromJson(TfKeras2);

            // A constant image stays constant through any resize and crop; 255 / 255 = 1.
            var y = model.Predict(full(new long[] { 2, 4, 4, 1 }, 255f));

            Assert.Equal(new[] { typeof(Resizing), typeof(CenterCrop), typeof(Rescaling) },
                model.Layers.Where(l => l is not InputLayer).Select(l => l.GetType()).ToArray());
            Assert.Equal(new long[] { 2, 6, 6, 1 }, y.shape);
            Assert.True(y.allclose(ones(2, 6, 6, 1), rtol: 0, atol: 1e-6));
        }

        [Fact]
        public void AResizingWithAnInterpolationThatCannotBeMatchedIsAnImportErrorNamingTheLayer()
        {
            string json = TfKeras2.Replace("\"interpolation\": \"bilinear\"", "\"interpolation\": \"lanczos3\"");

            var error = Assert.Throws<KerasImportException>(() => KerasModel.FromJson(json));

            Assert.Equal("resizing", error.Layer);
            Assert.Contains("lanczos3", error.ToString());
            Assert.Contains("\"bilinear\"", error.ToString());
        }
    }
}
