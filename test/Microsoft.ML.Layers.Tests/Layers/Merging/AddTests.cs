using Xunit;

namespace Microsoft.ML.Layers.Tests.Layers.Merging
{
    public sealed class AddTests
    {
        [Fact]
        public void ReadsAKeras3Config()
        {
            const string json = """
                {"module": "keras.layers", "class_name": "Add", "config": {"name": "add_3", "trainable": true,
                 "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}},
                 "registered_name": null, "build_config": {"input_shape": [[null, 8], [null, 8]]}}
                """;
            var add = Assert.IsType<Add>(Layer.Deserialize(json));
            Assert.Equal("add_3", add.Name);
            Assert.Equal(2, add.BuildShapes!.Count);
        }
    }
}
