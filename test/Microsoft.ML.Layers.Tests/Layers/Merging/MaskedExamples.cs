using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Layers.Merging
{
    /// <summary>
    /// The hand-worked masked inputs of Keras 3's merging tests: one sample of four steps of two features; zero steps are
    /// padding. The first input is masked at steps 0 and 2, the second at steps 0 and 1.
    /// </summary>
    internal static class MaskedExamples
    {
        public static Tensor Steps(params float[] values) => tensor(values).reshape(1, 4, 2);

        public static Tensor Mask(params bool[] values) => tensor(values).reshape(1, 4);

        public static Tensor FirstMask => Mask(false, true, false, true);

        public static Tensor SecondMask => Mask(false, false, true, true);

        public static Tensor First => Steps(0, 0, 1, 2, 0, 0, 3, 4);

        public static Tensor Second => Steps(0, 0, 0, 0, 1, 2, 3, 4);
    }
}
