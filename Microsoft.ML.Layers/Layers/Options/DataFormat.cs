namespace Microsoft.ML.Layers
{
    /// <summary>Where the channel axis of an image-like batch is (Keras's <c>data_format</c>).</summary>
    public enum DataFormat
    {
        /// <summary><c>(batch, spatial..., channels)</c>, Keras's default (<c>"channels_last"</c>; Keras's <c>None</c> too).</summary>
        [KerasName("channels_last", ReadsNone = true)]
        ChannelsLast,

        /// <summary><c>(batch, channels, spatial...)</c>, libtorch's layout (<c>"channels_first"</c>).</summary>
        ChannelsFirst,
    }
}
