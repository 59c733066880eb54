namespace Microsoft.ML.Layers
{
    /// <summary>Which libtorch fused recurrent kernel a recurrent layer's configuration maps to (none: the time loop).</summary>
    internal enum NativeRecurrentKind
    {
        /// <summary>No native kernel: the C# time loop runs.</summary>
        None,

        /// <summary>libtorch's LSTM (gates i, f, g, o; Keras's i, f, c, o).</summary>
        Lstm,

        /// <summary>libtorch's GRU (gates r, z, n; Keras's z, r, h with <c>reset_after</c>).</summary>
        Gru,

        /// <summary>libtorch's Elman RNN with tanh.</summary>
        RnnTanh,

        /// <summary>libtorch's Elman RNN with relu.</summary>
        RnnRelu,
    }
}
