using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Layers.Tests.Models
{
    /// <summary>Attaches a mask: a step is kept when its first feature is not zero (like Keras's Masking on one feature).</summary>
    [RegisterLayer("FirstFeatureMasker")]
    public sealed class FirstFeatureMasker : Layer
    {
        public FirstFeatureMasker(string? name = null) : base(name) => SupportsMasking = true;

        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null) => inputs.alias();

        public override Tensor? ComputeMask(Tensor inputs, Tensor? mask) => inputs.select(-1, 0).ne(0);
    }

    /// <summary>Sums the steps a mask keeps: (batch, time, features) to (batch, features).</summary>
    [RegisterLayer("MaskedSum")]
    public sealed class MaskedSum : Layer
    {
        public MaskedSum(string? name = null) : base(name) => SupportsMasking = true;

        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
            => mask is null ? inputs.sum(1) : (inputs * mask.unsqueeze(-1).to(inputs.dtype)).sum(1);

        public override Tensor? ComputeMask(Tensor inputs, Tensor? mask) => null;
    }

    /// <summary>Adds its inputs (a minimal merge layer).</summary>
    [RegisterLayer("SumInputs")]
    public sealed class SumInputs : Layer
    {
        public SumInputs(string? name = null) : base(name)
        {
        }

        protected override Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
            => throw new System.ArgumentException("SumInputs takes a list of inputs.");

        protected override Tensor Call(System.Collections.Generic.IReadOnlyList<Tensor> inputs, bool? training = null, System.Collections.Generic.IReadOnlyList<Tensor?>? masks = null)
        {
            var total = inputs[0];
            for (int i = 1; i < inputs.Count; i++)
                total = total + inputs[i];
            return total;
        }
    }
}
