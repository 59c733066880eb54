namespace Microsoft.ML.Layers
{
    /// <summary>An object that serializes to Keras's <c>{"class_name": ..., "config": {...}}</c> layout.</summary>
    internal interface IKerasSerializable
    {
        /// <summary>The class name and constructor arguments that rebuild an equal object.</summary>
        ComponentConfig GetConfig();
    }
}
